// Synthetic Taobao: the FuxiCTR CSV, the DMR rows and the four raw Tianchi CSVs read back by a
// small parser, the three formats holding the same impressions, determinism, and the planted
// structure (teacher AUC; LR vs LR + the planted crosses; likes predict better than views).
#include <doctest/doctest.h>

#include <map>

#include "data/synthetic/taobao_synthetic.h"
#include "tests/data/synthetic/synthetic_test_util.h"

using namespace tg;
using namespace tg::testing;

namespace {

const char* kFuxiHeader =
    "clk,time_stamp,userid,adgroup_id,pid,cate_id,campaign_id,customer,brand,price,cms_segid,cms_group_id,"
    "final_gender_code,age_level,pvalue_level,shopping_level,occupation,new_user_class_level,click_sequence";

using Row = std::vector<std::string>;

std::vector<Row> parse_lines(const std::string& text, std::string_view sep, size_t columns, bool header_line,
                             std::string_view header = {}) {
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  CHECK(text.find('\r') == std::string::npos);
  auto lines = lines_of(text);
  size_t first = 0;
  if (header_line) {
    REQUIRE(lines.at(0) == header);
    first = 1;
  }
  std::vector<Row> rows;
  for (size_t l = first; l < lines.size(); ++l) {
    auto f = split(lines[l], sep);
    REQUIRE(f.size() == columns);
    rows.emplace_back(f.begin(), f.end());
  }
  return rows;
}

bool is_price(const std::string& s) {  // one decimal: "189.0"
  const size_t dot = s.find('.');
  return dot != std::string::npos && dot + 2 == s.size() && is_int(s.substr(0, dot)) &&
         std::isdigit(static_cast<unsigned char>(s.back()));
}

// "YYYY-MM-DD HH:MM:SS" within the impression week.
bool is_datetime(const std::string& s) {
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return false;
  return s.substr(0, 8) == "2017-05-" && s.substr(8, 2) >= "06" && s.substr(8, 2) <= "13";
}

std::vector<Row> parse_fuxi(const TempDir& dir) {
  const std::string text = slurp(dir / "taobao.csv");
  auto rows = parse_lines(text, ",", 19, true, kFuxiHeader);
  std::string last;
  for (const auto& r : rows) {
    REQUIRE((r[0] == "0" || r[0] == "1"));
    REQUIRE(is_datetime(r[1]));
    REQUIRE(r[1] >= last);
    last = r[1];
    for (int j : {2, 3, 5, 6, 7}) REQUIRE(is_int(r[static_cast<size_t>(j)]));
    REQUIRE((r[4] == "430548_1007" || r[4] == "430539_1007"));
    REQUIRE((r[8].empty() || is_int(r[8])));
    REQUIRE(is_price(r[9]));
    // A profile is all there or all empty, except pvalue_level / new_user_class_level.
    const bool present = !r[10].empty();
    for (int j = 10; j <= 17; ++j) {
      if (j == 14 || j == 17) REQUIRE((r[static_cast<size_t>(j)].empty() || is_int(r[static_cast<size_t>(j)])));
      else REQUIRE((present ? is_int(r[static_cast<size_t>(j)]) : r[static_cast<size_t>(j)].empty()));
    }
    if (present) {
      REQUIRE((r[12] == "1" || r[12] == "2"));
      REQUIRE((to_int(r[13]) >= 0 && to_int(r[13]) <= 6));
      REQUIRE((to_int(r[15]) >= 1 && to_int(r[15]) <= 3));
    }
    if (!r[18].empty()) {
      auto seq = split(r[18], "^");
      REQUIRE(seq.size() <= 50);
      for (auto x : seq) REQUIRE(is_int(x));
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("synthetic taobao FuxiCTR: the joined CSV with header, times, profiles, click sequences") {
  TempDir dir;
  auto report = data::write_synthetic_taobao(dir.str(), {.seed = 3, .rows = 4000, .users = 400, .items = 600});
  CHECK(report.files == std::vector<std::string>{dir / "taobao.csv", dir / "teacher.tsv"});
  auto rows = parse_fuxi(dir);
  REQUIRE(rows.size() == 4000);
  // click_sequence: exactly the user's earlier clicked adgroups (the rows are in time order).
  std::map<std::string, std::vector<std::string>> clicks;
  int64_t brand_empty = 0, no_profile = 0, with_sequence = 0;
  for (const auto& r : rows) {
    auto& mine = clicks[r[2]];
    std::string expect;
    for (size_t c = mine.size() > 50 ? mine.size() - 50 : 0; c < mine.size(); ++c) expect += (expect.empty() ? "" : "^") + mine[c];
    CHECK(r[18] == expect);
    if (r[0] == "1") mine.push_back(r[3]);
    brand_empty += r[8].empty();
    no_profile += r[10].empty();
    with_sequence += !r[18].empty();
  }
  CHECK(with_sequence > 1000);
  CHECK(brand_empty > 0);
  CHECK(no_profile > 0);
  CHECK(static_cast<double>(no_profile) / 4000 < 0.15);
  auto t = read_teacher(dir / "teacher.tsv");
  REQUIRE(t.label.size() == rows.size());
  for (size_t r = 0; r < rows.size(); ++r) REQUIRE(t.label[r] == (rows[r][0] == "1" ? 1 : 0));
}

TEST_CASE("synthetic taobao DMR and raw: the formats, and the same impressions in all three") {
  TempDir fuxi, dmr, raw;
  const data::SyntheticOptions o{.seed = 3, .rows = 3000, .users = 300, .items = 500};
  data::write_synthetic_taobao(fuxi.str(), o, data::TaobaoFormat::FuxiCTR);
  auto rd = data::write_synthetic_taobao(dmr.str(), o, data::TaobaoFormat::DMR);
  auto rr = data::write_synthetic_taobao(raw.str(), o, data::TaobaoFormat::Raw);
  CHECK(rd.files == std::vector<std::string>{dmr / "alimama_sampled.txt", dmr / "teacher.tsv"});
  CHECK(rr.files == std::vector<std::string>{raw / "raw_sample.csv", raw / "ad_feature.csv", raw / "user_profile.csv",
                                             raw / "behavior_log.csv", raw / "teacher.tsv"});
  auto f = parse_fuxi(fuxi);
  // DMR: 267 columns, left padding, btag 1..4 exactly where mask is 1, match_mask = mask.
  const std::string dmr_text = slurp(dmr / "alimama_sampled.txt");
  auto d = parse_lines(dmr_text, ",", 267, false);
  REQUIRE(d.size() == f.size());
  int64_t padded = 0;
  for (const auto& r : d) {
    bool seen_valid = false;
    for (int j = 0; j < 50; ++j) {
      const std::string& mask = r[static_cast<size_t>(150 + j)];
      REQUIRE((mask == "0" || mask == "1"));
      REQUIRE(r[static_cast<size_t>(200 + j)] == mask);
      if (mask == "1") {
        seen_valid = true;
        const int64_t btag = to_int(r[static_cast<size_t>(j)]);
        REQUIRE((btag >= 1 && btag <= 4));
        REQUIRE(to_int(r[static_cast<size_t>(50 + j)]) > 0);
        REQUIRE(is_int(r[static_cast<size_t>(100 + j)]));
      } else {
        REQUIRE(!seen_valid);  // padding only on the left
        REQUIRE((r[static_cast<size_t>(j)] == "0" && r[static_cast<size_t>(50 + j)] == "0" && r[static_cast<size_t>(100 + j)] == "0"));
        ++padded;
      }
    }
    for (int j = 250; j < 264; ++j) REQUIRE(is_int(r[static_cast<size_t>(j)]));
    const double price = std::stod(r[264]);
    REQUIRE((price > 0.93 && price <= 1.0));
    REQUIRE((r[265] == "0" || r[265] == "1"));
    REQUIRE((r[266] == "0" || r[266] == "1"));
  }
  CHECK(padded > 0);
  // Raw: headers, nonclk = 1 - clk, btag names, NULL brands, one profile per user at most.
  const std::string raw_sample = slurp(raw / "raw_sample.csv"), ads = slurp(raw / "ad_feature.csv"),
                    profiles = slurp(raw / "user_profile.csv"), behaviours = slurp(raw / "behavior_log.csv");
  auto s = parse_lines(raw_sample, ",", 6, true, "user,time_stamp,adgroup_id,pid,nonclk,clk");
  auto a = parse_lines(ads, ",", 6, true, "adgroup_id,cate_id,campaign_id,customer,brand,price");
  auto p = parse_lines(profiles, ",", 9, true,
                       "userid,cms_segid,cms_group_id,final_gender_code,age_level,pvalue_level,shopping_level,"
                       "occupation,new_user_class_level ");
  auto b = parse_lines(behaviours, ",", 5, true, "user,time_stamp,btag,cate,brand");
  REQUIRE(s.size() == f.size());
  CHECK(a.size() == 500);
  std::set<std::string> ad_ids, user_ids;
  int64_t null_brands = 0;
  for (const auto& r : a) {
    ad_ids.insert(r[0]);
    REQUIRE((r[4] == "NULL" || is_int(r[4])));
    null_brands += r[4] == "NULL";
    REQUIRE(is_price(r[5]));
  }
  CHECK(ad_ids.size() == 500);
  CHECK(null_brands > 0);
  for (const auto& r : p) user_ids.insert(r[0]);
  CHECK(user_ids.size() == p.size());
  CHECK(p.size() < 300);
  std::set<std::string> btags;
  for (const auto& r : b) {
    btags.insert(r[2]);
    REQUIRE((r[4] == "NULL" || is_int(r[4])));
    REQUIRE(is_int(r[1]));
  }
  CHECK(btags == std::set<std::string>{"buy", "cart", "fav", "pv"});
  // The same impressions, in the same order, in the three formats.
  for (size_t k = 0; k < f.size(); ++k) {
    REQUIRE(s[k][0] == f[k][2]);  // user
    REQUIRE(s[k][2] == f[k][3]);  // adgroup
    REQUIRE(s[k][3] == f[k][4]);  // pid
    REQUIRE(s[k][5] == f[k][0]);  // clk
    REQUIRE(s[k][4] == (f[k][0] == "1" ? "0" : "1"));
    REQUIRE(d[k][250] == f[k][2]);
    REQUIRE(d[k][259] == f[k][3]);
    REQUIRE(d[k][265] == (f[k][4] == "430548_1007" ? "0" : "1"));
    REQUIRE(d[k][266] == f[k][0]);
  }
  CHECK(slurp(dmr / "teacher.tsv") == slurp(raw / "teacher.tsv"));
}

TEST_CASE("synthetic taobao: same seed gives identical bytes, another seed other bytes") {
  for (auto format : {data::TaobaoFormat::FuxiCTR, data::TaobaoFormat::DMR, data::TaobaoFormat::Raw}) {
    TempDir a, b, c;
    data::SyntheticOptions o{.seed = 8, .rows = 1500, .users = 100, .items = 200};
    auto ra = data::write_synthetic_taobao(a.str(), o, format);
    data::write_synthetic_taobao(b.str(), o, format);
    o.seed = 9;
    data::write_synthetic_taobao(c.str(), o, format);
    for (const auto& path : ra.files) {
      const std::string name = std::filesystem::path(path).filename().string();
      CHECK(slurp(a / name) == slurp(b / name));
    }
    const std::string main = std::filesystem::path(ra.files[0]).filename().string();
    CHECK(slurp(a / main) != slurp(c / main));
  }
}

TEST_CASE("synthetic taobao: planted interactions, and likes predict better than views") {
  TempDir dir, raw;
  const data::SyntheticOptions o{.seed = 1, .rows = 8000, .users = 1000, .items = 1500};
  auto report = data::write_synthetic_taobao(dir.str(), o);
  auto rows = parse_fuxi(dir);
  auto t = read_teacher(dir / "teacher.tsv");
  auto bucket = [](const std::string& price) {
    const double v = std::stod(price);
    return v < 10 ? 0 : v < 50 ? 1 : v < 200 ? 2 : v < 1000 ? 3 : 4;
  };
  // A seeded shuffle, 5,500 rows to train and the rest to test.
  Generator gen(12);
  std::vector<size_t> order(rows.size());
  for (size_t r = 0; r < order.size(); ++r) order[r] = r;
  for (size_t r = order.size() - 1; r > 0; --r) std::swap(order[r], order[static_cast<size_t>(gen.next_below(static_cast<int64_t>(r) + 1))]);
  Design lr, cross;
  std::vector<float> p_test, y_test;
  for (size_t k = 0; k < order.size(); ++k) {
    const Row& r = rows[order[k]];
    std::vector<std::string> f;
    for (int j : {2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17}) f.push_back(fmt::format("{}={}", j, r[static_cast<size_t>(j)]));
    f.push_back(fmt::format("price={}", bucket(r[9])));
    lr.rows.push_back(f);
    f.push_back(fmt::format("P={}|{}", r[13], bucket(r[9])));
    f.push_back(fmt::format("T={}|{}|{}", r[12], r[4], r[15]));
    cross.rows.push_back(f);
    const float y = r[0] == "1" ? 1.0f : 0.0f;
    lr.labels.push_back(y), cross.labels.push_back(y);
    if (k >= 5500) p_test.push_back(t.probability[order[k]]), y_test.push_back(y);
  }
  const double teacher = data::auc(p_test, y_test);
  const double auc_lr = one_hot_lr_auc(lr, 5500), auc_cross = one_hot_lr_auc(cross, 5500);

  // Likes vs views from the raw files: per impression, the share of the user's last 5 liked
  // (cart/fav/buy) behaviours before it in the target's category, and the same over pv.
  data::write_synthetic_taobao(raw.str(), o, data::TaobaoFormat::Raw);
  const std::string samples_text = slurp(raw / "raw_sample.csv"), ads_text = slurp(raw / "ad_feature.csv"),
                    log_text = slurp(raw / "behavior_log.csv");
  auto samples = parse_lines(samples_text, ",", 6, true, "user,time_stamp,adgroup_id,pid,nonclk,clk");
  auto ads = parse_lines(ads_text, ",", 6, true, "adgroup_id,cate_id,campaign_id,customer,brand,price");
  auto log = parse_lines(log_text, ",", 5, true, "user,time_stamp,btag,cate,brand");
  std::map<std::string, std::string> cate_of;
  for (const auto& a : ads) cate_of[a[0]] = a[1];
  std::map<std::string, std::vector<std::pair<int64_t, std::pair<bool, std::string>>>> by_user;  // (ts, (liked, cate))
  for (const auto& e : log) by_user[e[0]].push_back({to_int(e[1]), {e[2] != "pv", e[3]}});
  std::vector<float> like_score, view_score, labels;
  for (const auto& s : samples) {
    const int64_t ts = to_int(s[1]);
    const std::string& cate = cate_of.at(s[2]);
    std::vector<const std::string*> liked, viewed;
    for (const auto& e : by_user[s[0]])
      if (e.first < ts) (e.second.first ? liked : viewed).push_back(&e.second.second);
    auto share = [&](const std::vector<const std::string*>& h) {
      if (h.empty()) return 0.0f;
      size_t from = h.size() > 5 ? h.size() - 5 : 0, same = 0;
      for (size_t i = from; i < h.size(); ++i) same += *h[i] == cate;
      return static_cast<float>(same) / static_cast<float>(h.size() - from);
    };
    like_score.push_back(share(liked));
    view_score.push_back(share(viewed));
    labels.push_back(s[5] == "1" ? 1.0f : 0.0f);
  }
  const double auc_like = data::auc(like_score, labels), auc_view = data::auc(view_score, labels);
  MESSAGE(fmt::format("taobao: click rate {:.3f}, teacher AUC {:.4f} (all {:.4f}), LR {:.4f}, LR + crosses {:.4f}; "
                      "category match with liked behaviours {:.4f}, with pv behaviours {:.4f}",
                      report.positive_rate, teacher, report.teacher_auc, auc_lr, auc_cross, auc_like, auc_view));
  CHECK(teacher > 0.8);
  CHECK(auc_cross > auc_lr + 0.03);
  CHECK(teacher > auc_cross);
  CHECK(auc_like > auc_view + 0.01);
}
