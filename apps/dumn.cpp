// tapegrad-dumn: DUMN (models/dumn.h) — train, eval and predict. See apps/driver/ctr_app.h.
#include "apps/driver/ctr_app.h"

// 6 epochs: on the built-in data DUMN's valid AUC levels off by epoch 6 (0.739, best 0.741 at
// epoch 9 of 10), and at ~9 s an epoch on 2 cores ten epochs would take a minute and a half.
int main(int argc, char** argv) {
  return tg::apps::run_ctr_app("tapegrad-dumn", {"dumn"}, argc, argv, {.epochs = 6});
}
