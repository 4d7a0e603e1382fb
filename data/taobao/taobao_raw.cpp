// The four raw Tianchi CSVs joined into samples with click / unclick / like sequences
// (data/taobao/taobao.h). Profiles and ads are read into hash maps, impressions and the
// like behaviours of sample users into flat arrays; the sequences are built per sample
// from each user's time-ordered events (strictly before the sample's time).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <unordered_map>

#include "core/error.h"
#include "data/encoder.h"
#include "data/movielens/text_fields.h"
#include "data/taobao/taobao.h"
#include "data/taobao/taobao_parse.h"

namespace tg::data {

namespace {

constexpr std::string_view kSampleHeader = "user,time_stamp,adgroup_id,pid,nonclk,clk";
constexpr std::string_view kAdHeader = "adgroup_id,cate_id,campaign_id,customer,brand,price";
constexpr std::string_view kUserHeader =
    "userid,cms_segid,cms_group_id,final_gender_code,age_level,pvalue_level,shopping_level,occupation,"
    "new_user_class_level";
constexpr std::string_view kBehaviorHeader = "user,time_stamp,btag,cate,brand";

constexpr int64_t kMissing = -1;

struct Ad {
  int64_t cate = 0, campaign = 0, customer = 0, brand = kMissing;
  double price = 0;
};
struct Sample {
  int64_t user = 0, time = 0, adgroup = 0;
  int32_t pid = 0;  // index into the interned pid strings
  int32_t clk = 0;
};
struct Like {
  int64_t time = 0, cate = kMissing, brand = kMissing;
  int32_t user = 0;  // dense user index
};
struct Impression {
  int64_t time = 0;
  int32_t adgroup_id = 0;  // vocabulary id
  int32_t clk = 0;
};
struct LikeEvent {
  int64_t time = 0;
  int32_t brand_id = 0, cate_id = 0;  // vocabulary ids
};

// An integer as a vocabulary key, formatted into a small buffer (no allocation).
class IntKey {
 public:
  std::string_view operator()(int64_t v) {
    if (v == kMissing) return {};
    const auto r = std::to_chars(buf_, buf_ + sizeof buf_, v);
    return {buf_, static_cast<size_t>(r.ptr - buf_)};
  }

 private:
  char buf_[24];
};

int64_t optional_int(std::string_view text) {
  if (text.empty()) return kMissing;
  int64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);  // validated by the parser
  return v;
}

void check_header(const std::string& path, std::string_view expected) {
  try {
    check_taobao_header(first_line(path), expected);
  } catch (const Error& e) {
    fail("{}:1: {}", path, e.what());
  }
}

// The last `out.size()` events before t passing keep, as map(e), left-padded with 0.
template <class E, class Keep, class Map>
void write_recent_events(std::span<const E> events, int64_t t, Keep&& keep, Map&& map, std::span<int32_t> out) {
  const auto end = std::lower_bound(events.begin(), events.end(), t,
                                    [](const E& e, int64_t time) { return e.time < time; });
  auto slot = static_cast<int64_t>(out.size());
  for (auto it = std::make_reverse_iterator(end); it != events.rend() && slot > 0; ++it)
    if (keep(*it)) out[static_cast<size_t>(--slot)] = map(*it);
  for (int64_t k = 0; k < slot; ++k) out[static_cast<size_t>(k)] = 0;
}

// Groups items by a dense key into one array with offsets, each group sorted by time
// (stable: ties keep input order, i.e. file order).
template <class E>
struct Grouped {
  std::vector<int64_t> offsets;
  std::vector<E> events;
  std::span<const E> of(size_t key) const {
    return std::span<const E>(events).subspan(static_cast<size_t>(offsets[key]),
                                              static_cast<size_t>(offsets[key + 1] - offsets[key]));
  }
};
template <class E, class KeyOf>
Grouped<E> group_by(std::vector<E> items, size_t keys, KeyOf&& key_of) {
  Grouped<E> g;
  g.offsets.assign(keys + 1, 0);
  for (const auto& e : items) ++g.offsets[key_of(e) + 1];
  std::partial_sum(g.offsets.begin(), g.offsets.end(), g.offsets.begin());
  g.events.resize(items.size());
  std::vector<int64_t> fill(g.offsets.begin(), g.offsets.end() - 1);
  for (auto& e : items) g.events[static_cast<size_t>(fill[key_of(e)]++)] = e;
  for (size_t k = 0; k < keys; ++k)
    std::stable_sort(g.events.begin() + g.offsets[k], g.events.begin() + g.offsets[k + 1],
                     [](const E& a, const E& b) { return a.time < b.time; });
  return g;
}

}  // namespace

Schema taobao_raw_schema(const TaobaoRawOptions& o, bool with_likes) {
  check(o.sequence_length > 0, "taobao raw: sequence_length must be positive, got {}", o.sequence_length);
  Schema s;
  s.fields.push_back({.name = "clk", .kind = FieldKind::Label});
  s.fields.push_back({.name = "userid", .group = FieldGroup::User, .min_count = o.min_count});
  for (std::string_view f : kTaobaoProfileFields)
    s.fields.push_back({.name = std::string(f), .group = FieldGroup::User, .min_count = o.min_count});
  for (const char* f : {"adgroup_id", "cate_id", "campaign_id", "customer", "brand"})
    s.fields.push_back({.name = f, .group = FieldGroup::Item, .min_count = o.min_count});
  s.fields.push_back({.name = "price", .kind = FieldKind::Numerical, .group = FieldGroup::Item,
                      .min_count = o.min_count, .transform = NumericTransform::LogSquare});
  s.fields.push_back({.name = "pid", .group = FieldGroup::Context, .min_count = o.min_count});
  s.fields.push_back({.name = "hour", .group = FieldGroup::Context, .min_count = o.min_count});
  const int64_t T = o.sequence_length;
  for (const char* f : {"click", "unclick"})
    s.fields.push_back({.name = f, .kind = FieldKind::Sequence, .group = FieldGroup::User, .vocab_from = "adgroup_id",
                        .max_len = T, .item_attributes = {"cate_id", "brand"}});
  if (with_likes) {
    s.fields.push_back({.name = "like_brand", .kind = FieldKind::Sequence, .group = FieldGroup::User,
                        .vocab_from = "brand", .max_len = T});
    s.fields.push_back({.name = "like_cate", .kind = FieldKind::Sequence, .group = FieldGroup::User,
                        .vocab_from = "cate_id", .max_len = T});
  }
  return s;
}

TaobaoSplits read_taobao_raw(const std::string& dir, const TaobaoRawOptions& o) {
  check(o.train > 0 && o.valid >= 0 && o.train + o.valid <= 1.0 + 1e-12,
        "taobao raw: split fractions train {} and valid {} must be positive and sum to at most 1", o.train, o.valid);
  check(o.test_from >= 0 && o.valid_from >= 0 && (o.valid_from == 0 || o.valid_from <= o.test_from),
        "taobao raw: valid_from {} must be 0 or at most test_from {}", o.valid_from, o.test_from);
  const std::string user_path = dir + "/user_profile.csv", ad_path = dir + "/ad_feature.csv",
                    sample_path = dir + "/raw_sample.csv", behavior_path = dir + "/behavior_log.csv";
  const bool with_likes = o.behavior_log && std::filesystem::exists(behavior_path);
  const Schema schema = taobao_raw_schema(o, with_likes);
  TaobaoSplits out;
  BadLines bad{.skip = o.skip_bad_lines};

  // Profiles and ads.
  std::unordered_map<int64_t, std::array<int64_t, 8>> profiles;
  check_header(user_path, kUserHeader);
  for_each_data_line(user_path, 1, bad, [&](int64_t, std::string_view line) {
    const TaobaoUserLine u = parse_taobao_user_profile_line(line);
    std::array<int64_t, 8> p;
    for (size_t k = 0; k < 8; ++k) p[k] = optional_int(u.profile[k]);
    check(profiles.emplace(u.user, p).second, "field 'userid': user {} is defined twice", u.user);
  });
  std::unordered_map<int64_t, Ad> ads;
  check_header(ad_path, kAdHeader);
  for_each_data_line(ad_path, 1, bad, [&](int64_t, std::string_view line) {
    const TaobaoAdLine a = parse_taobao_ad_feature_line(line);
    const Ad ad{optional_int(a.cate_id), optional_int(a.campaign_id), optional_int(a.customer), optional_int(a.brand),
                a.price};
    check(ads.emplace(a.adgroup_id, ad).second, "field 'adgroup_id': adgroup {} is defined twice", a.adgroup_id);
  });

  // Impressions; users get dense indices in order of appearance.
  std::vector<Sample> samples;
  std::vector<std::string> pids;
  std::unordered_map<int64_t, int32_t> user_index;
  std::vector<int64_t> user_of;  // dense -> raw
  check_header(sample_path, kSampleHeader);
  for_each_data_line(sample_path, 1, bad, [&](int64_t, std::string_view line) {
    const TaobaoSampleLine s = parse_taobao_raw_sample_line(line);
    auto pid = std::find(pids.begin(), pids.end(), s.pid);
    if (pid == pids.end()) {
      check(pids.size() < 1000, "field 'pid': more than 1000 distinct values");
      pids.emplace_back(s.pid);
      pid = pids.end() - 1;
    }
    if (user_index.emplace(s.user, static_cast<int32_t>(user_of.size())).second) user_of.push_back(s.user);
    samples.push_back({s.user, s.time_stamp, s.adgroup_id, static_cast<int32_t>(pid - pids.begin()), s.clk});
  });
  check(!samples.empty(), "{}: every line was bad ({} skipped)", sample_path, bad.skipped);
  out.report.samples = static_cast<int64_t>(samples.size());

  // The cart / fav / buy behaviours of sample users (the rest of the log is not needed).
  std::vector<Like> likes;
  if (with_likes) {
    check_header(behavior_path, kBehaviorHeader);
    out.report.behaviors = for_each_data_line(behavior_path, 1, bad, [&](int64_t, std::string_view line) {
      const TaobaoBehaviorLine b = parse_taobao_behavior_log_line(line);
      if (!taobao_is_like(b.btag)) return;
      const auto u = user_index.find(b.user);
      if (u == user_index.end()) return;
      likes.push_back({b.time_stamp, optional_int(b.cate), optional_int(b.brand), u->second});
    });
    out.report.like_behaviors = static_cast<int64_t>(likes.size());
  }
  out.report.skipped = bad.skipped;
  out.report.skipped_examples = std::move(bad.examples);

  // Split: time order (time, row); by fractions or by the given boundaries.
  const size_t n = samples.size();
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return samples[static_cast<size_t>(a)].time < samples[static_cast<size_t>(b)].time;
  });
  std::vector<uint8_t> part(n);  // by position in `order`
  if (o.test_from > 0) {
    const int64_t valid_from = o.valid_from > 0 ? o.valid_from : o.test_from;
    for (size_t i = 0; i < n; ++i) {
      const int64_t t = samples[static_cast<size_t>(order[i])].time;
      part[i] = t < valid_from ? 0 : t < o.test_from ? 1 : 2;
    }
  } else {
    const auto n_train = static_cast<size_t>(std::floor(o.train * static_cast<double>(n) + 1e-9));
    const auto n_tv = static_cast<size_t>(std::floor((o.train + o.valid) * static_cast<double>(n) + 1e-9));
    for (size_t i = 0; i < n; ++i) part[i] = i < n_train ? 0 : i < n_tv ? 1 : 2;
  }

  // Vocabularies from the training samples: counts per user, per adgroup, per pid, per hour.
  auto hour_of = [](int64_t t) { return static_cast<int32_t>(((t + 8 * 3600) / 3600) % 24); };  // China time
  std::vector<int64_t> user_count(user_of.size(), 0), pid_count(pids.size(), 0), hour_count(24, 0);
  std::unordered_map<int64_t, int64_t> ad_count;
  for (size_t i = 0; i < n; ++i) {
    if (part[i] != 0) continue;
    const Sample& s = samples[static_cast<size_t>(order[i])];
    ++user_count[static_cast<size_t>(user_index.at(s.user))];
    ++pid_count[static_cast<size_t>(s.pid)];
    ++hour_count[static_cast<size_t>(hour_of(s.time))];
    ++ad_count[s.adgroup];
  }
  Vocabularies vocab;
  for (const auto& f : schema.fields)
    if (f.has_ids() && f.vocab_from.empty()) vocab.by_field.emplace(f.name, Vocabulary(o.min_count));
  auto field_vocab = [&](std::string_view name) -> Vocabulary& { return vocab.by_field.find(name)->second; };
  IntKey key;
  char price_buf[400];
  auto price_key = [&](double p) { return Encoder::log_square_key(p, std::span<char, 400>(price_buf)); };
  for (size_t u = 0; u < user_of.size(); ++u) {
    if (user_count[u] == 0) continue;
    field_vocab("userid").count(key(user_of[u]), user_count[u]);
    const auto p = profiles.find(user_of[u]);
    if (p == profiles.end()) continue;
    for (size_t k = 0; k < 8; ++k) field_vocab(kTaobaoProfileFields[k]).count(key(p->second[k]), user_count[u]);
  }
  for (const auto& [adgroup, c] : ad_count) {
    field_vocab("adgroup_id").count(key(adgroup), c);
    const auto a = ads.find(adgroup);
    if (a == ads.end()) continue;
    field_vocab("cate_id").count(key(a->second.cate), c);
    field_vocab("campaign_id").count(key(a->second.campaign), c);
    field_vocab("customer").count(key(a->second.customer), c);
    field_vocab("brand").count(key(a->second.brand), c);
    field_vocab("price").count(price_key(a->second.price), c);
  }
  for (size_t p = 0; p < pids.size(); ++p) field_vocab("pid").count(pids[p], pid_count[p]);
  for (int h = 0; h < 24; ++h) field_vocab("hour").count(key(h), hour_count[static_cast<size_t>(h)]);
  for (auto& [name, v] : vocab.by_field) v.finalize();
  const Vocabulary& v_ad = vocab.at("adgroup_id");
  const Vocabulary& v_cate = vocab.at("cate_id");
  const Vocabulary& v_brand = vocab.at("brand");

  // Ids of every user (userid + 8 profile fields) and every adgroup seen, once.
  constexpr size_t kUserCols = 9, kAdCols = 6;
  std::vector<int32_t> user_ids(user_of.size() * kUserCols, Vocabulary::kOOV);
  for (size_t u = 0; u < user_of.size(); ++u) {
    user_ids[u * kUserCols] = vocab.at("userid").id(key(user_of[u]));
    const auto p = profiles.find(user_of[u]);
    if (p == profiles.end()) continue;
    for (size_t k = 0; k < 8; ++k)
      user_ids[u * kUserCols + 1 + k] = vocab.at(kTaobaoProfileFields[k]).id(key(p->second[k]));
  }
  std::unordered_map<int64_t, std::array<int32_t, kAdCols>> ad_ids;  // adgroup, cate, campaign, customer, brand, price
  auto ad_ids_of = [&](int64_t adgroup) -> const std::array<int32_t, kAdCols>& {
    auto it = ad_ids.find(adgroup);
    if (it != ad_ids.end()) return it->second;
    std::array<int32_t, kAdCols> ids;
    ids.fill(Vocabulary::kOOV);
    ids[0] = v_ad.id(key(adgroup));
    const auto a = ads.find(adgroup);
    if (a != ads.end()) {
      ids[1] = v_cate.id(key(a->second.cate));
      ids[2] = vocab.at("campaign_id").id(key(a->second.campaign));
      ids[3] = vocab.at("customer").id(key(a->second.customer));
      ids[4] = v_brand.id(key(a->second.brand));
      ids[5] = vocab.at("price").id(price_key(a->second.price));
    }
    return ad_ids.emplace(adgroup, ids).first->second;
  };

  // The item table of adgroup_id: cate_id and brand of every kept adgroup key.
  ItemTable items{.key_field = "adgroup_id"};
  {
    Column cate{.name = "cate_id", .kind = FieldKind::Categorical, .width = 1};
    Column brand{.name = "brand", .kind = FieldKind::Categorical, .width = 1};
    cate.ids.assign(static_cast<size_t>(v_ad.size()), 0);
    brand.ids.assign(static_cast<size_t>(v_ad.size()), 0);
    for (size_t k = 0; k < v_ad.keys().size(); ++k) {
      const auto& ids = ad_ids_of(optional_int(v_ad.keys()[k]));
      cate.ids[k + 2] = ids[1];
      brand.ids[k + 2] = ids[4];
    }
    items.attributes.emplace("cate_id", std::move(cate));
    items.attributes.emplace("brand", std::move(brand));
  }

  // Per-user time-ordered impressions and likes.
  struct KeyedImpression {
    int64_t time;
    int32_t user;  // dense index
    Impression e;
  };
  std::vector<KeyedImpression> ki(n);
  for (size_t i = 0; i < n; ++i)
    ki[i] = {samples[i].time, user_index.at(samples[i].user),
             {samples[i].time, ad_ids_of(samples[i].adgroup)[0], samples[i].clk}};
  const auto by_user =
      group_by(std::move(ki), user_of.size(), [](const KeyedImpression& k) { return static_cast<size_t>(k.user); });
  struct KeyedLike {
    int64_t time;
    int32_t user;
    LikeEvent e;
  };
  std::vector<KeyedLike> kl(likes.size());
  for (size_t i = 0; i < likes.size(); ++i)
    kl[i] = {likes[i].time, likes[i].user,
             {likes[i].time, v_brand.id(key(likes[i].brand)), v_cate.id(key(likes[i].cate))}};
  const auto likes_by_user = group_by(std::move(kl), user_of.size(), [](const KeyedLike& k) { return static_cast<size_t>(k.user); });

  std::vector<int32_t> pid_ids(pids.size()), hour_ids(24);
  for (size_t p = 0; p < pids.size(); ++p) pid_ids[p] = vocab.at("pid").id(pids[p]);
  for (int h = 0; h < 24; ++h) hour_ids[static_cast<size_t>(h)] = vocab.at("hour").id(key(h));

  // Datasets.
  size_t rows_of[3] = {0, 0, 0};
  for (size_t i = 0; i < n; ++i) ++rows_of[part[i]];
  Dataset* dst[3] = {&out.train, &out.valid, &out.test};
  for (int p = 0; p < 3; ++p) {
    Dataset& d = *dst[p];
    d.schema = schema;
    d.vocabularies = vocab;
    d.item_tables.emplace("adgroup_id", items);
    d.allocate_id_columns(rows_of[p]);
  }
  // Column positions: 9 user, 6 ad (price included), pid, hour, click, unclick, [like_brand, like_cate].
  constexpr size_t cPid = 15, cHour = 16, cClick = 17, cUnclick = 18, cLikeBrand = 19, cLikeCate = 20;
  const auto T = static_cast<size_t>(o.sequence_length);
  size_t next_row[3] = {0, 0, 0};
  for (size_t i = 0; i < n; ++i) {
    const Sample& s = samples[static_cast<size_t>(order[i])];
    Dataset& d = *dst[part[i]];
    const size_t row = next_row[part[i]]++;
    d.labels.push_back(static_cast<float>(s.clk));
    const size_t u = static_cast<size_t>(user_index.at(s.user));
    for (size_t k = 0; k < kUserCols; ++k) d.columns[k].ids[row] = user_ids[u * kUserCols + k];
    const auto& a = ad_ids_of(s.adgroup);
    for (size_t k = 0; k < kAdCols; ++k) d.columns[kUserCols + k].ids[row] = a[k];
    out.report.samples_without_profile += !profiles.contains(s.user);
    out.report.samples_without_ad += !ads.contains(s.adgroup);
    d.columns[cPid].ids[row] = pid_ids[static_cast<size_t>(s.pid)];
    d.columns[cHour].ids[row] = hour_ids[static_cast<size_t>(hour_of(s.time))];
    auto seq = [&](size_t c) { return std::span<int32_t>(d.columns[c].ids).subspan(row * T, T); };
    const auto events = by_user.of(u);
    const auto id = [](const KeyedImpression& k) { return k.e.adgroup_id; };
    write_recent_events(events, s.time, [](const KeyedImpression& k) { return k.e.clk == 1; }, id, seq(cClick));
    write_recent_events(events, s.time, [](const KeyedImpression& k) { return k.e.clk == 0; }, id, seq(cUnclick));
    if (with_likes) {
      const auto l = likes_by_user.of(u);
      const auto all = [](const KeyedLike&) { return true; };
      write_recent_events(l, s.time, all, [](const KeyedLike& k) { return k.e.brand_id; }, seq(cLikeBrand));
      write_recent_events(l, s.time, all, [](const KeyedLike& k) { return k.e.cate_id; }, seq(cLikeCate));
    }
  }
  return out;
}

}  // namespace tg::data
