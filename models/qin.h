#pragma once
// QIN: Quadratic Interest Network (Li et al., WWW'25), design/models.md §2, reduced to a
// dataset's fields as PROTOCOL.md §2 does for MovieLens-100K:
//   x_t, X_b, m                      item vectors of the target and the history (item_sequence.h)
//   o = (a V) W_o + x_t              ASTA: q = x_t W_q, K = X_b W_k, V = X_b W_v (d_a wide),
//                                    s = q K^T / sqrt(d_a) * m, a = ReLU(s) (no normalisation)
//   X_1 = [context field embeddings ; x_t ; o]                                 [B, D]
//   QNN layer l: h = Dropout(Linear_l(X)) viewed [B, R, D], y = X * sum_r h_r,
//                X <- Dropout(PReLU(BatchNorm(y))) + X
//   z = X_L w + b;  loss = logloss + (emb_l2 / 2) * sum over the embedding tables ||W||^2
// Ablations (Table 3): interaction=mlp (QIN w/o QNN: MLP [1024,512,256] ReLU), seq_pool=mean
// (w/o ASTA: masked mean of X_b, no + x_t), asta_act=softmax, qnn_act=relu (w/o PReLU),
// asta_dropout, num_row, num_layers, batch_norm.
// Switches that make it the PyTorch benchmark reference (../shared/bench/torch_ref.py, QIN
// eq. 3 literally): asta_out=false (no W_o), use_mask=false (every history slot attends; its
// ids start at 0), x0_order=pooled_target (X_1 = [context ; o ; x_t]), padding=false.
// Parameters: "embedding.<field>", "asta.w_query/w_key/w_value/w_out", "qnn.<l>.linear.weight/
// bias", "qnn.<l>.norm.*", "qnn.<l>.act.weight", "mlp.*" (w/o QNN), "output.weight/bias".
#include "data/dataset.h"
#include "models/args.h"
#include "models/field_embedding.h"
#include "models/item_sequence.h"
#include "nn/layers/layers.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

struct QinConfig {
  int64_t dim = 16;
  double init_std = 1e-4;
  ItemSequenceFields items = {};
  std::vector<std::string> context = {};  // empty: every other embedded field
  std::string seq_pool = "asta";          // asta | mean
  std::string asta_act = "relu";          // relu | softmax
  int64_t attention_dim = 0;              // d_a; 0: 2 * I
  double asta_dropout = 0;
  std::string interaction = "qnn";        // qnn | mlp
  int64_t num_layers = 3;
  int64_t num_row = 3;
  double dropout = 0.1;
  std::string qnn_act = "prelu";          // prelu | relu
  bool batch_norm = true;
  std::vector<int64_t> mlp = {1024, 512, 256};
  double emb_l2 = 2e-4;
  bool asta_out = true;                   // the authors' output projection W_o after ASTA
  bool use_mask = true;                   // false: no history slot is treated as padding
  std::string x0_order = "target_pooled";  // target_pooled: [context ; x_t ; o]; pooled_target: [context ; o ; x_t]
  bool padding = true;                    // false: id 0 is an ordinary id (FieldEmbeddingOptions::padding)
  bool sparse_grad = true;                // row-sparse table gradients
  std::string name = "qin";
  static QinConfig from_args(ModelArgs& args, QinConfig defaults);
};

// One QNN layer: Khatri-Rao product with R rows, BatchNorm, PReLU, dropout, residual.
class QnnLayer : public nn::Module {
 public:
  QnnLayer(int64_t width, int64_t rows, double dropout, bool batch_norm, bool prelu);
  Tensor operator()(const Tensor& x) const;
  std::string describe() const override;

 private:
  int64_t width_, rows_;
  double dropout_;
  nn::Linear& linear_;
  nn::BatchNorm1d* norm_ = nullptr;
  nn::PReLU* act_ = nullptr;
};

class Qin : public nn::CtrModel {
 public:
  Qin(const data::Dataset& meta, QinConfig config);
  Tensor forward(const data::Batch& batch) override;
  nn::LossTerms loss(const data::Batch& batch, const Tensor& logits) override;
  std::string model_name() const override { return config_.name; }
  std::string describe() const override;

 private:
  QinConfig config_;
  FieldEmbedding& embedding_;
  std::vector<std::string> context_;
  nn::TargetAttention* asta_ = nullptr;
  nn::ModuleList* qnn_ = nullptr;
  nn::MLP* mlp_ = nullptr;
  nn::Linear* output_ = nullptr;
};

}  // namespace tg::models
