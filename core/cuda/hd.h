// TG_HD marks a function callable from both host and device code: `__host__ __device__`
// when nvcc compiles the file, nothing for the host compiler. The per-element logic of
// every CUDA kernel is written as TG_HD functions in headers, so the CPU unit tests
// (tests/cuda) run exactly the code the GPU runs. Same definition as core/philox.h's.
#pragma once

#if !defined(TG_HD)
#if defined(__CUDACC__)
#define TG_HD __host__ __device__
#else
#define TG_HD
#endif
#endif
