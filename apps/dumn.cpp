// tapegrad-dumn: DUMN (models/dumn.h) — train, eval and predict. See apps/driver/ctr_app.h.
#include "apps/driver/ctr_app.h"

int main(int argc, char** argv) { return tg::apps::run_ctr_app("tapegrad-dumn", {"dumn"}, argc, argv); }
