// Taobao readers (data/taobao/taobao.h): the real FuxiCTR and DMR samples of ../shared/data
// (row counts and known values from their READMEs; skipped when absent), the raw Tianchi CSVs
// on a hand-made folder (exact sequences) and on synthetic files, and bad lines naming the
// file, the line and the field.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/synthetic/taobao_synthetic.h"
#include "data/taobao/taobao.h"
#include "../fixture.h"

using namespace tg;
using namespace tg::data;
using tg::testing::TempDir;

namespace {

double clicks(const Dataset& d) { return std::accumulate(d.labels.begin(), d.labels.end(), 0.0); }

// Row r of a sequence column: its T ids, oldest first (left-padded with 0).
std::vector<int32_t> seq_row(const Dataset& d, const char* name, int64_t r) {
  const Column& c = d.column(name);
  const auto from = c.ids.begin() + r * c.width;
  return {from, from + c.width};
}

int64_t nonzero(const std::vector<int32_t>& v) { return std::count_if(v.begin(), v.end(), [](int32_t x) { return x != 0; }); }

bool present(const std::string& dir, const char* file) {
  if (std::filesystem::exists(dir + "/" + file)) return true;
  MESSAGE("skipped: " << dir << " is not present");
  return false;
}

}  // namespace

TEST_CASE("Taobao FuxiCTR: the real tiny_csv, splits given as files, vocabularies from the train file") {
  const std::string dir = tg::testing::shared_data("taobao-display-ad-fuxictr-tiny");
  if (!present(dir, "train_sample.csv")) return;
  auto s = read_taobao_fuxictr(dir + "/train_sample.csv", dir + "/valid_sample.csv", dir + "/test_sample.csv");
  // README: 100 rows per file, 4 clicks in train; valid and test are byte-identical.
  CHECK(s.train.rows() == 100);
  CHECK(s.valid.rows() == 100);
  CHECK(s.test.rows() == 100);
  CHECK(s.report.samples == 300);
  CHECK(clicks(s.train) == 4);
  CHECK(s.valid.labels == s.test.labels);
  CHECK(s.valid.column("adgroup_id").ids == s.test.column("adgroup_id").ids);
  // 24 users and 94 adgroups in train (+ padding and OOV); click sequences share adgroup_id.
  const auto& v = s.train.vocabularies;
  CHECK(v.at("userid").size() == 26);
  CHECK(v.at("adgroup_id").size() == 96);
  CHECK(!s.train.vocabularies.by_field.contains("click_sequence"));
  // 5 valid rows show an adgroup the train file does not have: OOV, not a new id.
  const auto& va = s.valid.column("adgroup_id").ids;
  CHECK(std::count(va.begin(), va.end(), Vocabulary::kOOV) == 5);
  // Row 0: user 874257, adgroup 172298, pid 430548_1007, 2017-05-06 00:00:00 (a Saturday),
  // pvalue_level empty (OOV), click_sequence 170301^573514 (two adgroups of train rows 67, 87).
  CHECK(s.train.column("userid").ids[0] == v.at("userid").id("874257"));
  CHECK(s.train.column("adgroup_id").ids[0] == v.at("adgroup_id").id("172298"));
  CHECK(s.train.column("pid").ids[0] == v.at("pid").id("430548_1007"));
  CHECK(s.train.column("hour").ids[0] == v.at("hour").id("0"));
  CHECK(s.train.column("weekday").ids[0] == v.at("weekday").id("5"));
  CHECK(s.train.column("pvalue_level").ids[0] == Vocabulary::kOOV);
  const auto seq = seq_row(s.train, "click_sequence", 0);
  REQUIRE(seq.size() == 50);
  CHECK(nonzero(seq) == 2);
  CHECK(seq[48] == v.at("adgroup_id").id("170301"));
  CHECK(seq[49] == v.at("adgroup_id").id("573514"));
  CHECK(seq[49] == s.train.column("adgroup_id").ids[87]);
  CHECK(nonzero(seq_row(s.valid, "click_sequence", 0)) == 0);  // empty in valid_sample.csv
  s.train.validate();
  s.valid.validate();
}

TEST_CASE("Taobao DMR: the real PaddleRec and DeepCTR samples (with and without the header line)") {
  const std::string dir = tg::testing::shared_data("taobao-display-ad-dmr-sample");
  if (!present(dir, "alimama_sampled_train.txt")) return;
  const TaobaoDmrOptions all{.read = {.split = {.mode = SplitOptions::Mode::None}}};
  // README: 500 rows, no header, 210 clicks.
  auto p = read_taobao_dmr(dir + "/alimama_sampled_train.txt", all);
  CHECK(p.lines == 500);
  CHECK(p.train.rows() == 500);
  CHECK(clicks(p.train) == 210);
  // Row 0: uid 1000043, adgroup 328301, cate 6410, pid 1; 50 pv behaviours, no like.
  const auto& v = p.train.vocabularies;
  CHECK(p.train.column("userid").ids[0] == v.at("userid").id("1000043"));
  CHECK(p.train.column("adgroup_id").ids[0] == v.at("adgroup_id").id("328301"));
  CHECK(p.train.column("cate_id").ids[0] == v.at("cate_id").id("6410"));
  CHECK(p.train.column("pid").ids[0] == v.at("pid").id("1"));
  CHECK(p.train.column("price").values[0] == doctest::Approx(0.98971260954681));
  const auto btag = seq_row(p.train, "history_btag", 0);
  CHECK(nonzero(btag) == 50);
  CHECK(std::all_of(btag.begin(), btag.end(), [&](int32_t x) { return x == v.at("history_btag").id("1"); }));
  CHECK(nonzero(seq_row(p.train, "like_cate", 0)) == 0);
  p.train.validate();

  // README: DeepCTR's header line + 99 rows, 2 clicks. Row 0: uid 1000017; 6 likes (fav / buy)
  // of categories 5510, 5510, 6512, 6952, 6952, 6952, most recent last.
  auto d = read_taobao_dmr(dir + "/alimama_sample.txt", all);
  CHECK(d.train.rows() == 99);
  CHECK(clicks(d.train) == 2);
  const auto& dv = d.train.vocabularies;
  CHECK(d.train.column("userid").ids[0] == dv.at("userid").id("1000017"));
  const auto like = seq_row(d.train, "like_cate", 0);
  CHECK(nonzero(like) == 6);
  CHECK(like[44] == dv.at("cate_id").id("5510"));
  CHECK(like[46] == dv.at("cate_id").id("6512"));
  CHECK(like[49] == dv.at("cate_id").id("6952"));
  CHECK(nonzero(seq_row(d.train, "history_cate", 0)) == 50);

  // The default 80/10/10 ratio split keeps every row once; train-only vocabularies.
  auto r = read_taobao_dmr(dir + "/alimama_sampled_train.txt");
  CHECK(r.train.rows() == 400);
  CHECK(r.valid.rows() == 50);
  CHECK(r.test.rows() == 50);
  CHECK(clicks(r.train) + clicks(r.valid) + clicks(r.test) == 210);
}

namespace {

// A raw folder small enough to check every sequence by hand: user 7 sees ads 100 (clicked,
// t=1000), 101 (not clicked, t=2000), 100 again (t=3000); user 8 sees ad 102 (t=1500), which
// has no ad_feature line. User 7 put category 9 in the cart at t=1500 and faved brand 50 at
// t=2500; pv events are not likes.
void write_raw(const TempDir& d) {
  d.write("raw_sample.csv",
          "user,time_stamp,adgroup_id,pid,nonclk,clk\n7,1000,100,430548_1007,0,1\n7,2000,101,430539_1007,1,0\n"
          "8,1500,102,430548_1007,1,0\n7,3000,100,430548_1007,1,0\n");
  d.write("ad_feature.csv", "adgroup_id,cate_id,campaign_id,customer,brand,price\n100,9,1,1,50,10.5\n101,9,2,1,NULL,3\n");
  d.write("user_profile.csv",
          "userid,cms_segid,cms_group_id,final_gender_code,age_level,pvalue_level,shopping_level,occupation,"
          "new_user_class_level \n7,0,3,2,3,,3,0,\n");
  d.write("behavior_log.csv", "user,time_stamp,btag,cate,brand\n7,1500,cart,9,NULL\n7,2500,fav,9,50\n7,2600,pv,9,50\n");
}

}  // namespace

TEST_CASE("Taobao raw: the four CSVs joined, sequences strictly before each impression") {
  TempDir d("taobao-raw");
  write_raw(d);
  // All four impressions in train (test_from after the last one), so every key has an id.
  auto s = read_taobao_raw(d.str(), {.sequence_length = 4, .test_from = 10000});
  CHECK(s.train.rows() == 4);
  CHECK(s.test.rows() == 0);
  CHECK(s.report.samples == 4);
  CHECK(s.report.samples_without_profile == 1);  // user 8
  CHECK(s.report.samples_without_ad == 1);       // ad 102
  CHECK(s.report.behaviors == 3);
  CHECK(s.report.like_behaviors == 2);
  const auto& v = s.train.vocabularies;
  const int32_t ad100 = v.at("adgroup_id").id("100"), ad101 = v.at("adgroup_id").id("101");
  // Rows in time order: (7, 1000), (8, 1500), (7, 2000), (7, 3000).
  CHECK(s.train.labels == std::vector<float>{1, 0, 0, 0});
  CHECK(seq_row(s.train, "click", 0) == std::vector<int32_t>{0, 0, 0, 0});
  CHECK(seq_row(s.train, "click", 2) == std::vector<int32_t>{0, 0, 0, ad100});
  CHECK(seq_row(s.train, "unclick", 3) == std::vector<int32_t>{0, 0, 0, ad101});
  CHECK(seq_row(s.train, "like_cate", 2) == std::vector<int32_t>{0, 0, 0, v.at("cate_id").id("9")});
  CHECK(seq_row(s.train, "like_brand", 3) == std::vector<int32_t>{0, 0, Vocabulary::kOOV, v.at("brand").id("50")});
  CHECK(s.train.column("cate_id").ids[1] == Vocabulary::kOOV);       // ad 102 has no features
  CHECK(s.train.column("pvalue_level").ids[0] == Vocabulary::kOOV);  // empty profile field
  CHECK(s.train.column("brand").ids[2] == Vocabulary::kOOV);         // brand NULL
  s.train.validate();

  // Bad lines name the file, the line and the field.
  d.write("raw_sample.csv", "user,time_stamp,adgroup_id,pid,nonclk,clk\n7,1000,100,430548_1007,0,1\n7,x,101,p,1,0\n");
  CHECK_THROWS_WITH_AS(read_taobao_raw(d.str()), doctest::Contains("raw_sample.csv:3: field 'time_stamp'"), Error);
  auto skipped = read_taobao_raw(d.str(), {.skip_bad_lines = true});
  CHECK(skipped.report.skipped == 1);
  CHECK(skipped.report.samples == 1);
  d.write("ad_feature.csv", "adgroup,cate_id,campaign_id,customer,brand,price\n");
  CHECK_THROWS_WITH_AS(read_taobao_raw(d.str()), doctest::Contains("ad_feature.csv:1:"), Error);
}

TEST_CASE("Taobao raw and FuxiCTR: the synthetic files read back, every impression once") {
  const SyntheticOptions o{.seed = 2, .rows = 3000, .users = 300, .items = 450};
  TempDir raw("taobao-syn-raw"), fuxi("taobao-syn-fuxi");
  auto rr = write_synthetic_taobao(raw.str(), o, TaobaoFormat::Raw);
  auto s = read_taobao_raw(raw.str());
  CHECK(s.report.samples == 3000);
  CHECK(s.report.skipped == 0);
  CHECK(s.train.rows() == 2400);
  CHECK(s.valid.rows() == 300);
  CHECK(s.test.rows() == 300);
  CHECK(clicks(s.train) + clicks(s.valid) + clicks(s.test) == doctest::Approx(rr.positive_rate * 3000));
  CHECK(s.report.like_behaviors > 0);
  s.test.validate();

  // The FuxiCTR CSV cut into three given files (time order: first 80% train).
  write_synthetic_taobao(fuxi.str(), o, TaobaoFormat::FuxiCTR);
  std::ifstream in(fuxi.file("taobao.csv"));
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  REQUIRE(lines.size() == 3000);
  for (auto [name, from, to] : {std::tuple{"train.csv", 0, 2400}, {"valid.csv", 2400, 2700}, {"test.csv", 2700, 3000}}) {
    std::string text = header + "\n";
    for (int i = from; i < to; ++i) text += lines[static_cast<size_t>(i)] + "\n";
    fuxi.write(name, text);
  }
  auto f = read_taobao_fuxictr(fuxi.file("train.csv"), fuxi.file("valid.csv"), fuxi.file("test.csv"));
  CHECK(f.train.rows() == 2400);
  CHECK(f.valid.rows() == 300);
  CHECK(f.test.rows() == 300);
  CHECK(clicks(f.train) + clicks(f.valid) + clicks(f.test) == doctest::Approx(rr.positive_rate * 3000));
  f.test.validate();
  // A bad line in a given file names that file.
  fuxi.write("test.csv", header + "\n" + "2," + lines[0].substr(2) + "\n");
  CHECK_THROWS_WITH_AS(read_taobao_fuxictr(fuxi.file("train.csv"), "", fuxi.file("test.csv")),
                       doctest::Contains("test.csv:2: field 'clk'"), Error);
}
