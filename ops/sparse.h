// Row-sparse gradients, for embedding tables: a gradient that touches n of V rows is kept
// as values [n, ...] plus row indices [n] (int64, unique, ascending), so an optimizer step
// costs O(rows touched), not O(V). See TensorImpl::row_index.
#pragma once
#include "core/tensor.h"

namespace tg::ops {

// A row-sparse tensor of logical shape [dense_rows, values.shape[1:]...] from per-row
// values and their (possibly repeated, unsorted) row ids: repeated rows are summed.
Tensor make_row_sparse(const Tensor& values, const Tensor& rows, int64_t dense_rows);
// Sorted, de-duplicated copy (a no-op copy when already coalesced).
Tensor coalesce_rows(const Tensor& sparse);
// a + b for two row-sparse tensors of the same logical shape (result row-sparse).
Tensor add_rows(const Tensor& a, const Tensor& b);
// dense[rows[i]] += values[i] (in place; dense must be contiguous).
void index_add_rows_(Tensor& dense, const Tensor& sparse);

}  // namespace tg::ops
