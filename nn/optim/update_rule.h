// The optimizers' per-element update rules as plain data plus one host/device function, so
// that the CUDA update kernel (nn/optim/update_cuda.cu) runs exactly what the CPU loops
// (sgd.cpp, adam.cpp, adagrad.cpp) run, and tests/cuda checks the two against each other.
//
// Each optimizer fills an UpdateRule with its per-step constants, computed in double as its
// CPU loop computes them; apply_update rounds them to the element type T and updates one
// element in the same operation order as the CPU loop.
#pragma once
#include <math.h>

#include <cstdint>

#include "core/cuda/hd.h"

namespace tg::nn {

enum class RuleKind : uint8_t { Sgd, SgdMomentum, Adam, Adagrad };

struct UpdateRule {
  RuleKind kind = RuleKind::Sgd;
  double lr = 0, wd = 0;                         // SGD (both), Adam (L2 wd), Adagrad (wd)
  double mu = 0, keep = 1;                       // SGD momentum, 1 - dampening
  bool first = false, nesterov = false;          // SGD momentum: first step; Nesterov
  double b1 = 0, b2 = 0, one_b1 = 1, one_b2 = 1;  // Adam betas and 1 - betas
  double step_size = 0, bc2_sqrt = 1, decay = 1;  // Adam: lr / (1 - b1^t), sqrt(1 - b2^t), 1 - lr wd
  bool decoupled = false, amsgrad = false;        // AdamW; AMSGrad
  double clr = 0;                                // Adagrad: lr / (1 + (t - 1) lr_decay)
  double eps = 0;                                // Adam, Adagrad
};

namespace detail {
template <class T> TG_HD inline T rule_sqrt(T x) {
  if constexpr (sizeof(T) == 4) return ::sqrtf(x);
  else return ::sqrt(x);
}
}  // namespace detail

// One element: parameter p, its gradient g, state buffers s0..s2 (null when unused).
template <class T> TG_HD inline void apply_update(const UpdateRule& r, T* p, T g, T* s0, T* s1, T* s2) {
  switch (r.kind) {
    case RuleKind::Sgd: {
      const T lr = static_cast<T>(r.lr), wd = static_cast<T>(r.wd);
      *p -= lr * (g + wd * *p);
      return;
    }
    case RuleKind::SgdMomentum: {
      const T lr = static_cast<T>(r.lr), wd = static_cast<T>(r.wd), mu = static_cast<T>(r.mu),
              keep = static_cast<T>(r.keep);
      const T d = g + wd * *p;
      if (r.first) {
        *s0 = d;
        *p -= lr * (r.nesterov ? d + mu * d : d);
      } else {
        *s0 = mu * *s0 + keep * d;
        *p -= lr * (r.nesterov ? d + mu * *s0 : *s0);
      }
      return;
    }
    case RuleKind::Adam: {
      const T b1 = static_cast<T>(r.b1), b2 = static_cast<T>(r.b2), one_b1 = static_cast<T>(r.one_b1),
              one_b2 = static_cast<T>(r.one_b2), step_size = static_cast<T>(r.step_size),
              bc2_sqrt = static_cast<T>(r.bc2_sqrt), eps = static_cast<T>(r.eps), wd = static_cast<T>(r.wd),
              decay = static_cast<T>(r.decay);
      if (r.decoupled) *p *= decay;
      else g += wd * *p;
      *s0 = b1 * *s0 + one_b1 * g;
      *s1 = b2 * *s1 + one_b2 * g * g;
      T second = *s1;
      if (r.amsgrad) second = *s2 = (*s2 < *s1 ? *s1 : *s2);  // std::max(vmax, v)
      *p -= step_size * *s0 / (detail::rule_sqrt(second) / bc2_sqrt + eps);
      return;
    }
    case RuleKind::Adagrad: {
      const T clr = static_cast<T>(r.clr), wd = static_cast<T>(r.wd), eps = static_cast<T>(r.eps);
      const T gg = g + wd * *p;
      *s0 += gg * gg;
      *p -= clr * gg / (detail::rule_sqrt(*s0) + eps);
      return;
    }
  }
}

}  // namespace tg::nn
