#pragma once
// The driver every model app shares (tapegrad-iarm, -qin, -eain, -dumn, -baseline):
//
//   tapegrad-iarm [train] [--data DIR --format synthetic|movielens100k|criteo|avazu]
//                 [--epochs N --batch-size N --lr X --optimizer adam|adamw|sgd|adagrad --seed N
//                  --threads N --max-steps N --out DIR --resume --patience N]
//                 [--<model knob> VALUE ...]            (every knob of the model, see --help)
//                 [--dot FILE --dot-depth N --dot-render svg|png|none --trace-step N --grad-stats N
//                  --detect-anomaly --profile]              (inspection, see docs/TUTORIAL.md)
//   tapegrad-iarm eval --checkpoint DIR [--split test|valid|train]
//   tapegrad-iarm predict --checkpoint DIR --output FILE [--split test|valid|train]
//
// Progress goes to stderr; the last line on stdout of train and eval is one JSON object
// (model, split, auc, logloss, examples, seconds, ...). With no arguments it trains on the
// built-in synthetic data (MovieLens-100K format, data/synthetic) and reports the test AUC.
// A checkpoint directory (--out) holds model.safetensors (the best epoch), last.safetensors
// and best.safetensors (the Trainer's), run.json (model, knobs, data source: everything to
// rebuild the model and its data), metrics.jsonl and curves.svg.
#include <cstdint>
#include <string>
#include <vector>

namespace tg::apps {

// Per-binary defaults of the training options (a flag still overrides them).
struct AppDefaults {
  // Epochs at most. The default run (no arguments) must finish in about a minute on 2 cores;
  // a slow model (DUMN) gets a smaller budget, chosen where its valid AUC has levelled off.
  int64_t epochs = 10;
};

// `models`: the registry names this binary may build (the first is the default).
int run_ctr_app(const std::string& program, const std::vector<std::string>& models, int argc, char** argv,
                const AppDefaults& defaults = {});

}  // namespace tg::apps
