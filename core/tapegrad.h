// The core of tapegrad in one include: tensors, autograd, random numbers, threads, BLAS info.
#pragma once
#include "core/allocator.h"
#include "core/autograd.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "core/tensor.h"
