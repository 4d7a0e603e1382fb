// All of tapegrad's ops: #include "ops/ops.h" (installed as <tapegrad/ops/ops.h>).
#pragma once
#include "core/tapegrad.h"
#include "ops/activation.h"
#include "ops/elementwise.h"
#include "ops/embedding.h"
#include "ops/linalg.h"
#include "ops/loss.h"
#include "ops/nnfunc.h"
#include "ops/norm.h"
#include "ops/reduce.h"
#include "ops/select.h"
#include "ops/shape.h"
#include "ops/sparse.h"
