#pragma once
// Avazu (Kaggle CTR prediction) train CSV, with its header line:
//   id, click, hour (YYMMDDHH), C1, banner_pos, site_id, site_domain, site_category, app_id,
//   app_domain, app_category, device_id, device_ip, device_model, device_type,
//   device_conn_type, C14..C21
// Schema: "click" is the label; id is dropped; hour becomes hour_of_day (0..23) and weekday
// (0 = Monday .. 6, from the date); every other column is categorical. User fields (IARM):
// device_id, device_ip, device_model, device_type, device_conn_type (models.md §1.1).
// The header is checked: a missing column is an error naming it.
#include <string>

#include "data/readers/table_reader.h"

namespace tg::data {

struct AvazuOptions {
  int64_t min_count = 1;  // FuxiCTR uses 2 on the full data
  ReadOptions read = {};
};

Schema avazu_schema(const AvazuOptions& options = {});
// Parses one data line into the schema's fields (hour_of_day and weekday are written into
// `scratch`). Exposed for fuzzing.
void parse_avazu_line(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch);
TableSplits read_avazu(const std::string& path, const AvazuOptions& options = {});
// 0 = Monday .. 6 = Sunday, for a proleptic Gregorian date.
int weekday_of(int year, int month, int day);

}  // namespace tg::data
