// tapegrad-qin: QIN (models/qin.h) — train, eval and predict. See apps/driver/ctr_app.h.
#include "apps/driver/ctr_app.h"

int main(int argc, char** argv) { return tg::apps::run_ctr_app("tapegrad-qin", {"qin"}, argc, argv); }
