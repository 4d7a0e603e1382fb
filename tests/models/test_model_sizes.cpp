// The models built on the MovieLens-100K protocol data have exactly the parameter counts of
// ../shared/data/movielens-100k/PROTOCOL.md §2 (skipped when ../shared/data is absent).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "data/movielens/movielens100k.h"
#include "models/registry.h"

using namespace tg;

TEST_CASE("models: parameter counts on MovieLens-100K match the protocol") {
  std::string root = std::getenv("TAPEGRAD_SHARED_DIR") ? std::getenv("TAPEGRAD_SHARED_DIR")
                                                        : std::string(TAPEGRAD_SOURCE_DIR) + "/../shared";
  const std::string dir = root + "/data/movielens-100k";
  if (!std::filesystem::exists(dir + "/u.data")) {
    MESSAGE("skipped: " << dir << " is not present");
    return;
  }
  auto splits = data::load_movielens100k(dir);
  const std::pair<const char*, int64_t> expected[] = {
      {"lr", 2809}, {"fm", 47737}, {"deepfm", 420538}, {"autoint", 82305}, {"iarm", 148545},
      {"qin", 286084}, {"din", 97973}, {"eain", 374685}, {"dumn", 896425}};
  for (auto [name, count] : expected) {
    CAPTURE(name);
    auto model = models::make_model(name, splits.train);
    CHECK(model->num_parameters() == count);
  }
  CHECK(models::make_model("eain", splits.train, models::ModelArgs(std::map<std::string, std::string>{{"use_paim", "false"}}))
            ->num_parameters() == 292701);
  CHECK(models::make_model("dumn", splits.train, models::ModelArgs(std::map<std::string, std::string>{{"use_triplet", "false"}}))
            ->num_parameters() == 896425);
  CHECK(models::make_model("qin", splits.train, models::ModelArgs(std::map<std::string, std::string>{{"seq_pool", "mean"}}))->num_parameters() == 277892);
}
