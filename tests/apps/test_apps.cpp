// The model apps as a user runs them: --help, a short default run ending in a JSON line,
// eval/predict from the run directory, and a malformed data file giving file:line and a
// non-zero exit.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include <fmt/format.h>

#include "data/synthetic/taobao_synthetic.h"
#include "tests/test_files.h"

namespace {

// An app with its arguments; stdout and stderr together.
tg::testing::CommandResult run(const std::string& args) {
  return tg::testing::run_command(fmt::format("{}/apps/{} 2>&1", TAPEGRAD_BUILD_DIR, args));
}

nlohmann::json last_json_line(const std::string& out) {
  auto end = out.find_last_not_of('\n');
  auto start = out.rfind('\n', end);
  return nlohmann::json::parse(out.substr(start == std::string::npos ? 0 : start + 1, end - start));
}

}  // namespace

TEST_CASE("apps: --help lists the common options and every model knob") {
  for (const char* app : {"tapegrad-iarm", "tapegrad-qin", "tapegrad-eain", "tapegrad-dumn", "tapegrad-baseline"}) {
    CAPTURE(app);
    auto r = run(fmt::format("{} --help", app));
    CHECK(r.status == 0);
    CHECK(r.out.find("--epochs") != std::string::npos);
    CHECK(r.out.find("--format") != std::string::npos);
    CHECK(r.out.find("knobs") != std::string::npos);
  }
  CHECK(run("tapegrad-iarm --help").out.find("--use_attention") != std::string::npos);
  CHECK(run("tapegrad-dumn --help").out.find("--triplet_sampling") != std::string::npos);
}

TEST_CASE("apps: a short run on the built-in data, then eval and predict from its directory") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("tapegrad-app-{}", ::getpid());
  auto r = run(fmt::format("tapegrad-iarm --epochs 1 --max-steps 3 --quiet --layers 1 --out {}", dir.string()));
  REQUIRE_MESSAGE(r.status == 0, r.out);
  auto j = last_json_line(r.out);
  CHECK(j["model"] == "iarm");
  CHECK(j["split"] == "test");
  CHECK(j["auc"].get<double>() > 0.5);
  CHECK(j["steps"] == 3);
  CHECK(j.contains("logloss"));
  CHECK(j.contains("examples"));
  CHECK(j.contains("seconds"));
  for (const char* f : {"run.json", "model.safetensors", "last.safetensors", "metrics.jsonl", "curves.svg"})
    CHECK_MESSAGE(std::filesystem::exists(dir / f), f);
  auto e = run(fmt::format("tapegrad-iarm eval --checkpoint {}", dir.string()));
  REQUIRE_MESSAGE(e.status == 0, e.out);
  auto je = last_json_line(e.out);
  CHECK(je["auc"].get<double>() == doctest::Approx(j["auc"].get<double>()).epsilon(1e-9));
  auto p = run(fmt::format("tapegrad-iarm predict --checkpoint {} --output {}", dir.string(), (dir / "p.txt").string()));
  REQUIRE_MESSAGE(p.status == 0, p.out);
  std::ifstream in(dir / "p.txt");
  int64_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  CHECK(lines == j["examples"].get<int64_t>());
  std::filesystem::remove_all(dir);
}

TEST_CASE("apps: --format taobao on synthetic raw Tianchi CSVs and on FuxiCTR given files") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("tapegrad-app-taobao-{}", ::getpid());
  const tg::data::SyntheticOptions o{.seed = 4, .rows = 3000, .users = 300, .items = 450, .teacher_file = false};
  tg::data::write_synthetic_taobao((dir / "raw").string(), o, tg::data::TaobaoFormat::Raw);
  auto r = run(fmt::format("tapegrad-iarm --format taobao --data {} --epochs 1 --max-steps 3 --quiet --layers 1 --out {}",
                          (dir / "raw").string(), (dir / "run").string()));
  REQUIRE_MESSAGE(r.status == 0, r.out);
  auto j = last_json_line(r.out);
  CHECK(j["examples"] == 300);  // the last 10% of 3,000 impressions in time order
  auto e = run(fmt::format("tapegrad-iarm eval --checkpoint {}", (dir / "run").string()));
  REQUIRE_MESSAGE(e.status == 0, e.out);
  CHECK(last_json_line(e.out)["auc"].get<double>() == doctest::Approx(j["auc"].get<double>()).epsilon(1e-9));

  // FuxiCTR's joined CSV cut into train.csv / valid.csv / test.csv (rows in time order).
  tg::data::write_synthetic_taobao((dir / "fuxi").string(), o, tg::data::TaobaoFormat::FuxiCTR);
  std::ifstream in(dir / "fuxi" / "taobao.csv");
  std::string header, line;
  std::getline(in, header);
  std::ofstream parts[3] = {std::ofstream(dir / "fuxi" / "train.csv"), std::ofstream(dir / "fuxi" / "valid.csv"),
                            std::ofstream(dir / "fuxi" / "test.csv")};
  for (auto& p : parts) p << header << '\n';
  for (int i = 0; std::getline(in, line); ++i) parts[i < 2400 ? 0 : i < 2700 ? 1 : 2] << line << '\n';
  for (auto& p : parts) p.close();
  auto f = run(fmt::format("tapegrad-baseline --model deepfm --format taobao --data {} --epochs 1 --max-steps 3 --quiet "
                          "--out {}", (dir / "fuxi").string(), (dir / "run-deepfm").string()));
  REQUIRE_MESSAGE(f.status == 0, f.out);
  CHECK(last_json_line(f.out)["examples"] == 300);
  auto bad = run(fmt::format("tapegrad-iarm --format taobao --data {}", (dir / "run").string()));
  CHECK(bad.status != 0);
  CHECK(bad.out.find("no raw_sample.csv, train.csv or train_sample.csv") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("apps: bad input gives a clear error and a non-zero exit") {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("tapegrad-app-bad-{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.txt") << "1\t2\n";
  auto r = run(fmt::format("tapegrad-baseline --model lr --format criteo --data {}", (dir / "bad.txt").string()));
  CHECK(r.status != 0);
  CHECK(r.out.find("bad.txt:1: expected 40 tab-separated fields") != std::string::npos);
  auto k = run("tapegrad-iarm --heads x");
  CHECK(k.status != 0);
  CHECK(k.out.find("heads") != std::string::npos);
  auto u = run("tapegrad-iarm --format parquet --data x");
  CHECK(u.status != 0);
  CHECK(u.out.find("unknown --format 'parquet'") != std::string::npos);
  std::filesystem::remove_all(dir);
}
