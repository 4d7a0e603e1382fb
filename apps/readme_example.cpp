#include "data/movielens/movielens100k.h"  // installed: <tapegrad/...>, pkg-config name: tapegrad
#include "data/synthetic/movielens_synthetic.h"
#include "models/field_embedding.h"
#include "nn/nn.h"
using namespace tg;

// Every field embedded (one table each) -> an MLP -> one logit per example.
struct TinyCTR : nn::CtrModel {
  models::FieldEmbedding& emb;
  nn::MLP& mlp;
  explicit TinyCTR(const data::Dataset& d)
      : emb(add<models::FieldEmbedding>("emb", d.schema, d.vocabularies, models::FieldEmbeddingOptions{.dim = 8})),
        mlp(add<nn::MLP>("mlp", nn::MLP::Sizes{emb.num_fields() * 8, 64, 1})) {}
  Tensor forward(const data::Batch& batch) override { return mlp(emb(batch).flatten(1)).squeeze(1); }
};

int main() {
  data::write_synthetic_movielens("/tmp/tapegrad-readme-data");        // built-in data, MovieLens format
  auto splits = data::load_movielens100k("/tmp/tapegrad-readme-data");  // temporal 80/10/10 split
  TinyCTR model(splits.train);
  nn::Adam opt(model.named_parameters(), {.lr = 1e-3});
  nn::Trainer trainer(model, opt, {.epochs = 4, .batch_size = 512});     // progress line on stderr
  trainer.fit(splits.train, &splits.valid);                             // early stopping on valid AUC
  fmt::print("{}test AUC {:.4f}\n", model.summary(), trainer.evaluate(splits.test).auc);
}
