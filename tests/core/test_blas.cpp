// core/blas.h: the slow-kernel advice (a pure function of the kernel names, so testable on
// any machine) and the facts blas_info() reports. OPENBLAS_* variables are never set here:
// OpenBLAS reads them once at load time, and the user's choice must be respected.
#include <doctest/doctest.h>

#include <string>

#include "core/blas.h"

using namespace tg;

TEST_CASE("blas_kernel_advice: a generic kernel on an AVX-512 CPU gets the OPENBLAS_CORETYPE fix") {
  std::string advice = blas_kernel_advice("Prescott", "SkylakeX", false);
  CHECK_FALSE(advice.empty());
  CHECK(advice.find("'Prescott'") != std::string::npos);
  CHECK(advice.find("export OPENBLAS_CORETYPE=SkylakeX") != std::string::npos);
  CHECK_FALSE(blas_kernel_advice("Haswell", "SkylakeX", false).empty());
  CHECK_FALSE(blas_kernel_advice("Sandybridge", "Haswell", false).empty());
}

TEST_CASE("blas_kernel_advice: none when the kernel fits the CPU, is unknown or was chosen by the user") {
  CHECK(blas_kernel_advice("SkylakeX", "SkylakeX", false).empty());
  CHECK(blas_kernel_advice("SkylakeX", "Haswell", false).empty());       // better than needed
  CHECK(blas_kernel_advice("SapphireRapids", "SkylakeX", false).empty());  // unknown names rank as modern
  CHECK(blas_kernel_advice("Prescott", "SkylakeX", true).empty());        // OPENBLAS_CORETYPE set: respected
  CHECK(blas_kernel_advice("Prescott", "", false).empty());               // CPU not identified (non-x86)
}

TEST_CASE("blas_info reports the running OpenBLAS kernel") {
  BlasInfo info = blas_info();
  CHECK_FALSE(info.corename.empty());
  CHECK_FALSE(info.config.empty());
  CHECK(info.threads >= 1);
  // slow_kernel is exactly "the advice is not empty" for the reported facts.
  CHECK(info.slow_kernel == !blas_kernel_advice(info.corename, info.cpu_best, info.coretype_from_env).empty());
  MESSAGE("OpenBLAS core: " << info.corename << ", CPU best: " << info.cpu_best << ", threads: " << info.threads);
}
