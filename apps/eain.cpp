// tapegrad-eain: EAIN (models/eain.h) — train, eval and predict. See apps/driver/ctr_app.h.
#include "apps/driver/ctr_app.h"

int main(int argc, char** argv) { return tg::apps::run_ctr_app("tapegrad-eain", {"eain"}, argc, argv); }
