#include "apps/bench/synthetic.h"

#include <algorithm>
#include <cmath>

namespace tg::bench {

namespace {

std::vector<float> normals(int64_t n, Generator& gen) {
  Tensor t = randn({n}, {}, &gen);
  return t.to_vector_as<float>();
}

float sigmoid(double z) { return static_cast<float>(1.0 / (1.0 + std::exp(-z))); }

}  // namespace

SyntheticData::SyntheticData(const BenchModel& model, uint64_t seed)
    : name_(model.name), sizes_(model.sizes), gen_(seed + 12345) {
  const int64_t V = sizes_.vocab;
  const int fields = name_ == "iarm" ? 6 : name_ == "qin" ? 5 : 4;  // the last one is the target item's
  for (int f = 0; f < fields; ++f) w_field_.push_back(normals(V, gen_));
  if (name_ == "iarm") {
    w_num_ = normals(13, gen_);
    w_pair_ = normals(64 * 64, gen_);
  }
  if (name_ == "eain") {
    category_of_.resize(static_cast<size_t>(V));
    for (int64_t i = 1; i < V; ++i) category_of_[static_cast<size_t>(i)] = power_id(sizes_.small_vocab, true);
  }
}

int64_t SyntheticData::power_id(int64_t vocab, bool padded) {
  const double u = uniform();
  if (!padded) return std::min<int64_t>(static_cast<int64_t>(u * u * u * static_cast<double>(vocab)), vocab - 1);
  return 1 + std::min<int64_t>(static_cast<int64_t>(u * u * u * static_cast<double>(vocab - 1)), vocab - 2);
}

std::vector<int64_t> SyntheticData::left_padded(int64_t T, int64_t max_len, double p_empty) {
  int64_t n = std::min<int64_t>(static_cast<int64_t>(uniform() * static_cast<double>(max_len + 1)), max_len);
  if (uniform() < p_empty) n = 0;
  std::vector<int64_t> row(static_cast<size_t>(T), 0);
  for (int64_t t = T - n; t < T; ++t) row[static_cast<size_t>(t)] = 1;
  return row;
}

Inputs SyntheticData::batch(int64_t B) {
  const int64_t V = sizes_.vocab, T = sizes_.seq_len;
  auto w = [&](int f, int64_t id) { return static_cast<double>(w_field_[static_cast<size_t>(f)][static_cast<size_t>(id)]); };
  Inputs out;
  out.y = Tensor::empty({B}, {.dtype = kFloat32});
  float* y = out.y.data<float>();
  if (name_ == "iarm") {
    Tensor num = Tensor::empty({B, 13}), cat = Tensor::empty({B, 26}, {.dtype = kInt64});
    float* xn = num.data<float>();
    int64_t* xc = cat.data<int64_t>();
    std::vector<float> g = normals(B * 13, gen_);
    for (int64_t b = 0; b < B; ++b) {
      double z = 0;
      for (int64_t f = 0; f < 13; ++f) {
        xn[b * 13 + f] = std::log1p(std::fabs(g[static_cast<size_t>(b * 13 + f)]));
        z += 0.8 * xn[b * 13 + f] * w_num_[static_cast<size_t>(f)] / std::sqrt(13.0);
      }
      for (int64_t f = 0; f < 26; ++f) xc[b * 26 + f] = power_id(V, false);
      for (int f = 0; f < 6; ++f) z += 0.7 * w(f, xc[b * 26 + f]);
      z += w_pair_[static_cast<size_t>((xc[b * 26] % 64) * 64 + xc[b * 26 + 8] % 64)];
      y[b] = uniform() < sigmoid(z - 0.5) ? 1.0f : 0.0f;
    }
    out.x = {num, cat};
  } else if (name_ == "qin") {
    Tensor other = Tensor::empty({B, 10}, {.dtype = kInt64}), target = Tensor::empty({B, 4}, {.dtype = kInt64});
    Tensor seq = Tensor::empty({B, T, 4}, {.dtype = kInt64});
    int64_t *xo = other.data<int64_t>(), *xt = target.data<int64_t>(), *xs = seq.data<int64_t>();
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t f = 0; f < 10; ++f) xo[b * 10 + f] = power_id(V, false);
      for (int64_t f = 0; f < 4; ++f) xt[b * 4 + f] = power_id(V, false);
      int64_t match = 0;
      for (int64_t t = 0; t < T; ++t) {
        for (int64_t f = 0; f < 4; ++f) xs[(b * T + t) * 4 + f] = power_id(V, false);
        match += xs[(b * T + t) * 4 + 1] == xt[b * 4 + 1];
      }
      double z = 0;
      for (int f = 0; f < 4; ++f) z += 0.7 * w(f, xo[b * 10 + f]);
      z += 0.7 * w(4, xt[b * 4]) + 1.5 * std::min(10.0 * static_cast<double>(match) / static_cast<double>(T), 2.0);
      y[b] = uniform() < sigmoid(z - 1.0) ? 1.0f : 0.0f;
    }
    out.x = {other, target, seq};
  } else if (name_ == "eain") {
    Tensor user = Tensor::empty({B, 6}, {.dtype = kInt64}), target = Tensor::empty({B, 2}, {.dtype = kInt64});
    Tensor seq = Tensor::empty({B, T, 2}, {.dtype = kInt64}), mask = Tensor::empty({B, T});
    int64_t *xu = user.data<int64_t>(), *xt = target.data<int64_t>(), *xs = seq.data<int64_t>();
    float* mk = mask.data<float>();
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t f = 0; f < 6; ++f) xu[b * 6 + f] = power_id(V, true);
      const int64_t item = power_id(V, true);
      xt[b * 2] = item;
      xt[b * 2 + 1] = category_of_[static_cast<size_t>(item)];
      std::vector<int64_t> m = left_padded(T, T, 0.05);
      int64_t valid = 0, match = 0;
      for (int64_t t = 0; t < T; ++t) {
        const int64_t h = m[static_cast<size_t>(t)] ? power_id(V, true) : 0;
        xs[(b * T + t) * 2] = h;
        xs[(b * T + t) * 2 + 1] = category_of_[static_cast<size_t>(h)];
        mk[b * T + t] = static_cast<float>(m[static_cast<size_t>(t)]);
        valid += m[static_cast<size_t>(t)];
        match += h != 0 && xs[(b * T + t) * 2 + 1] == xt[b * 2 + 1];
      }
      const double share = static_cast<double>(match) / static_cast<double>(std::max<int64_t>(valid, 1));
      const double z = 0.7 * (w(0, xu[b * 6]) + w(1, xu[b * 6 + 1]) + w(2, xu[b * 6 + 2])) + 0.7 * w(3, item) +
                       1.5 * std::min(10.0 * share, 2.0) - 1.5;
      y[b] = uniform() < sigmoid(z) ? 1.0f : 0.0f;
    }
    out.x = {user, target, seq, mask};
  } else {
    constexpr int64_t kGroups = 16;
    Tensor user = Tensor::empty({B, 4}, {.dtype = kInt64}), item = Tensor::empty({B, 2}, {.dtype = kInt64});
    Tensor seq = Tensor::empty({B, 4, T}, {.dtype = kInt64}), mask = Tensor::empty({B, 4, T});
    int64_t *xu = user.data<int64_t>(), *xi = item.data<int64_t>(), *xs = seq.data<int64_t>();
    float* mk = mask.data<float>();
    const int64_t max_len[4] = {T, T, T / 4, T / 10};
    const double p_group[4] = {0.3, 0.0, 0.3, 0.3}, p_empty[4] = {0.02, 0.02, 0.1, 0.3};
    for (int64_t b = 0; b < B; ++b) {
      const auto group = static_cast<int64_t>(uniform() * kGroups);
      auto into_group = [&](int64_t id, double p) {
        return uniform() < p ? std::clamp<int64_t>(id - id % kGroups + group, 1, V - 1) : id;
      };
      for (int64_t f = 0; f < 4; ++f) xu[b * 4 + f] = power_id(V, true);
      xi[b * 2] = into_group(power_id(V, true), 0.5);
      xi[b * 2 + 1] = power_id(sizes_.small_vocab, true);
      double share[4];
      for (int64_t k = 0; k < 4; ++k) {
        std::vector<int64_t> m = left_padded(T, max_len[k], p_empty[k]);
        int64_t valid = 0, same = 0;
        for (int64_t t = 0; t < T; ++t) {
          const int64_t at = (b * 4 + k) * T + t;
          xs[at] = m[static_cast<size_t>(t)] ? into_group(power_id(V, true), p_group[k]) : 0;
          mk[at] = static_cast<float>(m[static_cast<size_t>(t)]);
          valid += m[static_cast<size_t>(t)];
          same += xs[at] != 0 && xs[at] % kGroups == xi[b * 2] % kGroups;
        }
        share[k] = static_cast<double>(same) / static_cast<double>(std::max<int64_t>(valid, 1));
      }
      const double z = 0.7 * (w(0, xu[b * 4]) + w(1, xu[b * 4 + 1])) + 0.7 * w(2, xi[b * 2]) + 3.0 * share[0] -
                       3.0 * share[3] - 0.8;
      y[b] = uniform() < sigmoid(z) ? 1.0f : 0.0f;
    }
    out.x = {user, item, seq, mask};
  }
  return out;
}

}  // namespace tg::bench
