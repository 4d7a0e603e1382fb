#pragma once
// The driver every model app shares (tapegrad-iarm, -qin, -eain, -dumn, -baseline):
//
//   tapegrad-iarm [train] [--data DIR --format synthetic|movielens100k|criteo|avazu]
//                 [--epochs N --batch-size N --lr X --optimizer adam|adamw|sgd|adagrad --seed N
//                  --threads N --max-steps N --out DIR --resume --patience N]
//                 [--<model knob> VALUE ...]            (every knob of the model, see --help)
//   tapegrad-iarm eval --checkpoint DIR [--split test|valid|train]
//   tapegrad-iarm predict --checkpoint DIR --output FILE [--split test|valid|train]
//
// Progress goes to stderr; the last line on stdout of train and eval is one JSON object
// (model, split, auc, logloss, examples, seconds, ...). With no arguments it trains on the
// built-in synthetic data (MovieLens-100K format, data/synthetic) and reports the test AUC.
// A checkpoint directory (--out) holds model.safetensors (the best epoch), last.safetensors
// and best.safetensors (the Trainer's), run.json (model, knobs, data source: everything to
// rebuild the model and its data), metrics.jsonl and curves.svg.
#include <string>
#include <vector>

namespace tg::apps {

// `models`: the registry names this binary may build (the first is the default).
int run_ctr_app(const std::string& program, const std::vector<std::string>& models, int argc, char** argv);

}  // namespace tg::apps
