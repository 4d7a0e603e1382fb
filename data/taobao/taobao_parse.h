#pragma once
// Line parsers of the Taobao / Alibaba display-ad click data (Tianchi dataset 56), in the
// three forms that exist: the four raw CSVs as published, the DMR preprocessing (267
// columns) and FuxiCTR's joined "tiny_csv". One line (no '\n') in, its fields out; string
// fields are views into the line. Bad input throws tg::Error naming the field; the readers
// prefix the file and line. Plain functions, so they can be fuzzed.
//
// Raw CSVs (comma-separated, a header line, no quoting):
//   raw_sample.csv    user,time_stamp,adgroup_id,pid,nonclk,clk      (nonclk = 1 - clk)
//   ad_feature.csv    adgroup_id,cate_id,campaign_id,customer,brand,price   (brand may be "NULL")
//   user_profile.csv  userid,cms_segid,cms_group_id,final_gender_code,age_level,
//                     pvalue_level,shopping_level,occupation,new_user_class_level
//                     (the published header ends with a space; profile fields may be empty)
//   behavior_log.csv  user,time_stamp,btag,cate,brand      btag in pv, cart, fav, buy
// DMR preprocessing (alimama_sampled.txt; no header, or DeepCTR's header line):
//   50 btag (1 = pv, 2 = cart, 3 = fav, 4 = buy, 0 = padding), 50 history cate ids,
//   50 history brand ids, 50 mask, 50 second mask (DeepCTR calls it match_mask), then uid,
//   cms_segid, cms_group_id, final_gender_code, age_level, pvalue_level, shopping_level,
//   occupation, new_user_class_level, mid (adgroup), cate_id, campaign_id, customer, brand,
//   price (normalised), pid, target (0/1). Histories are LEFT-padded; an element is present
//   where its btag is not 0, and the first mask must agree. The second mask is checked to
//   be 0/1 and not used (its meaning differs between sources).
// FuxiCTR tiny_csv (header line):
//   clk,time_stamp,userid,adgroup_id,pid,cate_id,campaign_id,customer,brand,price,
//   cms_segid,cms_group_id,final_gender_code,age_level,pvalue_level,shopping_level,
//   occupation,new_user_class_level,click_sequence
//   time_stamp "YYYY-MM-DD HH:MM:SS"; click_sequence '^'-separated adgroup ids, may be empty.
#include <array>
#include <cstdint>
#include <string_view>

namespace tg::data {

// The user-profile fields after the user id, in the published order.
inline constexpr std::array<std::string_view, 8> kTaobaoProfileFields = {
    "cms_segid", "cms_group_id", "final_gender_code", "age_level", "pvalue_level", "shopping_level", "occupation",
    "new_user_class_level"};

enum class TaobaoBehavior : uint8_t { None = 0, Pv = 1, Cart = 2, Fav = 3, Buy = 4 };
inline bool taobao_is_like(TaobaoBehavior b) {
  return b == TaobaoBehavior::Cart || b == TaobaoBehavior::Fav || b == TaobaoBehavior::Buy;
}

struct TaobaoSampleLine {  // raw_sample.csv
  int64_t user = 0, time_stamp = 0, adgroup_id = 0;
  std::string_view pid = {};
  int32_t clk = 0;
};
struct TaobaoAdLine {  // ad_feature.csv
  int64_t adgroup_id = 0;
  std::string_view cate_id = {}, campaign_id = {}, customer = {}, brand = {};  // brand "" when NULL
  double price = 0;
};
struct TaobaoUserLine {  // user_profile.csv
  int64_t user = 0;
  std::array<std::string_view, 8> profile = {};  // kTaobaoProfileFields; "" when empty
};
struct TaobaoBehaviorLine {  // behavior_log.csv
  int64_t user = 0, time_stamp = 0;
  TaobaoBehavior btag = TaobaoBehavior::None;
  std::string_view cate = {}, brand = {};  // "" when NULL
};

inline constexpr int kTaobaoDmrHistory = 50;
inline constexpr int kTaobaoDmrColumns = 5 * kTaobaoDmrHistory + 17;  // 267
struct TaobaoDmrLine {
  std::array<TaobaoBehavior, kTaobaoDmrHistory> btag = {};
  std::array<std::string_view, kTaobaoDmrHistory> his_cate = {}, his_brand = {};
  std::array<std::string_view, 9> user = {};  // uid, then kTaobaoProfileFields
  std::string_view adgroup_id = {}, cate_id = {}, campaign_id = {}, customer = {}, brand = {}, pid = {};
  double price = 0;
  std::string_view price_text = {};
  int32_t clk = 0;
};

inline constexpr int kTaobaoFuxiColumns = 19;
struct TaobaoFuxiLine {
  int32_t clk = 0;
  std::string_view time_stamp = {};
  int32_t hour = 0, weekday = 0;  // from time_stamp (weekday 0 = Monday)
  std::string_view userid = {}, adgroup_id = {}, pid = {}, cate_id = {}, campaign_id = {}, customer = {}, brand = {};
  std::string_view price = {};    // a number, or "" (missing)
  std::array<std::string_view, 8> profile = {};  // kTaobaoProfileFields
  std::string_view click_sequence = {};
};

TaobaoSampleLine parse_taobao_raw_sample_line(std::string_view line);
TaobaoAdLine parse_taobao_ad_feature_line(std::string_view line);
TaobaoUserLine parse_taobao_user_profile_line(std::string_view line);
TaobaoBehaviorLine parse_taobao_behavior_log_line(std::string_view line);
// True for a DeepCTR-style header line ("cont_btag,..."), which the DMR reader skips.
bool is_taobao_dmr_header(std::string_view line);
void parse_taobao_dmr_line(std::string_view line, TaobaoDmrLine& out);
void parse_taobao_fuxictr_line(std::string_view line, TaobaoFuxiLine& out);

// Checks a raw CSV header line against the published column names (a trailing space or
// '\r' after the last name is tolerated, as in the published user_profile.csv).
void check_taobao_header(std::string_view line, std::string_view expected);

}  // namespace tg::data
