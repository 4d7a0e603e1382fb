#include "data/synthetic/avazu_synthetic.h"

#include <array>
#include <cmath>

#include "core/error.h"
#include "data/synthetic/synthetic_common.h"

namespace tg::data {

namespace {

using synth::Rng;

constexpr int K = 4;
constexpr int kTastes = 2 * K;
constexpr int kCategories = 8;
constexpr int kModelsPerGroup = 25;
constexpr int kDays = 10;  // 14102100 .. 14103023, as the Kaggle train file

// Field ids of the hashed tokens (hash_token's f).
enum Token { kSiteId = 1, kSiteDomain, kSiteCategory, kAppId, kAppDomain, kAppCategory, kDeviceId, kDeviceIp, kDeviceModel };

// Small categorical distributions: values and their probabilities.
template <size_t N> struct Choice {
  std::array<int, N> value;
  std::array<double, N> weight;
};
constexpr Choice<7> kC1 = {{1005, 1002, 1010, 1012, 1007, 1001, 1008}, {0.90, 0.05, 0.03, 0.01, 0.005, 0.003, 0.002}};
constexpr Choice<7> kBannerPos = {{0, 1, 2, 3, 4, 5, 7}, {0.65, 0.31, 0.01, 0.005, 0.01, 0.01, 0.005}};
constexpr Choice<4> kDeviceType = {{1, 0, 4, 5}, {0.92, 0.05, 0.02, 0.01}};
constexpr Choice<4> kConnType = {{0, 2, 3, 5}, {0.75, 0.15, 0.08, 0.02}};
constexpr Choice<4> kC18 = {{0, 3, 2, 1}, {0.55, 0.20, 0.15, 0.10}};
constexpr std::array<std::array<int, 2>, 8> kSizes = {{{320, 50}, {300, 250}, {216, 36}, {728, 90}, {120, 20}, {1024, 768}, {480, 320}, {768, 1024}}};
constexpr std::array<double, 8> kSizeWeight = {0.90, 0.05, 0.02, 0.02, 0.005, 0.003, 0.001, 0.001};
constexpr std::array<int, 10> kC19 = {35, 39, 167, 161, 47, 33, 297, 1327, 1063, 813};
constexpr std::array<int, 10> kC21 = {79, 157, 23, 221, 61, 33, 48, 32, 52, 71};

struct World {
  int64_t users, places, ads;
  std::vector<double> user_vec, place_vec;
  // Users (devices).
  std::vector<uint8_t> anonymous, device_type, conn_type;
  std::vector<int32_t> model;
  // Placements: a site or an app with a category.
  std::vector<uint8_t> is_app, category, c1;
  // Ads (creatives, C14) and their campaigns (C17).
  std::vector<uint8_t> size, c18;
  std::vector<int32_t> c19, c20, c21;
  synth::Alias user_pick, place_pick, ad_pick, banner_pick;
  std::vector<double> m_c1, m_banner, m_type, m_hour, m_weekday, m_place, m_ad, m_model, pair, t_banner, t_conn, t_c18;
};

template <size_t N> int pick_index(Rng& rng, const Choice<N>& c) {
  double u = rng.uniform();
  for (size_t i = 0; i + 1 < N; ++i) {
    if (u < c.weight[i]) return static_cast<int>(i);
    u -= c.weight[i];
  }
  return static_cast<int>(N - 1);
}

std::vector<double> normals(Rng& rng, size_t n, double sd) {
  std::vector<double> v(n);
  for (double& x : v) x = sd * rng.normal();
  return v;
}

World make_world(const SyntheticOptions& o) {
  World w;
  w.users = o.users, w.places = o.items, w.ads = std::max<int64_t>(20, o.items / 4);
  Rng rng(o.seed, synth::kWorldStream);
  w.user_vec = normals(rng, static_cast<size_t>(w.users * K), 1.0);
  w.place_vec = normals(rng, static_cast<size_t>(w.places * K), 0.5);
  for (int64_t u = 0; u < w.users; ++u) {
    w.anonymous.push_back(rng.coin(0.8));
    w.device_type.push_back(static_cast<uint8_t>(pick_index(rng, kDeviceType)));
    w.conn_type.push_back(static_cast<uint8_t>(pick_index(rng, kConnType)));
    const int group = rng.coin(0.7) ? synth::taste_of(&w.user_vec[static_cast<size_t>(u * K)], K)
                                    : static_cast<int>(rng.below(kTastes));
    w.model.push_back(group * kModelsPerGroup + static_cast<int32_t>(rng.below(kModelsPerGroup)));
  }
  for (int64_t p = 0; p < w.places; ++p) {
    w.is_app.push_back(rng.coin(0.3));
    w.category.push_back(static_cast<uint8_t>(rng.coin(0.8) ? synth::taste_of(&w.place_vec[static_cast<size_t>(p * K)], K)
                                                            : rng.below(kCategories)));
    w.c1.push_back(static_cast<uint8_t>(pick_index(rng, kC1)));
  }
  for (int64_t a = 0; a < w.ads; ++a) {
    w.size.push_back(static_cast<uint8_t>(pick_index(rng, Choice<8>{{0, 1, 2, 3, 4, 5, 6, 7}, kSizeWeight})));
    w.c18.push_back(static_cast<uint8_t>(pick_index(rng, kC18)));
  }
  for (int64_t c = 0; c < (w.ads + 3) / 4; ++c) {
    w.c19.push_back(kC19[static_cast<size_t>(rng.below(10))]);
    w.c20.push_back(rng.coin(0.47) ? -1 : static_cast<int32_t>(100000 + rng.below(250)));
    w.c21.push_back(kC21[static_cast<size_t>(rng.below(10))]);
  }
  w.user_pick = synth::Alias(synth::zipf_weights(w.users, 0.8));
  w.place_pick = synth::Alias(synth::zipf_weights(w.places, 1.0));
  w.ad_pick = synth::Alias(synth::zipf_weights(w.ads, 0.9));
  // Main effects, centred under each field's distribution (the bias alone sets the base rate).
  const std::vector<double> place_weight = synth::zipf_weights(w.places, 1.0), ad_weight = synth::zipf_weights(w.ads, 0.9);
  w.m_c1 = normals(rng, 7, 0.3);
  w.m_banner = normals(rng, 7, 0.3);
  w.m_type = normals(rng, 4, 0.3);
  w.m_hour = normals(rng, 24, 0.2);
  w.m_weekday = normals(rng, 7, 0.1);
  w.m_place = normals(rng, static_cast<size_t>(w.places), 0.3);
  w.m_ad = normals(rng, static_cast<size_t>(w.ads), 0.3);
  w.m_model = normals(rng, kTastes * kModelsPerGroup, 0.1);
  synth::center(w.m_c1, kC1.weight);
  synth::center(w.m_banner, kBannerPos.weight);
  synth::center(w.m_type, kDeviceType.weight);
  synth::center(w.m_hour, std::vector<double>(24, 1.0));
  synth::center(w.m_weekday, std::vector<double>(7, 1.0));
  synth::center(w.m_place, place_weight);
  synth::center(w.m_ad, ad_weight);
  synth::center(w.m_model, std::vector<double>(kTastes * kModelsPerGroup, 1.0));
  // The pair's category marginal: placements are drawn by popularity, independent of the hour.
  std::vector<double> cat(kCategories, 0.0);
  for (int64_t p = 0; p < w.places; ++p) cat[w.category[static_cast<size_t>(p)]] += place_weight[static_cast<size_t>(p)];
  w.pair = synth::centered_pair(rng, std::vector<double>(6, 1.0), cat);
  // The triple's marginals: banner_pos per row; conn type per user and C18 per ad, weighted by
  // how often users and ads are drawn (close to their own distributions).
  std::vector<double> conn(4, 0.0), c18(4, 0.0);
  const std::vector<double> uw = synth::normalized(synth::zipf_weights(w.users, 0.8)),
                            aw = synth::normalized(synth::zipf_weights(w.ads, 0.9));
  for (int64_t u = 0; u < w.users; ++u) conn[w.conn_type[static_cast<size_t>(u)]] += uw[static_cast<size_t>(u)];
  for (int64_t a = 0; a < w.ads; ++a) c18[w.c18[static_cast<size_t>(a)]] += aw[static_cast<size_t>(a)];
  for (double& x : conn) x += 1e-9;
  for (double& x : c18) x += 1e-9;
  w.t_banner = synth::centered_factor(rng, kBannerPos.weight);
  w.t_conn = synth::centered_factor(rng, conn);
  w.t_c18 = synth::centered_factor(rng, c18);
  return w;
}

void append_two(std::string& text, int v) {
  text += static_cast<char>('0' + v / 10);
  text += static_cast<char>('0' + v % 10);
}

}  // namespace

SyntheticReport write_synthetic_avazu(const std::string& dir, const SyntheticOptions& options) {
  synth::prepare(dir, options, "write_synthetic_avazu");
  SyntheticOptions o = options;
  if (o.rows == 0) o.rows = 100'000;
  if (o.users == 0) o.users = 20'000;
  if (o.items == 0) o.items = 2'000;
  check(o.users <= (int64_t{1} << 26) && o.items <= (int64_t{1} << 26),
        "write_synthetic_avazu: at most 2^26 users and items, got {} and {}", o.users, o.items);
  const World w = make_world(o);
  const uint64_t seed = o.seed;

  synth::TeacherRows teacher;
  teacher.probability.resize(static_cast<size_t>(o.rows));
  teacher.label.resize(static_cast<size_t>(o.rows));
  SyntheticReport report;
  synth::FileSink sink(dir + "/train.csv");
  sink.write(kAvazuHeader);
  sink.write("\n");
  synth::write_chunks(sink, o.rows, 16384, [&](int64_t chunk, int64_t begin, int64_t end, std::string& text) {
    Rng rng(seed, synth::kChunkStream + static_cast<uint64_t>(chunk));
    text.reserve(static_cast<size_t>(end - begin) * 200);
    for (int64_t r = begin; r < end; ++r) {
      // Rows in time order over 10 days; 2014-10-21 is a Tuesday (weekday 1, Monday = 0).
      const int64_t hour_index = r * kDays * 24 / o.rows;
      const int day = static_cast<int>(hour_index / 24), hod = static_cast<int>(hour_index % 24);
      const int weekday = (1 + day) % 7;
      const int64_t u = w.user_pick.sample(rng), p = w.place_pick.sample(rng), a = w.ad_pick.sample(rng);
      const int64_t campaign = a / 4;
      const int banner = pick_index(rng, kBannerPos);
      const uint64_t id = rng.u64();
      const size_t su = static_cast<size_t>(u), sp = static_cast<size_t>(p), sa = static_cast<size_t>(a);
      double z = kAvazuBias + w.m_c1[w.c1[sp]] + w.m_banner[static_cast<size_t>(banner)] + w.m_type[w.device_type[su]] +
                 w.m_hour[static_cast<size_t>(hod)] + w.m_weekday[static_cast<size_t>(weekday)] + w.m_place[sp] +
                 w.m_ad[sa] + w.m_model[static_cast<size_t>(w.model[su])];
      z += kAvazuInterest * synth::dot(&w.user_vec[su * K], &w.place_vec[sp * K], K);
      z += kAvazuPair * w.pair[static_cast<size_t>(hod / 4 * kCategories + w.category[sp])];
      z += kAvazuTriple * w.t_banner[static_cast<size_t>(banner)] * w.t_conn[w.conn_type[su]] * w.t_c18[w.c18[sa]];
      const double prob = synth::sigmoid(z);
      const int y = rng.coin(prob) ? 1 : 0;
      teacher.probability[static_cast<size_t>(r)] = static_cast<float>(prob);
      teacher.label[static_cast<size_t>(r)] = static_cast<int8_t>(y);

      synth::append_uint(text, id);  // up to 20 digits, as the real ids
      text += ',';
      text += static_cast<char>('0' + y);
      text += ",1410";
      append_two(text, 21 + day);
      append_two(text, hod);
      text += ',';
      synth::append_int(text, kC1.value[w.c1[sp]]);
      text += ',';
      synth::append_int(text, kBannerPos.value[static_cast<size_t>(banner)]);
      // site_id, site_domain, site_category, app_id, app_domain, app_category: an app
      // placement carries the site defaults and vice versa, as in the real data.
      const int cat = w.category[sp];
      if (w.is_app[sp]) {
        text += ",85f751fd,c4e18dd6,50e219e0,";
        synth::append_hex8(text, synth::hash_token(seed, kAppId, p));
        text += ',';
        synth::append_hex8(text, synth::hash_token(seed, kAppDomain, p / 3));
        text += ',';
        synth::append_hex8(text, synth::hash_token(seed, kAppCategory, cat));
      } else {
        text += ',';
        synth::append_hex8(text, synth::hash_token(seed, kSiteId, p));
        text += ',';
        synth::append_hex8(text, synth::hash_token(seed, kSiteDomain, p / 3));
        text += ',';
        synth::append_hex8(text, synth::hash_token(seed, kSiteCategory, cat));
        text += ",ecad2386,7801e8d9,07d7df22";
      }
      text += ',';
      if (w.anonymous[su])
        text += "a99f214a";
      else
        synth::append_hex8(text, synth::hash_token(seed, kDeviceId, u));
      text += ',';
      synth::append_hex8(text, synth::hash_token(seed, kDeviceIp, u));
      text += ',';
      synth::append_hex8(text, synth::hash_token(seed, kDeviceModel, w.model[su]));
      text += ',';
      synth::append_int(text, kDeviceType.value[w.device_type[su]]);
      text += ',';
      synth::append_int(text, kConnType.value[w.conn_type[su]]);
      // C14 (creative), C15 x C16 (banner size), C17 (campaign), C18..C21.
      text += ',';
      synth::append_int(text, 15000 + a * 7);
      text += ',';
      synth::append_int(text, kSizes[w.size[sa]][0]);
      text += ',';
      synth::append_int(text, kSizes[w.size[sa]][1]);
      text += ',';
      synth::append_int(text, 1000 + campaign);
      text += ',';
      synth::append_int(text, kC18.value[w.c18[sa]]);
      text += ',';
      synth::append_int(text, w.c19[static_cast<size_t>(campaign)]);
      text += ',';
      synth::append_int(text, w.c20[static_cast<size_t>(campaign)]);
      text += ',';
      synth::append_int(text, w.c21[static_cast<size_t>(campaign)]);
      text += '\n';
    }
  });
  sink.commit();
  report.files.push_back(sink.path());
  synth::finish_report(dir, o, teacher, report);
  return report;
}

}  // namespace tg::data
