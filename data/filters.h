#pragma once
// Row filters on an encoded Dataset.
//
// skive_above (EAIN's "Skive Above" negative filtering, paper eqs. 16-17; design/models.md
// §3.1): within each request (rows sharing `request_field`), ordered by `position_field`
// (ties in row order), negatives displayed after the request's last positive are dropped;
// a request without any positive is dropped whole. Returns the kept row indices in their
// original order (use Dataset::take). Both fields must be columns of the dataset: ids
// (categorical/meta) or numeric values.
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace tg::data {

std::vector<int64_t> skive_above(const Dataset& data, const std::string& request_field,
                                 const std::string& position_field);

}  // namespace tg::data
