// tapegrad-baseline: the baselines (--model lr|fm|deepfm|autoint|din) on the same driver.
#include "apps/driver/ctr_app.h"

int main(int argc, char** argv) {
  return tg::apps::run_ctr_app("tapegrad-baseline", {"lr", "fm", "deepfm", "autoint", "din"}, argc, argv);
}
