// Synthetic Criteo: the exact Kaggle format read back by a small parser, determinism, and the
// planted structure (teacher AUC; LR vs LR + the planted crosses, trained with tapegrad).
#include <doctest/doctest.h>

#include <cmath>

#include "data/synthetic/criteo_synthetic.h"
#include "tests/data/synthetic/synthetic_test_util.h"

using namespace tg;
using namespace tg::testing;

namespace {

struct CriteoRow {
  int label;
  std::vector<std::string> ints, cats;  // 13 and 26 fields, "" when empty
};

std::vector<CriteoRow> parse_criteo(const std::string& path) {
  const std::string text = slurp(path);
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  CHECK(text.find('\r') == std::string::npos);
  std::vector<CriteoRow> rows;
  for (auto line : lines_of(text)) {
    auto f = split(line, "\t");
    REQUIRE(f.size() == 40);
    REQUIRE((f[0] == "0" || f[0] == "1"));
    CriteoRow r{f[0] == "1" ? 1 : 0, {}, {}};
    for (int j = 1; j <= 13; ++j) {
      REQUIRE((f[j].empty() || is_int(f[j])));
      r.ints.emplace_back(f[j]);
    }
    for (int j = 14; j < 40; ++j) {
      REQUIRE((f[j].empty() || is_hex8(f[j])));
      r.cats.emplace_back(f[j]);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// The log-square bucketing of the Criteo winners (and FuxiCTR) for the integer fields.
std::string int_bucket(const std::string& s) {
  if (s.empty()) return "e";
  const int64_t v = to_int(s);
  if (v <= 2) return std::to_string(v);
  return std::to_string(static_cast<int64_t>(std::floor(std::log(static_cast<double>(v)) * std::log(static_cast<double>(v)))));
}

Design criteo_design(const std::vector<CriteoRow>& rows, bool crosses) {
  Design d;
  for (const auto& r : rows) {
    std::vector<std::string> f;
    for (int j = 0; j < 13; ++j) f.push_back(fmt::format("I{}={}", j + 1, int_bucket(r.ints[static_cast<size_t>(j)])));
    for (int j = 0; j < 26; ++j) f.push_back(fmt::format("C{}={}", j + 1, r.cats[static_cast<size_t>(j)]));
    if (crosses) {
      auto c = [&](int field) { return r.cats[static_cast<size_t>(field)]; };
      for (auto& p : data::kCriteoPairFields) f.push_back(fmt::format("P{}={}|{}", p[0], c(p[0]), c(p[1])));
      const auto& t = data::kCriteoTripleFields;
      f.push_back(fmt::format("T={}|{}|{}", c(t[0]), c(t[1]), c(t[2])));
      f.push_back(fmt::format("S={}|{}", c(data::kCriteoInterestFields[0]), c(data::kCriteoInterestFields[1])));
    }
    d.rows.push_back(std::move(f));
    d.labels.push_back(static_cast<float>(r.label));
  }
  return d;
}

}  // namespace

TEST_CASE("synthetic criteo: the Kaggle TSV format, empty fields at the stated rates") {
  TempDir dir;
  auto report = data::write_synthetic_criteo(dir.str(), {.seed = 3, .rows = 6000, .users = 1000, .items = 500});
  CHECK(report.rows == 6000);
  CHECK(report.files == std::vector<std::string>{dir / "train.txt", dir / "teacher.tsv"});
  auto rows = parse_criteo(dir / "train.txt");
  REQUIRE(rows.size() == 6000);
  auto empty_rate = [&](bool is_int, int j) {
    double e = 0;
    for (const auto& r : rows) e += (is_int ? r.ints : r.cats)[static_cast<size_t>(j)].empty();
    return e / static_cast<double>(rows.size());
  };
  CHECK(empty_rate(true, 0) == doctest::Approx(0.45).epsilon(0.1));   // I1
  CHECK(empty_rate(true, 1) == 0.0);                                   // I2
  CHECK(empty_rate(true, 11) == doctest::Approx(0.77).epsilon(0.06));  // I12
  CHECK(empty_rate(false, 21) == doctest::Approx(0.76).epsilon(0.06)); // C22
  CHECK(empty_rate(false, 5) == doctest::Approx(0.12).epsilon(0.25));  // C6
  CHECK(empty_rate(false, 0) == 0.0);                                  // C1
  // C19, C20, C25, C26 are empty together.
  int64_t together = 0, any = 0;
  for (const auto& r : rows) {
    const bool e19 = r.cats[18].empty(), all = e19 && r.cats[19].empty() && r.cats[24].empty() && r.cats[25].empty();
    any += e19 || r.cats[19].empty() || r.cats[24].empty() || r.cats[25].empty();
    together += all;
  }
  CHECK(together == any);
  CHECK(static_cast<double>(together) / 6000 == doctest::Approx(0.44).epsilon(0.08));
  // I2 takes negative values, the other integers do not.
  bool negative_i2 = false, negative_other = false;
  for (const auto& r : rows)
    for (int j = 0; j < 13; ++j)
      if (!r.ints[static_cast<size_t>(j)].empty() && to_int(r.ints[static_cast<size_t>(j)]) < 0)
        (j == 1 ? negative_i2 : negative_other) = true;
  CHECK(negative_i2);
  CHECK_FALSE(negative_other);
  // Distinct values of small fields: C9 has 2, C20 3, C4 (the user taste) 8.
  auto distinct = [&](int j) {
    std::set<std::string> s;
    for (const auto& r : rows)
      if (!r.cats[static_cast<size_t>(j)].empty()) s.insert(r.cats[static_cast<size_t>(j)]);
    return s.size();
  };
  CHECK(distinct(8) == 2);
  CHECK(distinct(19) == 3);
  CHECK(distinct(3) == 8);
  CHECK(distinct(2) > 500);  // C3, the user id
  // The teacher file: one line per example, its labels those of the data.
  auto t = read_teacher(dir / "teacher.tsv");
  REQUIRE(t.label.size() == rows.size());
  for (size_t r = 0; r < rows.size(); ++r) REQUIRE(t.label[r] == rows[r].label);
}

TEST_CASE("synthetic criteo: same seed gives identical bytes, another seed other bytes") {
  TempDir a, b, c;
  data::SyntheticOptions o{.seed = 5, .rows = 20000, .users = 300, .items = 200};
  data::write_synthetic_criteo(a.str(), o);
  data::write_synthetic_criteo(b.str(), o);
  o.seed = 6;
  data::write_synthetic_criteo(c.str(), o);
  CHECK(slurp(a / "train.txt") == slurp(b / "train.txt"));
  CHECK(slurp(a / "teacher.tsv") == slurp(b / "teacher.tsv"));
  CHECK(slurp(a / "train.txt") != slurp(c / "train.txt"));
  // Without the teacher file only train.txt is written.
  TempDir d;
  auto report = data::write_synthetic_criteo(d.str(), {.seed = 5, .rows = 10, .teacher_file = false});
  CHECK(report.files == std::vector<std::string>{d / "train.txt"});
  CHECK_FALSE(std::filesystem::exists(d / "teacher.tsv"));
}

TEST_CASE("synthetic criteo: the planted interactions separate LR from a model with crosses") {
  TempDir dir;
  auto report = data::write_synthetic_criteo(dir.str(), {.seed = 1, .rows = 6000, .users = 1000, .items = 500});
  auto rows = parse_criteo(dir / "train.txt");
  auto t = read_teacher(dir / "teacher.tsv");
  std::vector<float> p(t.probability.begin() + 4000, t.probability.end()), y;
  for (size_t r = 4000; r < rows.size(); ++r) y.push_back(static_cast<float>(rows[r].label));
  const double teacher = data::auc(p, y);
  const double lr = one_hot_lr_auc(criteo_design(rows, false), 4000);
  const double cross = one_hot_lr_auc(criteo_design(rows, true), 4000);
  MESSAGE(fmt::format("criteo: positive rate {:.3f}, teacher AUC {:.4f} (all rows {:.4f}), LR {:.4f}, LR + crosses {:.4f}",
                      report.positive_rate, teacher, report.teacher_auc, lr, cross));
  CHECK(report.positive_rate == doctest::Approx(0.26).epsilon(0.2));
  CHECK(teacher > 0.83);
  CHECK(cross > lr + 0.03);
  CHECK(teacher > cross);
}
