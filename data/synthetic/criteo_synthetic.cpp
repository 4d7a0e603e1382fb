#include "data/synthetic/criteo_synthetic.h"

#include <array>
#include <cmath>

#include "core/error.h"
#include "data/synthetic/synthetic_common.h"

namespace tg::data {

namespace {

using synth::Rng;

constexpr int K = 4;  // latent dimensions of the user and item vectors
constexpr int kTastes = 2 * K;

enum class Role { Context, User, Item };

// How each of C1..C26 is drawn. Context fields: Zipf(card, zipf) per row. User/item fields:
// a function of the hidden user/item (see below). `group` = 1: empty together with the
// other group-1 fields (C19, C20, C25, C26, as in the real data).
struct CatSpec {
  Role role;
  int64_t card;  // context fields only (user/item fields derive theirs)
  double zipf;
  double empty;
  int group;
};
constexpr std::array<CatSpec, 26> kCat = {{
    {Role::Context, 50, 1.2, 0.0, 0},     // C1
    {Role::Context, 200, 1.0, 0.0, 0},    // C2
    {Role::User, 0, 0, 0.02, 0},          // C3  user id
    {Role::User, 0, 0, 0.0, 0},           // C4  user segment (taste)
    {Role::Context, 22, 1.3, 0.0, 0},     // C5
    {Role::Context, 6, 0.8, 0.12, 0},     // C6  pair P1
    {Role::Item, 0, 0, 0.0, 0},           // C7  item id
    {Role::Context, 28, 1.3, 0.0, 0},     // C8
    {Role::Context, 2, 1.22, 0.0, 0},     // C9  triple
    {Role::Item, 0, 0, 0.0, 0},           // C10 item group (taste)
    {Role::Item, 0, 0, 0.0, 0},           // C11 item / 4
    {Role::User, 0, 0, 0.03, 0},          // C12 user / 8
    {Role::Item, 0, 0, 0.0, 0},           // C13 item / 16
    {Role::Context, 15, 0.9, 0.0, 0},     // C14 pair P2
    {Role::Context, 500, 1.0, 0.0, 0},    // C15
    {Role::User, 0, 0, 0.0, 0},           // C16 user % 50
    {Role::Context, 9, 0.7, 0.0, 0},      // C17 pair P1
    {Role::Context, 360, 1.0, 0.0, 0},    // C18
    {Role::Context, 120, 1.0, 0.0, 1},    // C19
    {Role::Context, 3, 0.5, 0.0, 1},      // C20 triple
    {Role::Item, 0, 0, 0.03, 0},          // C21 item % 300
    {Role::Context, 5, 0.8, 0.76, 0},     // C22 triple
    {Role::Context, 12, 0.9, 0.0, 0},     // C23 pair P2
    {Role::Context, 1000, 1.0, 0.03, 0},  // C24
    {Role::Context, 80, 1.0, 0.0, 1},     // C25
    {Role::Context, 1000, 1.0, 0.0, 1},   // C26
}};
constexpr double kGroupEmpty = 0.44;

// I1..I13: v = floor(exp(mu + sigma n)) + shift, n ~ N(0, 1); empty with `empty`.
struct IntSpec {
  double mu, sigma;
  int shift;
  double empty;
};
constexpr std::array<IntSpec, 13> kInt = {{
    {0.3, 1.2, 0, 0.45}, {1.8, 1.5, -3, 0.0}, {1.8, 1.5, 0, 0.2}, {1.4, 1.0, 0, 0.2}, {8.0, 1.8, 0, 0.03},
    {3.7, 1.5, 0, 0.22}, {1.2, 1.4, 0, 0.04}, {2.1, 1.0, 0, 0.0}, {3.8, 1.3, 0, 0.04}, {-0.5, 0.8, 0, 0.45},
    {0.5, 1.0, 0, 0.04}, {-1.0, 1.2, 0, 0.77}, {1.6, 1.0, 0, 0.2},
}};

// Field indices (0-based) of the planted interactions.
constexpr int kP1a = 5, kP1b = 16;                  // C6 x C17
constexpr int kP2a = 13, kP2b = 22;                 // C14 x C23
constexpr int kTa = 8, kTb = 19, kTc = 21;          // C9 x C20 x C22

struct World {
  int64_t users, items;
  int64_t card[26];  // values per field, the empty state excluded (it is index card[f])
  std::vector<double> user_vec, item_vec;  // [users, K], [items, K]
  std::vector<int32_t> user_seg, item_group;
  synth::Alias user_pick, item_pick;
  std::array<synth::Alias, 26> pick;           // context fields
  std::array<std::vector<double>, 26> main;    // m_f[v], v = 0..card (card = empty)
  std::array<double, 13> int_weight{}, int_center{};
  std::vector<double> p1, p2, t_a, t_b, t_c;   // interaction tables over the states (empty last)
};

int64_t user_value(const World& w, int f, int64_t u) {
  return f == 2 ? u : f == 3 ? w.user_seg[static_cast<size_t>(u)] : f == 11 ? u / 8 : u % 50;
}
int64_t item_value(const World& w, int f, int64_t i) {
  return f == 6 ? i : f == 9 ? w.item_group[static_cast<size_t>(i)] : f == 10 ? i / 4 : f == 12 ? i / 16 : i % 300;
}
int64_t int_value(const IntSpec& s, double n) {
  return static_cast<int64_t>(std::floor(std::exp(s.mu + s.sigma * n))) + s.shift;
}

// The distribution of a context field's states, the empty state last.
std::vector<double> state_weights(const CatSpec& s, int64_t card) {
  std::vector<double> w = synth::normalized(synth::zipf_weights(card, s.zipf));
  const double empty = s.group ? kGroupEmpty : s.empty;
  for (double& x : w) x *= 1 - empty;
  w.push_back(empty);
  return w;
}

World make_world(const SyntheticOptions& o) {
  World w;
  w.users = o.users, w.items = o.items;
  Rng rng(o.seed, synth::kWorldStream);
  w.user_vec.resize(static_cast<size_t>(w.users * K));
  w.item_vec.resize(static_cast<size_t>(w.items * K));
  for (double& x : w.user_vec) x = rng.normal();
  for (double& x : w.item_vec) x = 0.5 * rng.normal();
  for (int64_t u = 0; u < w.users; ++u)
    w.user_seg.push_back(rng.coin(0.8) ? synth::taste_of(&w.user_vec[static_cast<size_t>(u * K)], K)
                                       : static_cast<int32_t>(rng.below(kTastes)));
  for (int64_t i = 0; i < w.items; ++i)
    w.item_group.push_back(rng.coin(0.8) ? synth::taste_of(&w.item_vec[static_cast<size_t>(i * K)], K)
                                         : static_cast<int32_t>(rng.below(kTastes)));
  w.user_pick = synth::Alias(synth::zipf_weights(w.users, 0.7));
  w.item_pick = synth::Alias(synth::zipf_weights(w.items, 0.9));
  // The distribution of every field's states (empty last): context fields by their Zipf,
  // user and item fields through the user / item draw.
  const std::vector<double> pu = synth::normalized(synth::zipf_weights(w.users, 0.7)),
                            pi = synth::normalized(synth::zipf_weights(w.items, 0.9));
  std::array<std::vector<double>, 26> states;
  for (int f = 0; f < 26; ++f) {
    const CatSpec& s = kCat[static_cast<size_t>(f)];
    int64_t card = s.card;
    if (s.role == Role::User) card = f == 2 ? w.users : f == 3 ? kTastes : f == 11 ? (w.users + 7) / 8 : 50;
    if (s.role == Role::Item) card = f == 6 ? w.items : f == 9 ? kTastes : f == 10 ? (w.items + 3) / 4
                                   : f == 12 ? (w.items + 15) / 16 : 300;
    w.card[f] = card;
    auto& st = states[static_cast<size_t>(f)];
    if (s.role == Role::Context) {
      w.pick[static_cast<size_t>(f)] = synth::Alias(synth::zipf_weights(card, s.zipf));
      st = state_weights(s, card);
    } else {
      st.assign(static_cast<size_t>(card + 1), 0.0);
      const bool user = s.role == Role::User;
      for (int64_t x = 0; x < (user ? w.users : w.items); ++x)
        st[static_cast<size_t>(user ? user_value(w, f, x) : item_value(w, f, x))] +=
            (1 - s.empty) * (user ? pu : pi)[static_cast<size_t>(x)];
      st.back() = s.empty;
    }
    // Main effects: user and item ids carry a bias, the taste fields none (their effect is
    // the interest term), the other fields N(0, 0.3^2) per state; centred, so that the
    // bias alone sets the base rate.
    auto& m = w.main[static_cast<size_t>(f)];
    m.resize(static_cast<size_t>(card + 1));
    const double sd = (f == 3 || f == 9) ? 0.0 : (s.role == Role::Context || f == 2 || f == 6) ? 0.3 : 0.15;
    for (double& x : m) x = sd * rng.normal();
    synth::center(m, st);
  }
  // The integers' centres: E[log1p(max(I_j, 0))] over 4096 draws.
  for (size_t j = 0; j < 13; ++j) {
    w.int_weight[j] = 0.15 * rng.normal();
    double sum = 0;
    for (int d = 0; d < 4096; ++d) sum += std::log1p(static_cast<double>(std::max<int64_t>(int_value(kInt[j], rng.normal()), 0)));
    w.int_center[j] = sum / 4096;
  }
  w.p1 = synth::centered_pair(rng, states[kP1a], states[kP1b]);
  w.p2 = synth::centered_pair(rng, states[kP2a], states[kP2b]);
  w.t_a = synth::centered_factor(rng, states[kTa]);
  w.t_b = synth::centered_factor(rng, states[kTb]);
  w.t_c = synth::centered_factor(rng, states[kTc]);
  return w;
}

}  // namespace

SyntheticReport write_synthetic_criteo(const std::string& dir, const SyntheticOptions& options) {
  synth::prepare(dir, options, "write_synthetic_criteo");
  SyntheticOptions o = options;
  if (o.rows == 0) o.rows = 100'000;
  if (o.users == 0) o.users = 10'000;
  if (o.items == 0) o.items = 5'000;
  check(o.users <= (int64_t{1} << 26) && o.items <= (int64_t{1} << 26),
        "write_synthetic_criteo: at most 2^26 users and items, got {} and {}", o.users, o.items);
  const World w = make_world(o);

  synth::TeacherRows teacher;
  teacher.probability.resize(static_cast<size_t>(o.rows));
  teacher.label.resize(static_cast<size_t>(o.rows));
  SyntheticReport report;
  synth::FileSink sink(dir + "/train.txt");
  synth::write_chunks(sink, o.rows, 16384, [&](int64_t chunk, int64_t begin, int64_t end, std::string& text) {
    Rng rng(o.seed, synth::kChunkStream + static_cast<uint64_t>(chunk));
    text.reserve(static_cast<size_t>(end - begin) * 260);
    int64_t value[26];
    int64_t ints[13];
    bool has_int[13];
    for (int64_t r = begin; r < end; ++r) {
      const int64_t u = w.user_pick.sample(rng), i = w.item_pick.sample(rng);
      const bool group_empty = rng.coin(kGroupEmpty);
      for (int f = 0; f < 26; ++f) {
        const CatSpec& s = kCat[static_cast<size_t>(f)];
        int64_t v;
        switch (s.role) {
          case Role::Context: v = w.pick[static_cast<size_t>(f)].sample(rng); break;
          case Role::User: v = user_value(w, f, u); break;
          default: v = item_value(w, f, i);
        }
        const bool empty = s.group ? group_empty : (s.empty > 0 && rng.coin(s.empty));
        value[f] = empty ? w.card[f] : v;
      }
      double z = kCriteoBias;
      for (int f = 0; f < 26; ++f) z += w.main[static_cast<size_t>(f)][static_cast<size_t>(value[f])];
      for (size_t j = 0; j < 13; ++j) {
        has_int[j] = !(kInt[j].empty > 0 && rng.coin(kInt[j].empty));
        const double n = rng.normal();
        if (!has_int[j]) continue;
        ints[j] = int_value(kInt[j], n);
        z += w.int_weight[j] * (std::log1p(static_cast<double>(std::max<int64_t>(ints[j], 0))) - w.int_center[j]);
      }
      z += kCriteoInterest * synth::dot(&w.user_vec[static_cast<size_t>(u * K)], &w.item_vec[static_cast<size_t>(i * K)], K);
      z += kCriteoPair * w.p1[static_cast<size_t>(value[kP1a] * (w.card[kP1b] + 1) + value[kP1b])];
      z += kCriteoPair * w.p2[static_cast<size_t>(value[kP2a] * (w.card[kP2b] + 1) + value[kP2b])];
      z += kCriteoTriple * w.t_a[static_cast<size_t>(value[kTa])] * w.t_b[static_cast<size_t>(value[kTb])] *
           w.t_c[static_cast<size_t>(value[kTc])];
      const double p = synth::sigmoid(z);
      const int y = rng.coin(p) ? 1 : 0;
      teacher.probability[static_cast<size_t>(r)] = static_cast<float>(p);
      teacher.label[static_cast<size_t>(r)] = static_cast<int8_t>(y);
      text += static_cast<char>('0' + y);
      for (size_t j = 0; j < 13; ++j) {
        text += '\t';
        if (has_int[j]) synth::append_int(text, ints[j]);
      }
      for (int f = 0; f < 26; ++f) {
        text += '\t';
        if (value[f] != w.card[f]) synth::append_hex8(text, synth::hash_token(o.seed, f, value[f]));
      }
      text += '\n';
    }
  });
  sink.commit();
  report.files.push_back(sink.path());
  synth::finish_report(dir, o, teacher, report);
  return report;
}

}  // namespace tg::data
