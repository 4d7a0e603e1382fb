#pragma once
// DUMN: Denoising User-aware Memory Network (Bian et al., 2021), design/models.md §4 as
// PROTOCOL.md §2 sets it for MovieLens-100K. For each feedback type x in {c (click), u
// (unclick), l (like), d (dislike)}, with its own parameters:
//   O_x   = MHSA(e_x) (H heads, per-head [E/H, E/H] projections, scores / sqrt(T), padded
//           keys masked, W^F [E, E]; no residual)
//   f_x   = sum_j softmax_j(ReLU([e_user ; e_item ; O_x^j] W_x)) O_x^j         target attention
//   f_c°  = f_c - proj(f_c, f_d), f_u° = f_u - proj(f_u, f_l)   orthogonal projection (use_fp)
//   g     = ReLU([s_x ; e_user] A + a) (512); k_read, k_write, erase = sigma, add = tanh (Z)
//   r_x   = softmax_j(cos(k_read, M_x(j))) M_x                  read the memory (a buffer)
//   train: w = softmax_j(cos(k_write, M_x(j))),
//          M'_x = (1 - mean_b w (x) erase) * M_x + mean_b w (x) add      written in the graph
//   U_x   = [s_x * sigma(s_x G1) ; r_x * sigma(r_x G2)]         PAIR gated fusion
//   z     = MLP([e_user ; e_item ; U_c ; U_u ; U_l ; U_d] -> 200 -> 80 -> 1, ReLU)
// Loss = logloss + sum_x triplet_x: anchor w M'_x, candidates = the sequence items' embeddings
// times P [E, Z], d = 1 - cos, hardest positive in x's sequence and hardest negative in its
// opposite (c/u, l/d), margin 0.5, over samples with both sequences non-empty.
// Step order: read M (constant) -> write M' in the graph -> losses -> backward -> optimizer
// -> after_step(): M <- detach(M'). Evaluation only reads. The memories are buffers
// ("memory_c", ...): saved in checkpoints, never touched by the optimizer.
// Switches: use_fp, use_umn (no memories), use_triplet (DUMN-TL), triplet_sampling=random
// (DUMN_RS), fusion=gate|concat, mhsa_scale=seq_len|head_dim.
#include <array>

#include "data/dataset.h"
#include "models/args.h"
#include "models/field_embedding.h"
#include "nn/layers/layers.h"
#include "nn/train/ctr_model.h"

namespace tg::models {

struct DumnConfig {
  int64_t dim = 16;  // E
  double init_std = 1e-4;
  std::vector<std::string> sequences = {"history", "unclick", "like", "dislike"};  // c, u, l, d
  std::vector<std::string> user_fields = {};  // default: the user group
  std::vector<std::string> item_fields = {};  // default: the item group
  std::string item_field = "movie_id";        // the table of sequence elements
  int64_t heads = 2;
  std::string mhsa_scale = "seq_len";
  int64_t slots = 256;     // m
  int64_t memory_dim = 64;  // Z
  int64_t controller = 512;
  double beta = 1.0;
  bool use_fp = true;
  bool use_umn = true;
  bool use_triplet = true;
  std::string triplet_sampling = "hard";  // hard | random
  double margin = 0.5;
  std::string fusion = "gate";            // gate | concat
  std::vector<int64_t> mlp = {200, 80};
  bool sparse_grad = true;  // row-sparse table gradients
  std::string name = "dumn";
  static DumnConfig from_args(ModelArgs& args, DumnConfig defaults);
};

// One feedback branch: self-attention, target attention, memory controller and gates.
class DumnBranch : public nn::Module {
 public:
  DumnBranch(int64_t dim, int64_t user_width, int64_t item_width, const DumnConfig& config);
  nn::TransformerSelfAttention& mhsa;
  nn::TargetAttention& target;
  nn::Linear* controller = nullptr;
  nn::Linear* read_key = nullptr;
  nn::Linear* write_key = nullptr;
  nn::Linear* erase = nullptr;
  nn::Linear* add_head = nullptr;
  Tensor gate_s, gate_r;  // G1 [E, E], G2 [Z, Z]
  Tensor memory;          // buffer [m, Z]
};

class Dumn : public nn::CtrModel {
 public:
  Dumn(const data::Dataset& meta, DumnConfig config);
  Tensor forward(const data::Batch& batch) override;
  nn::LossTerms loss(const data::Batch& batch, const Tensor& logits) override;
  void after_step() override;  // commits the written memories
  std::string model_name() const override { return config_.name; }
  std::string describe() const override;
  // The memory of branch x (0..3), for inspection and tests.
  const Tensor& memory(size_t x) const;

 private:
  DumnConfig config_;
  FieldEmbedding& embedding_;
  std::vector<std::string> user_fields_, item_fields_;
  std::array<DumnBranch*, 4> branches_{};
  Tensor projection_;   // P [E, Z]
  nn::MLP* head_ = nullptr;
  // Set by a training forward, used by loss() and after_step().
  std::array<Tensor, 4> written_, anchors_;
};

}  // namespace tg::models
