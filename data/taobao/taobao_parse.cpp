#include "data/taobao/taobao_parse.h"

#include <limits>

#include "core/error.h"
#include "data/movielens/text_fields.h"

namespace tg::data {

namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

// Splits on ',' into at most N views (no allocation); returns the true field count.
template <size_t N>
size_t split_commas(std::string_view line, std::array<std::string_view, N>& out) {
  size_t count = 0, start = 0;
  while (true) {
    const size_t d = line.find(',', start);
    if (count < N) out[count] = line.substr(start, d == std::string_view::npos ? std::string_view::npos : d - start);
    ++count;
    if (d == std::string_view::npos) return count;
    start = d + 1;
  }
}

void expect_columns(size_t got, size_t want) { check(got == want, "expected {} comma-separated fields, got {}", want, got); }

// An id field given as text: a non-negative integer (kept as written).
std::string_view id_text(std::string_view text, const char* field) {
  parse_field_int(text, field, 0, kMaxInt);
  return text;
}
// An optional id: "" or "NULL" -> "" (missing), else a non-negative integer.
std::string_view optional_id(std::string_view text, const char* field) {
  if (text.empty() || text == "NULL") return {};
  return id_text(text, field);
}
int32_t flag(std::string_view text, const char* field) {
  check(text == "0" || text == "1", "field '{}': expected 0 or 1, got '{}'", field, text.substr(0, 40));
  return text == "1" ? 1 : 0;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

void check_taobao_header(std::string_view line, std::string_view expected) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
  check(line == expected, "expected the header '{}', got '{}'", expected, line.substr(0, 200));
}

TaobaoSampleLine parse_taobao_raw_sample_line(std::string_view line) {
  std::array<std::string_view, 6> f;
  expect_columns(split_commas(line, f), 6);
  TaobaoSampleLine s;
  s.user = parse_field_int(f[0], "user", 0, kMaxInt);
  s.time_stamp = parse_field_int(f[1], "time_stamp", 0, kMaxInt);
  s.adgroup_id = parse_field_int(f[2], "adgroup_id", 0, kMaxInt);
  check(!f[3].empty(), "field 'pid': empty");
  s.pid = f[3];
  const int32_t nonclk = flag(f[4], "nonclk");
  s.clk = flag(f[5], "clk");
  check(nonclk + s.clk == 1, "field 'clk': nonclk {} and clk {} must be one 1 and one 0", nonclk, s.clk);
  return s;
}

TaobaoAdLine parse_taobao_ad_feature_line(std::string_view line) {
  std::array<std::string_view, 6> f;
  expect_columns(split_commas(line, f), 6);
  TaobaoAdLine a;
  a.adgroup_id = parse_field_int(f[0], "adgroup_id", 0, kMaxInt);
  a.cate_id = id_text(f[1], "cate_id");
  a.campaign_id = id_text(f[2], "campaign_id");
  a.customer = id_text(f[3], "customer");
  a.brand = optional_id(f[4], "brand");
  a.price = parse_field_double(f[5], "price");
  check(a.price >= 0, "field 'price': {} is negative", a.price);
  return a;
}

TaobaoUserLine parse_taobao_user_profile_line(std::string_view line) {
  std::array<std::string_view, 9> f;
  expect_columns(split_commas(line, f), 9);
  TaobaoUserLine u;
  u.user = parse_field_int(f[0], "userid", 0, kMaxInt);
  for (size_t k = 0; k < 8; ++k) {
    std::string_view v = f[k + 1];
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    if (!v.empty()) parse_field_int(v, kTaobaoProfileFields[k], 0, kMaxInt);
    u.profile[k] = v;
  }
  return u;
}

TaobaoBehaviorLine parse_taobao_behavior_log_line(std::string_view line) {
  std::array<std::string_view, 5> f;
  expect_columns(split_commas(line, f), 5);
  TaobaoBehaviorLine b;
  b.user = parse_field_int(f[0], "user", 0, kMaxInt);
  b.time_stamp = parse_field_int(f[1], "time_stamp", 0, kMaxInt);
  const std::string_view tag = f[2];
  b.btag = tag == "pv"     ? TaobaoBehavior::Pv
           : tag == "cart" ? TaobaoBehavior::Cart
           : tag == "fav"  ? TaobaoBehavior::Fav
           : tag == "buy"  ? TaobaoBehavior::Buy
                           : TaobaoBehavior::None;
  check(b.btag != TaobaoBehavior::None, "field 'btag': expected pv, cart, fav or buy, got '{}'", tag.substr(0, 40));
  b.cate = optional_id(f[3], "cate");
  b.brand = optional_id(f[4], "brand");
  return b;
}

bool is_taobao_dmr_header(std::string_view line) { return line.starts_with("cont_btag,"); }

void parse_taobao_dmr_line(std::string_view line, TaobaoDmrLine& out) {
  std::array<std::string_view, kTaobaoDmrColumns> f;
  expect_columns(split_commas(line, f), kTaobaoDmrColumns);
  constexpr size_t H = kTaobaoDmrHistory;
  for (size_t j = 0; j < H; ++j) {
    const auto tag = parse_field_int(f[j], "btag", 0, 4);
    out.btag[j] = static_cast<TaobaoBehavior>(tag);
    out.his_cate[j] = id_text(f[H + j], "his_cate");
    out.his_brand[j] = id_text(f[2 * H + j], "his_brand");
    const int32_t present = flag(f[3 * H + j], "mask");
    flag(f[4 * H + j], "match_mask");
    check(present == (tag != 0 ? 1 : 0), "field 'mask': position {} has mask {} but btag {}", j, present, tag);
  }
  const size_t base = 5 * H;
  out.user[0] = id_text(f[base], "uid");
  for (size_t k = 0; k < 8; ++k) out.user[k + 1] = id_text(f[base + 1 + k], kTaobaoProfileFields[k].data());
  out.adgroup_id = id_text(f[base + 9], "mid");
  out.cate_id = id_text(f[base + 10], "cate_id");
  out.campaign_id = id_text(f[base + 11], "campaign_id");
  out.customer = id_text(f[base + 12], "customer");
  out.brand = id_text(f[base + 13], "brand");
  out.price = parse_field_double(f[base + 14], "price");
  out.price_text = f[base + 14];
  out.pid = id_text(f[base + 15], "pid");
  out.clk = flag(f[base + 16], "target");
}

void parse_taobao_fuxictr_line(std::string_view line, TaobaoFuxiLine& out) {
  std::array<std::string_view, kTaobaoFuxiColumns> f;
  expect_columns(split_commas(line, f), kTaobaoFuxiColumns);
  out.clk = flag(f[0], "clk");
  // "YYYY-MM-DD HH:MM:SS"
  const std::string_view t = f[1];
  check(t.size() == 19 && t[4] == '-' && t[7] == '-' && t[10] == ' ' && t[13] == ':' && t[16] == ':',
        "field 'time_stamp': expected 'YYYY-MM-DD HH:MM:SS', got '{}'", t.substr(0, 40));
  const int64_t year = parse_field_int(t.substr(0, 4), "time_stamp", 1970, 9999);
  const int64_t month = parse_field_int(t.substr(5, 2), "time_stamp", 1, 12);
  const int64_t day = parse_field_int(t.substr(8, 2), "time_stamp", 1, 31);
  out.hour = static_cast<int32_t>(parse_field_int(t.substr(11, 2), "time_stamp", 0, 23));
  parse_field_int(t.substr(14, 2), "time_stamp", 0, 59);
  parse_field_int(t.substr(17, 2), "time_stamp", 0, 60);
  out.weekday = static_cast<int32_t>((days_from_civil(year, month, day) % 7 + 7 + 3) % 7);  // 1970-01-01: Thursday
  out.time_stamp = t;
  out.userid = id_text(f[2], "userid");
  out.adgroup_id = id_text(f[3], "adgroup_id");
  check(!f[4].empty(), "field 'pid': empty");
  out.pid = f[4];
  out.cate_id = optional_id(f[5], "cate_id");
  out.campaign_id = optional_id(f[6], "campaign_id");
  out.customer = optional_id(f[7], "customer");
  out.brand = optional_id(f[8], "brand");
  if (!f[9].empty()) parse_field_double(f[9], "price");
  out.price = f[9];
  for (size_t k = 0; k < 8; ++k) out.profile[k] = optional_id(f[10 + k], kTaobaoProfileFields[k].data());
  const std::string_view seq = f[18];
  size_t start = 0;
  while (start < seq.size()) {  // every element an id
    size_t hat = seq.find('^', start);
    if (hat == std::string_view::npos) hat = seq.size();
    id_text(seq.substr(start, hat - start), "click_sequence");
    start = hat + 1;
  }
  out.click_sequence = seq;
}

}  // namespace tg::data
