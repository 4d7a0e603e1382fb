#include "data/synthetic/taobao_synthetic.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"
#include "data/synthetic/synthetic_common.h"

namespace tg::data {

namespace {

using synth::Rng;

constexpr int K = 4;
constexpr int kHistory = 50;                      // DMR's history length; FuxiCTR's click sequence cap
constexpr int kLikedWindow = 5;
constexpr int64_t kBehaviourStart = 1492819200;   // 2017-04-22 00:00:00 UTC
constexpr int64_t kImpressionStart = 1494028800;  // 2017-05-06 00:00:00 UTC
constexpr int64_t kImpressionEnd = 1494720000;    // 2017-05-14 00:00:00 UTC
constexpr double kBrowseNoise = 0.35;             // share of taste-free (popularity) browsing
constexpr double kTargeted = 0.5;                 // share of impressions targeted by interest
const char* const kPid[2] = {"430548_1007", "430539_1007"};
const char* const kBtag[5] = {"", "pv", "cart", "fav", "buy"};

// Raw ids: bijective affine maps into the real data's id ranges (m prime, not dividing the
// modulus), so distinct hidden indices give distinct ids.
int64_t user_id(int64_t u) { return 1 + (u * 7919 + 17) % 1140001; }
int64_t adgroup_id(int64_t i) { return 1 + (i * 104729 + 5) % 846811; }
int64_t cate_id(int64_t c) { return 1 + (c * 331 + 7) % 12960; }
int64_t brand_id(int64_t b) { return 1 + (b * 977 + 3) % 461497; }
int64_t campaign_id(int64_t c) { return 1 + (c * 2203 + 1) % 423436; }
int64_t customer_id(int64_t c) { return 1 + (c * 1009 + 2) % 255875; }

int price_bucket(double price) { return price < 10 ? 0 : price < 50 ? 1 : price < 200 ? 2 : price < 1000 ? 3 : 4; }

struct Profile {
  bool present;
  int segid, group, gender, age, pvalue, shopping, occupation, new_user;  // pvalue/new_user 0 = empty
};

struct World {
  int64_t users, ads, categories, brands, customers;
  std::vector<double> cat_vec, ad_vec, user_vec;
  std::vector<int32_t> ad_cate, ad_brand;  // brand -1: missing
  std::vector<double> price;
  std::vector<std::vector<int32_t>> ads_of;  // per category, in index order
  std::vector<synth::Alias> within;          // per category: Zipf(1.0) over ads_of
  synth::Alias popular_cat, popular_ad;
  std::vector<Profile> profile;
  std::vector<int32_t> count;
  std::vector<double> m_pid, m_cate, m_ad, pair, t_gender, t_pid, t_shop;
  double max_log_price = 0;
};

// States of the planted tables: age 0..6 and 7 = no profile; gender 0 (1), 1 (2), 2 = no
// profile; shopping 0..2 (levels 1..3), 3 = no profile.
int age_state(const Profile& p) { return p.present ? p.age : 7; }
int gender_state(const Profile& p) { return p.present ? p.gender - 1 : 2; }
int shop_state(const Profile& p) { return p.present ? p.shopping - 1 : 3; }

World make_world(const SyntheticOptions& o) {
  World w;
  w.users = o.users, w.ads = o.items;
  w.categories = std::max<int64_t>(8, o.items / 30);
  w.brands = std::max<int64_t>(4, o.items / 6);
  w.customers = std::max<int64_t>(1, o.items / 5);
  Rng rng(o.seed, synth::kWorldStream);
  w.cat_vec.resize(static_cast<size_t>(w.categories * K));
  for (double& x : w.cat_vec) x = 0.5 * rng.normal();
  w.popular_cat = synth::Alias(synth::zipf_weights(w.categories, 0.8));
  w.ads_of.resize(static_cast<size_t>(w.categories));
  for (int64_t i = 0; i < w.ads; ++i) {
    const int64_t c = w.popular_cat.sample(rng);
    w.ad_cate.push_back(static_cast<int32_t>(c));
    w.ads_of[static_cast<size_t>(c)].push_back(static_cast<int32_t>(i));
    for (int j = 0; j < K; ++j) w.ad_vec.push_back(w.cat_vec[static_cast<size_t>(c * K + j)] + 0.1 * rng.normal());
    w.ad_brand.push_back(rng.coin(0.25) ? -1 : static_cast<int32_t>(rng.below(w.brands)));
    w.price.push_back(std::max(0.1, std::round(std::exp(4.3 + 1.1 * rng.normal()) * 10) / 10));
    w.max_log_price = std::max(w.max_log_price, std::log1p(w.price.back()));
  }
  // A category no ad fell into gets one, so that every category can be browsed.
  for (int64_t c = 0; c < w.categories; ++c)
    if (w.ads_of[static_cast<size_t>(c)].empty()) w.ads_of[static_cast<size_t>(c)].push_back(static_cast<int32_t>(c % w.ads));
  for (const auto& list : w.ads_of) w.within.emplace_back(synth::zipf_weights(static_cast<int64_t>(list.size()), 1.0));
  w.popular_ad = synth::Alias(synth::zipf_weights(w.ads, 0.9));
  const synth::Alias age_pick(std::vector<double>{0.01, 0.08, 0.20, 0.32, 0.22, 0.12, 0.05});
  const synth::Alias shop_pick(std::vector<double>{0.2, 0.3, 0.5});
  w.user_vec.resize(static_cast<size_t>(w.users * K));
  for (double& x : w.user_vec) x = rng.normal();
  for (int64_t u = 0; u < w.users; ++u) {
    const int t = synth::taste_of(&w.user_vec[static_cast<size_t>(u * K)], K);
    const bool typical = rng.coin(0.6);
    Profile p;
    p.present = rng.coin(0.95);
    p.gender = typical ? (t % 2 == 0 ? 2 : 1) : (rng.coin(0.65) ? 2 : 1);
    p.age = typical ? 1 + t % 6 : static_cast<int>(age_pick.sample(rng));
    p.group = (p.gender == 1 ? 0 : 6) + std::min(p.age, 6);
    p.segid = rng.coin(0.6) ? 0 : 1 + static_cast<int>(rng.below(96));
    p.pvalue = rng.coin(0.45) ? 0 : 1 + static_cast<int>(rng.below(3));
    p.shopping = 1 + static_cast<int>(shop_pick.sample(rng));
    p.occupation = rng.coin(0.06) ? 1 : 0;
    p.new_user = rng.coin(0.3) ? 0 : 1 + static_cast<int>(rng.below(4));
    w.profile.push_back(p);
  }
  // Impressions per user: proportional to 0.2 + uniform, summing to rows.
  w.count = synth::rows_per_user(rng, o.rows, w.users, 0.2);
  auto normals = [&](size_t n, double sd) {
    std::vector<double> v(n);
    for (double& x : v) x = sd * rng.normal();
    return v;
  };
  w.m_pid = normals(2, 0.3);
  w.m_cate = normals(static_cast<size_t>(w.categories), 0.3);
  w.m_ad = normals(static_cast<size_t>(w.ads), 0.2);
  synth::center(w.m_pid, std::vector<double>{0.7, 0.3});
  synth::center(w.m_cate, synth::zipf_weights(w.categories, 0.8));
  synth::center(w.m_ad, synth::zipf_weights(w.ads, 0.9));
  // Planted tables, centred under the states' marginals (users weighted by impressions;
  // price buckets over the ads' popularity mix, an approximation of the served mix).
  std::vector<double> age_w(8, 1e-9), gender_w(3, 1e-9), shop_w(4, 1e-9), price_w(5, 1e-9);
  for (int64_t u = 0; u < w.users; ++u) {
    const Profile& p = w.profile[static_cast<size_t>(u)];
    const double c = w.count[static_cast<size_t>(u)];
    age_w[static_cast<size_t>(age_state(p))] += c, gender_w[static_cast<size_t>(gender_state(p))] += c;
    shop_w[static_cast<size_t>(shop_state(p))] += c;
  }
  const std::vector<double> ad_w = synth::normalized(synth::zipf_weights(w.ads, 0.9));
  for (int64_t i = 0; i < w.ads; ++i)
    price_w[static_cast<size_t>(price_bucket(w.price[static_cast<size_t>(i)]))] += ad_w[static_cast<size_t>(i)];
  w.pair = synth::centered_pair(rng, age_w, price_w);
  w.t_gender = synth::centered_factor(rng, gender_w);
  w.t_pid = synth::centered_factor(rng, std::vector<double>{0.7, 0.3});
  w.t_shop = synth::centered_factor(rng, shop_w);
  return w;
}

struct Behaviour {
  int64_t ts;
  int32_t ad;  // the browsed ad: its category and brand are what the log records
  int8_t btag; // 1 pv, 2 cart, 3 fav, 4 buy
};
struct Impression {
  int64_t ts;
  int32_t user, ad;
  int8_t pid, clk;
  float p;
  int32_t behaviours_before, clicks_before;  // counts in the user's lists at this time
};

struct UserLog {
  std::vector<Behaviour> behaviours;
  std::vector<int32_t> clicked;  // ads, in time order
  std::vector<Impression> impressions;
};

void simulate_user(const World& w, const SyntheticOptions& o, int64_t u, std::vector<double>& weight, UserLog& log) {
  Rng rng(o.seed, synth::kUserStream + static_cast<uint64_t>(u));
  const double* au = &w.user_vec[static_cast<size_t>(u * K)];
  for (int64_t c = 0; c < w.categories; ++c)
    weight[static_cast<size_t>(c)] = std::exp(1.5 * std::clamp(synth::dot(au, &w.cat_vec[static_cast<size_t>(c * K)], K), -6.0, 6.0));
  const synth::Alias interest(weight);
  auto ad_in = [&](int64_t c) {
    const auto& list = w.ads_of[static_cast<size_t>(c)];
    return list[static_cast<size_t>(w.within[static_cast<size_t>(c)].sample(rng))];
  };
  // The behaviour log: browsing (pv) driven by taste or, kBrowseNoise of the time, by
  // popularity; a like (cart/fav/buy) only follows the true preference for the category.
  const int64_t nb = 10 + rng.below(80);
  for (int64_t k = 0; k < nb; ++k) {
    const int64_t c = rng.coin(kBrowseNoise) ? w.popular_cat.sample(rng) : interest.sample(rng);
    const double pref = synth::dot(au, &w.cat_vec[static_cast<size_t>(c * K)], K);
    const double like = 0.6 * synth::sigmoid(4.0 * (pref - 0.5));
    int8_t btag = 1;
    if (rng.coin(like)) {
      const double x = rng.uniform();
      btag = x < 0.4 ? 2 : x < 0.75 ? 3 : 4;
    }
    log.behaviours.push_back({kBehaviourStart + rng.below(kImpressionEnd - kBehaviourStart), ad_in(c), btag});
  }
  std::sort(log.behaviours.begin(), log.behaviours.end(), [](const Behaviour& a, const Behaviour& b) { return a.ts < b.ts; });
  // Impressions in time order.
  const int64_t n = w.count[static_cast<size_t>(u)];
  std::vector<int64_t> times(static_cast<size_t>(n));
  for (auto& t : times) t = kImpressionStart + rng.below(kImpressionEnd - kImpressionStart);
  std::sort(times.begin(), times.end());
  const Profile& pr = w.profile[static_cast<size_t>(u)];
  size_t seen = 0;  // behaviours before the current impression
  std::vector<int32_t> liked;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t t = times[static_cast<size_t>(k)];
    for (; seen < log.behaviours.size() && log.behaviours[seen].ts < t; ++seen)
      if (log.behaviours[seen].btag >= 2) liked.push_back(w.ad_cate[static_cast<size_t>(log.behaviours[seen].ad)]);
    const int64_t ad = rng.coin(kTargeted) ? ad_in(interest.sample(rng)) : w.popular_ad.sample(rng);
    const int pid = rng.coin(0.7) ? 0 : 1;
    const size_t si = static_cast<size_t>(ad);
    const double* bi = &w.ad_vec[si * K];
    double affinity = 0;
    if (!liked.empty()) {
      double mean[K] = {};
      const size_t from = liked.size() > kLikedWindow ? liked.size() - kLikedWindow : 0;
      for (size_t h = from; h < liked.size(); ++h)
        for (int j = 0; j < K; ++j) mean[j] += w.cat_vec[static_cast<size_t>(liked[h]) * K + static_cast<size_t>(j)];
      affinity = synth::dot(mean, bi, K) / (std::sqrt(synth::dot(mean, mean, K) * synth::dot(bi, bi, K)) + 1e-12);
    }
    double z = kTaobaoBias + w.m_pid[static_cast<size_t>(pid)] + w.m_cate[static_cast<size_t>(w.ad_cate[si])] + w.m_ad[si];
    z += kTaobaoInterest * synth::dot(au, bi, K) + kTaobaoHistory * affinity;
    z += kTaobaoPair * w.pair[static_cast<size_t>(age_state(pr) * 5 + price_bucket(w.price[si]))];
    z += kTaobaoTriple * w.t_gender[static_cast<size_t>(gender_state(pr))] * w.t_pid[static_cast<size_t>(pid)] *
         w.t_shop[static_cast<size_t>(shop_state(pr))];
    const double p = synth::sigmoid(z);
    const int8_t clk = rng.coin(p) ? 1 : 0;
    log.impressions.push_back({t, static_cast<int32_t>(u), static_cast<int32_t>(ad), static_cast<int8_t>(pid), clk,
                               static_cast<float>(p), static_cast<int32_t>(seen), static_cast<int32_t>(log.clicked.size())});
    if (clk) log.clicked.push_back(static_cast<int32_t>(ad));
  }
}

// "2017-05-06 13:04:59" (UTC) from unix seconds; days to civil date as in H. Hinnant's
// algorithm.
void append_datetime(std::string& out, int64_t ts) {
  const int64_t days = ts / 86400, secs = ts % 86400;
  const int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  out += fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
}

// The profile columns shared by the FuxiCTR and DMR rows, comma-prefixed: FuxiCTR leaves
// unknown values empty, DMR writes 0.
void append_profile(std::string& out, const Profile& p, bool zeros) {
  const int v[8] = {p.segid, p.group, p.gender, p.age, p.pvalue, p.shopping, p.occupation, p.new_user};
  for (int j = 0; j < 8; ++j) {
    out += ',';
    const bool known = p.present && !((j == 4 || j == 7) && v[j] == 0);
    if (known || zeros) synth::append_int(out, known ? v[j] : 0);
  }
}

}  // namespace

SyntheticReport write_synthetic_taobao(const std::string& dir, const SyntheticOptions& options, TaobaoFormat format) {
  synth::prepare(dir, options, "write_synthetic_taobao");
  SyntheticOptions o = options;
  if (o.users == 0) o.users = 2'000;
  if (o.items == 0) o.items = 3'000;
  if (o.rows == 0) o.rows = 50'000;
  check(o.users <= 1140001 && o.items <= 846811 && o.items >= 8,
        "write_synthetic_taobao: 1 to 1,140,001 users and 8 to 846,811 ads, got {} and {}", o.users, o.items);
  const World w = make_world(o);
  std::vector<UserLog> logs(static_cast<size_t>(w.users));
  parallel_for(w.users, 1, [&](int64_t begin, int64_t end) {
    std::vector<double> weight(static_cast<size_t>(w.categories));
    for (int64_t u = begin; u < end; ++u) simulate_user(w, o, u, weight, logs[static_cast<size_t>(u)]);
  });
  // All impressions in time order (ties: by user, then by the user's order).
  std::vector<Impression> rows;
  rows.reserve(static_cast<size_t>(o.rows));
  for (const auto& log : logs) rows.insert(rows.end(), log.impressions.begin(), log.impressions.end());
  std::stable_sort(rows.begin(), rows.end(), [](const Impression& a, const Impression& b) { return a.ts < b.ts; });

  SyntheticReport report;
  synth::TeacherRows teacher;
  for (const auto& r : rows) teacher.probability.push_back(r.p), teacher.label.push_back(r.clk);
  const int64_t n = static_cast<int64_t>(rows.size());
  auto brand_of = [&](int32_t ad) { return w.ad_brand[static_cast<size_t>(ad)]; };
  auto ad_columns = [&](std::string& text, int32_t ad, bool zero_brand) {  // cate_id,campaign_id,customer,brand
    const size_t si = static_cast<size_t>(ad);
    synth::append_int(text, cate_id(w.ad_cate[si]));
    text += ',';
    synth::append_int(text, campaign_id(ad / 3));
    text += ',';
    synth::append_int(text, customer_id(ad / 3 % w.customers));
    text += ',';
    if (brand_of(ad) >= 0)
      synth::append_int(text, brand_id(brand_of(ad)));
    else if (zero_brand)
      text += '0';
  };

  if (format == TaobaoFormat::FuxiCTR) {
    synth::FileSink sink(dir + "/taobao.csv");
    sink.write(kTaobaoFuxiHeader);
    sink.write("\n");
    synth::write_chunks(sink, n, 8192, [&](int64_t, int64_t begin, int64_t end, std::string& text) {
      for (int64_t k = begin; k < end; ++k) {
        const Impression& r = rows[static_cast<size_t>(k)];
        text += static_cast<char>('0' + r.clk);
        text += ',';
        append_datetime(text, r.ts);
        text += ',';
        synth::append_int(text, user_id(r.user));
        text += ',';
        synth::append_int(text, adgroup_id(r.ad));
        text += ',';
        text += kPid[r.pid];
        text += ',';
        ad_columns(text, r.ad, false);
        text += ',';
        synth::append_fixed(text, w.price[static_cast<size_t>(r.ad)], 1);
        append_profile(text, w.profile[static_cast<size_t>(r.user)], false);
        text += ',';
        const auto& clicked = logs[static_cast<size_t>(r.user)].clicked;
        for (int32_t c = std::max(0, r.clicks_before - kHistory); c < r.clicks_before; ++c) {
          if (c > std::max(0, r.clicks_before - kHistory)) text += '^';
          synth::append_int(text, adgroup_id(clicked[static_cast<size_t>(c)]));
        }
        text += '\n';
      }
    });
    sink.commit();
    report.files.push_back(sink.path());
  } else if (format == TaobaoFormat::DMR) {
    synth::FileSink sink(dir + "/alimama_sampled.txt");
    synth::write_chunks(sink, n, 4096, [&](int64_t, int64_t begin, int64_t end, std::string& text) {
      for (int64_t k = begin; k < end; ++k) {
        const Impression& r = rows[static_cast<size_t>(k)];
        const auto& beh = logs[static_cast<size_t>(r.user)].behaviours;
        const int32_t from = std::max(0, r.behaviours_before - kHistory), valid = r.behaviours_before - from;
        // 50 btag, 50 cate, 50 brand, 50 mask, 50 match_mask: left-padded with 0, most recent
        // last; match_mask equals mask, as in the published samples.
        for (int part = 0; part < 5; ++part)
          for (int32_t j = 0; j < kHistory; ++j) {
            const int32_t h = j - (kHistory - valid);
            if (h < 0) {
              text += "0,";
              continue;
            }
            const Behaviour& b = beh[static_cast<size_t>(from + h)];
            switch (part) {
              case 0: synth::append_int(text, b.btag); break;
              case 1: synth::append_int(text, cate_id(w.ad_cate[static_cast<size_t>(b.ad)])); break;
              case 2: synth::append_int(text, brand_of(b.ad) >= 0 ? brand_id(brand_of(b.ad)) : 0); break;
              default: text += '1';
            }
            text += ',';
          }
        synth::append_int(text, user_id(r.user));
        append_profile(text, w.profile[static_cast<size_t>(r.user)], true);
        text += ',';
        synth::append_int(text, adgroup_id(r.ad));
        text += ',';
        ad_columns(text, r.ad, true);
        text += ',';
        // DMR's price is rescaled near 1: 0.94 + 0.06 log1p(price) / max log1p(price).
        text += fmt::format("{}", 0.94 + 0.06 * std::log1p(w.price[static_cast<size_t>(r.ad)]) / w.max_log_price);
        text += ',';
        text += static_cast<char>('0' + r.pid);
        text += ',';
        text += static_cast<char>('0' + r.clk);
        text += '\n';
      }
    });
    sink.commit();
    report.files.push_back(sink.path());
  } else {
    synth::FileSink sink(dir + "/raw_sample.csv");
    sink.write("user,time_stamp,adgroup_id,pid,nonclk,clk\n");
    synth::write_chunks(sink, n, 16384, [&](int64_t, int64_t begin, int64_t end, std::string& text) {
      for (int64_t k = begin; k < end; ++k) {
        const Impression& r = rows[static_cast<size_t>(k)];
        synth::append_int(text, user_id(r.user));
        text += ',';
        synth::append_int(text, r.ts);
        text += ',';
        synth::append_int(text, adgroup_id(r.ad));
        text += ',';
        text += kPid[r.pid];
        text += r.clk ? ",0,1\n" : ",1,0\n";
      }
    });
    sink.commit();
    report.files.push_back(sink.path());
    std::string text = "adgroup_id,cate_id,campaign_id,customer,brand,price\n";
    for (int64_t i = 0; i < w.ads; ++i) {
      synth::append_int(text, adgroup_id(i));
      text += ',';
      ad_columns(text, static_cast<int32_t>(i), false);
      if (brand_of(static_cast<int32_t>(i)) < 0) text += "NULL";
      text += ',';
      synth::append_fixed(text, w.price[static_cast<size_t>(i)], 1);
      text += '\n';
    }
    synth::write_small_file(dir + "/ad_feature.csv", text, report);
    // The real header ends with a space after new_user_class_level.
    text = "userid,cms_segid,cms_group_id,final_gender_code,age_level,pvalue_level,shopping_level,occupation,"
           "new_user_class_level \n";
    for (int64_t u = 0; u < w.users; ++u) {
      const Profile& p = w.profile[static_cast<size_t>(u)];
      if (!p.present) continue;
      synth::append_int(text, user_id(u));
      append_profile(text, p, false);
      text += '\n';
    }
    synth::write_small_file(dir + "/user_profile.csv", text, report);
    synth::FileSink log_sink(dir + "/behavior_log.csv");
    log_sink.write("user,time_stamp,btag,cate,brand\n");
    synth::write_chunks(log_sink, w.users, 256, [&](int64_t, int64_t begin, int64_t end, std::string& out) {
      for (int64_t u = begin; u < end; ++u)
        for (const Behaviour& b : logs[static_cast<size_t>(u)].behaviours) {
          synth::append_int(out, user_id(u));
          out += ',';
          synth::append_int(out, b.ts);
          out += ',';
          out += kBtag[b.btag];
          out += ',';
          synth::append_int(out, cate_id(w.ad_cate[static_cast<size_t>(b.ad)]));
          out += ',';
          if (brand_of(b.ad) >= 0)
            synth::append_int(out, brand_id(brand_of(b.ad)));
          else
            out += "NULL";
          out += '\n';
        }
    });
    log_sink.commit();
    report.files.push_back(log_sink.path());
  }
  synth::finish_report(dir, o, teacher, report);
  return report;
}

}  // namespace tg::data
