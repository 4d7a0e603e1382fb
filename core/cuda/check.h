// Return-code checks for CUDA runtime and cuBLAS calls (files of the CUDA build only).
//
//   check_cuda(cudaMemcpyAsync(...), "to", "copy to the device");
// throws tg::Error "to: copy to the device failed: cudaErrorInvalidValue (invalid argument)".
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "core/error.h"

namespace tg::cuda {

inline void check_cuda(cudaError_t status, const char* op, const char* what) {
  if (status != cudaSuccess) [[unlikely]]
    fail("{}: {} failed: {} ({})", op, what, cudaGetErrorName(status), cudaGetErrorString(status));
}

inline void check_cublas(cublasStatus_t status, const char* op, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) [[unlikely]]
    fail("{}: {} failed: {} ({})", op, what, cublasGetStatusName(status), cublasGetStatusString(status));
}

}  // namespace tg::cuda
