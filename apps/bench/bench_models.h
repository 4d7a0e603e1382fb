// The four benchmark models of ../shared/bench (README.md there: IARM, QIN, EAIN, DUMN with
// their exact fields, vocabularies, widths and sequence lengths), built from tapegrad's own
// model classes in models/ so that the benchmark times the code users run.
//
// Each reference graph is one of ours with config switches:
//   IARM  models::Iarm, merge=two ([flatten(E_L) ; U]), interest {256,128,64,16} with ReLU
//         after every layer, no 1/sqrt(d') scale, user fields C1..C8, padding=false (ids
//         0..V-1 all real), embeddings N(0, 0.05^2).
//   QIN   models::Qin, QIN eq. 3 literally: asta_out=false (no W_o), use_mask=false,
//         x0_order=pooled_target ([others ; o ; x_t]), L=4, R=4, no BatchNorm, dropout 0,
//         no embedding L2, padding=false, embeddings N(0, 0.05^2).
//   EAIN  models::Eain with its defaults (models.md section 3, the reference's literal form).
//   DUMN  models::Dumn with its defaults (models.md section 4).
// The reference's single shared tables (IARM's [26 V, 16] with row = field * V + id, QIN's
// [10 V, 16] and [4 V, 16]) are per-field tables with row offsets, so ours keep one table per
// field: the same parameters, mapped block by block (torch_names below). IARM and QIN's
// Linear layers get PyTorch's default init (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights
// and biases), EAIN and DUMN keep ours, which is the reference's (Xavier-normal, zero bias).
//
// Inputs come in the reference's form (the forward() arguments of torch_ref*.py, in order):
//   iarm  x_num float32 [B,13], x_cat int64 [B,26]
//   qin   x_other int64 [B,10], x_target [B,4], x_seq [B,T,4]
//   eain  x_user int64 [B,6], x_target [B,2] (item, category), x_seq [B,T,2], mask float32 [B,T]
//   dumn  x_user int64 [B,4], x_item [B,2] (item, brand), seq [B,4,T], mask float32 [B,4,T]
// and batch_from_inputs() turns them into the data::Batch our models read.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/dataset.h"
#include "nn/train/ctr_model.h"

namespace tg::bench {

// Table sizes and sequence length; the defaults are the benchmark's. dump_golden.py's
// --vocab N gives every table N rows (vocab = small_vocab = N).
struct BenchSizes {
  int64_t vocab = 10000;       // iarm/qin: ids per field; eain/dumn: user and item tables
  int64_t small_vocab = 1000;  // eain: categories; dumn: brands
  int64_t seq_len = 0;         // 0: the model's default (qin/eain 50, dumn 100)
};

struct BenchModel {
  std::string name;
  BenchSizes sizes;
  data::Dataset meta;  // schema and vocabularies (no rows): what the model was built from
  std::unique_ptr<nn::CtrModel> model;
  double forward_flops = 0;  // matmul FLOPs per sample of a (training) forward, the reference's count
};

const std::vector<std::string>& bench_model_names();  // iarm, qin, eain, dumn
// The reference's parameter count at the default sizes (README.md).
int64_t reference_params(const std::string& name);
int64_t default_seq_len(const std::string& name);

// Builds the model with tg::manual_seed(seed) first. sparse_grad=false gives dense table
// gradients, as the reference (README: "dense embedding gradients"); true is models/'s default
// (the step touches only the looked-up rows; the first Adam step is identical, later ones are
// "lazy" for untouched rows).
BenchModel build_bench_model(const std::string& name, BenchSizes sizes = {}, bool sparse_grad = false,
                             uint64_t seed = 0);

// One reference (PyTorch) tensor and where it lives in ours.
struct TorchName {
  std::string torch;       // e.g. "inter.0.W_q.weight"
  std::string ours;        // e.g. "interact.0.w_query"
  bool transpose = false;  // ours is the 2-D transpose of the reference's (Linear [out,in] vs [in,out])
  int64_t block = -1;      // >= 0: ours is rows [block * r, (block + 1) * r) of the reference's, r
                           // ours.size(0) (or one row when ours is 1-D)
  bool buffer = false;     // a buffer (DUMN's memories), not a parameter
};
std::vector<TorchName> torch_names(const BenchModel& m);

// The batch our model reads, from the reference's inputs (see above) and labels y [B].
data::Batch batch_from_inputs(const BenchModel& m, const std::vector<Tensor>& inputs, const Tensor& y);

}  // namespace tg::bench
