// Synthetic Avazu: the exact Kaggle CSV read back by a small parser, determinism, and the
// planted structure (teacher AUC; LR vs LR + the planted crosses, trained with tapegrad).
#include <doctest/doctest.h>

#include "data/synthetic/avazu_synthetic.h"
#include "tests/data/synthetic/synthetic_test_util.h"

using namespace tg;
using namespace tg::testing;

namespace {

const char* kHeader =
    "id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,"
    "device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21";

using AvazuRow = std::vector<std::string>;  // the 24 columns

std::vector<AvazuRow> parse_avazu(const std::string& path) {
  const std::string text = slurp(path);
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  auto lines = lines_of(text);
  REQUIRE(lines.at(0) == kHeader);
  std::vector<AvazuRow> rows;
  std::string last_hour;
  for (size_t l = 1; l < lines.size(); ++l) {
    auto f = split(lines[l], ",");
    REQUIRE(f.size() == 24);
    // id: 1..20 digits, no sign, no leading zero
    REQUIRE((!f[0].empty() && f[0].size() <= 20 && f[0][0] != '0' &&
             std::all_of(f[0].begin(), f[0].end(), [](char c) { return c >= '0' && c <= '9'; })));
    REQUIRE((f[1] == "0" || f[1] == "1"));
    // hour YYMMDDHH within 14102100 .. 14103023, non-decreasing
    REQUIRE(f[2].size() == 8);
    REQUIRE(f[2].substr(0, 4) == "1410");
    const int64_t day = to_int(f[2].substr(4, 2)), hour = to_int(f[2].substr(6, 2));
    REQUIRE((day >= 21 && day <= 30 && hour >= 0 && hour <= 23));
    REQUIRE(std::string(f[2]) >= last_hour);
    last_hour = std::string(f[2]);
    for (int j : {3, 4, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}) REQUIRE(is_int(f[static_cast<size_t>(j)]));
    for (int j = 5; j <= 13; ++j) REQUIRE(is_hex8(f[static_cast<size_t>(j)]));
    rows.emplace_back(f.begin(), f.end());
  }
  return rows;
}

Design avazu_design(const std::vector<AvazuRow>& rows, bool crosses) {
  Design d;
  for (const auto& r : rows) {
    std::vector<std::string> f;
    const int hod = static_cast<int>(to_int(r[2].substr(6, 2)));
    const int day = static_cast<int>(to_int(r[2].substr(4, 2)));
    f.push_back(fmt::format("hod={}", hod));
    f.push_back(fmt::format("wd={}", (day - 20) % 7));  // 2014-10-20 was a Monday
    for (int j = 3; j < 24; ++j) f.push_back(fmt::format("{}={}", j, r[static_cast<size_t>(j)]));
    if (crosses) {
      const std::string& category = r[5] == "85f751fd" ? r[10] : r[7];  // app traffic: the app's category
      f.push_back(fmt::format("P={}|{}", hod / 4, category));
      f.push_back(fmt::format("T={}|{}|{}", r[4], r[15], r[20]));
    }
    d.rows.push_back(std::move(f));
    d.labels.push_back(r[1] == "1" ? 1.0f : 0.0f);
  }
  return d;
}

}  // namespace

TEST_CASE("synthetic avazu: the Kaggle CSV format, header, hours, site/app defaults") {
  TempDir dir;
  auto report = data::write_synthetic_avazu(dir.str(), {.seed = 2, .rows = 5000, .users = 1500, .items = 300});
  CHECK(report.files == std::vector<std::string>{dir / "train.csv", dir / "teacher.tsv"});
  auto rows = parse_avazu(dir / "train.csv");
  REQUIRE(rows.size() == 5000);
  CHECK(rows.front()[2] == "14102100");
  CHECK(rows.back()[2] == "14103023");
  int64_t app = 0, anonymous = 0, c20_missing = 0;
  std::set<std::string> ids;
  for (const auto& r : rows) {
    const bool is_app = r[5] == "85f751fd";
    if (is_app) {
      CHECK(r[6] == "c4e18dd6");
      CHECK(r[7] == "50e219e0");
      CHECK(r[8] != "ecad2386");
    } else {
      CHECK(r[8] == "ecad2386");
      CHECK(r[9] == "7801e8d9");
      CHECK(r[10] == "07d7df22");
    }
    app += is_app;
    anonymous += r[11] == "a99f214a";
    c20_missing += r[22] == "-1";
    ids.insert(r[0]);
    // C15 x C16 is one of the real banner sizes.
    const std::string size = r[17] + "x" + r[18];
    CHECK(std::set<std::string>{"320x50", "300x250", "216x36", "728x90", "120x20", "1024x768", "480x320", "768x1024"}
              .count(size) == 1);
  }
  CHECK(ids.size() == rows.size());
  CHECK(static_cast<double>(app) / 5000 == doctest::Approx(0.3).epsilon(0.5));
  CHECK(static_cast<double>(anonymous) / 5000 == doctest::Approx(0.8).epsilon(0.15));
  CHECK(c20_missing > 0);
  auto t = read_teacher(dir / "teacher.tsv");
  REQUIRE(t.label.size() == rows.size());
  for (size_t r = 0; r < rows.size(); ++r) REQUIRE(t.label[r] == (rows[r][1] == "1" ? 1 : 0));
}

TEST_CASE("synthetic avazu: same seed gives identical bytes, another seed other bytes") {
  TempDir a, b, c;
  data::SyntheticOptions o{.seed = 9, .rows = 20000, .users = 500, .items = 100};
  data::write_synthetic_avazu(a.str(), o);
  data::write_synthetic_avazu(b.str(), o);
  o.seed = 10;
  data::write_synthetic_avazu(c.str(), o);
  CHECK(slurp(a / "train.csv") == slurp(b / "train.csv"));
  CHECK(slurp(a / "teacher.tsv") == slurp(b / "teacher.tsv"));
  CHECK(slurp(a / "train.csv") != slurp(c / "train.csv"));
}

TEST_CASE("synthetic avazu: the planted interactions separate LR from a model with crosses") {
  TempDir dir;
  auto report = data::write_synthetic_avazu(dir.str(), {.seed = 1, .rows = 6000, .users = 1500, .items = 300});
  auto rows = parse_avazu(dir / "train.csv");
  // Rows are in time order: shuffle them (seeded) so that train and test cover every hour.
  Generator gen(4);
  auto t = read_teacher(dir / "teacher.tsv");
  std::vector<size_t> order(rows.size());
  for (size_t r = 0; r < order.size(); ++r) order[r] = r;
  for (size_t r = order.size() - 1; r > 0; --r) std::swap(order[r], order[static_cast<size_t>(gen.next_below(static_cast<int64_t>(r) + 1))]);
  std::vector<AvazuRow> shuffled;
  std::vector<float> p, y;
  for (size_t k = 0; k < order.size(); ++k) {
    shuffled.push_back(rows[order[k]]);
    if (k >= 4000) p.push_back(t.probability[order[k]]), y.push_back(rows[order[k]][1] == "1" ? 1.0f : 0.0f);
  }
  const double teacher = data::auc(p, y);
  const double lr = one_hot_lr_auc(avazu_design(shuffled, false), 4000);
  const double cross = one_hot_lr_auc(avazu_design(shuffled, true), 4000);
  MESSAGE(fmt::format("avazu: positive rate {:.3f}, teacher AUC {:.4f} (all rows {:.4f}), LR {:.4f}, LR + crosses {:.4f}",
                      report.positive_rate, teacher, report.teacher_auc, lr, cross));
  CHECK(teacher > 0.8);
  CHECK(cross > lr + 0.03);
  CHECK(teacher > cross);
}
