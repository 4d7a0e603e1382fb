// The two joined Taobao formats: DMR's 267-column rows (through read_table) and FuxiCTR's
// tiny_csv (three given files through one Encoder fitted on the train file).
#include <array>

#include "core/error.h"
#include "data/encoder.h"
#include "data/movielens/text_fields.h"
#include "data/taobao/taobao.h"
#include "data/taobao/taobao_parse.h"

namespace tg::data {

namespace {

constexpr std::string_view kFuxiHeader =
    "clk,time_stamp,userid,adgroup_id,pid,cate_id,campaign_id,customer,brand,price,cms_segid,cms_group_id,"
    "final_gender_code,age_level,pvalue_level,shopping_level,occupation,new_user_class_level,click_sequence";

constexpr std::array<std::string_view, 24> kSmallInts = {"0",  "1",  "2",  "3",  "4",  "5",  "6",  "7",
                                                          "8",  "9",  "10", "11", "12", "13", "14", "15",
                                                          "16", "17", "18", "19", "20", "21", "22", "23"};

void add_user_fields(Schema& s, int64_t min_count) {
  s.fields.push_back({.name = "userid", .group = FieldGroup::User, .min_count = min_count});
  for (std::string_view f : kTaobaoProfileFields)
    s.fields.push_back({.name = std::string(f), .group = FieldGroup::User, .min_count = min_count});
}

void add_ad_fields(Schema& s, int64_t min_count) {
  for (const char* f : {"adgroup_id", "cate_id", "campaign_id", "customer", "brand"})
    s.fields.push_back({.name = f, .group = FieldGroup::Item, .min_count = min_count});
}

}  // namespace

// ---- DMR ---------------------------------------------------------------------------------

Schema taobao_dmr_schema(const TaobaoDmrOptions& o) {
  check(o.sequence_length > 0, "taobao dmr: sequence_length must be positive, got {}", o.sequence_length);
  Schema s;
  s.fields.push_back({.name = "clk", .kind = FieldKind::Label});
  add_user_fields(s, o.min_count);
  add_ad_fields(s, o.min_count);
  s.fields.push_back({.name = "price", .kind = FieldKind::Numerical, .group = FieldGroup::Item});
  s.fields.push_back({.name = "pid", .group = FieldGroup::Context, .min_count = o.min_count});
  const int64_t T = o.sequence_length;
  auto seq = [&](const char* name, const char* vocab_from) {
    s.fields.push_back({.name = name, .kind = FieldKind::Sequence, .group = FieldGroup::User,
                        .min_count = o.min_count, .vocab_from = vocab_from, .max_len = T});
  };
  seq("history_btag", "");
  seq("history_cate", "cate_id");
  seq("history_brand", "brand");
  seq("like_cate", "cate_id");
  seq("like_brand", "brand");
  return s;
}

void parse_taobao_dmr_fields(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  thread_local TaobaoDmrLine d;
  parse_taobao_dmr_line(line, d);
  // The five sequences as '|'-joined keys in scratch (oldest first); views are taken only
  // after scratch stops growing.
  scratch.clear();
  size_t bounds[6] = {0, 0, 0, 0, 0, 0};
  auto join = [&](int which) {
    bool first = true;
    for (int j = 0; j < kTaobaoDmrHistory; ++j) {
      const auto b = d.btag[static_cast<size_t>(j)];
      if (b == TaobaoBehavior::None || (which >= 3 && !taobao_is_like(b))) continue;
      if (!first) scratch.push_back('|');
      first = false;
      if (which == 0) scratch.append(kSmallInts[static_cast<size_t>(b)]);
      else if (which == 1 || which == 3) scratch.append(d.his_cate[static_cast<size_t>(j)]);
      else scratch.append(d.his_brand[static_cast<size_t>(j)]);
    }
    bounds[which + 1] = scratch.size();
  };
  for (int w = 0; w < 5; ++w) join(w);
  fields.clear();
  fields.push_back(d.clk ? "1" : "0");
  for (auto v : d.user) fields.push_back(v);
  for (auto v : {d.adgroup_id, d.cate_id, d.campaign_id, d.customer, d.brand}) fields.push_back(v);
  fields.push_back(d.price_text);
  fields.push_back(d.pid);
  const std::string_view joined(scratch);
  for (int w = 0; w < 5; ++w) fields.push_back(joined.substr(bounds[w], bounds[w + 1] - bounds[w]));
}

TableSplits read_taobao_dmr(const std::string& path, const TaobaoDmrOptions& options) {
  const Schema schema = taobao_dmr_schema(options);
  check(options.read.split.mode != SplitOptions::Mode::Time,
        "{}: the DMR format has no time column; use a ratio split or none", path);
  const int64_t header = is_taobao_dmr_header(first_line(path)) ? 1 : 0;
  return read_table(path, schema, parse_taobao_dmr_fields, header, options.read);
}

// ---- FuxiCTR tiny_csv ----------------------------------------------------------------------

Schema taobao_fuxictr_schema(const TaobaoFuxiOptions& o) {
  check(o.sequence_length > 0, "taobao fuxictr: sequence_length must be positive, got {}", o.sequence_length);
  Schema s;
  s.fields.push_back({.name = "clk", .kind = FieldKind::Label});
  add_user_fields(s, o.min_count);
  add_ad_fields(s, o.min_count);
  s.fields.push_back({.name = "price", .kind = FieldKind::Numerical, .group = FieldGroup::Item,
                      .min_count = o.min_count, .transform = o.price});
  for (const char* f : {"pid", "hour", "weekday"})
    s.fields.push_back({.name = f, .group = FieldGroup::Context, .min_count = o.min_count});
  s.fields.push_back({.name = "click_sequence", .kind = FieldKind::Sequence, .group = FieldGroup::User,
                      .min_count = o.min_count, .vocab_from = "adgroup_id", .separator = '^',
                      .max_len = o.sequence_length});
  return s;
}

TaobaoSplits read_taobao_fuxictr(const std::string& train_path, const std::string& valid_path,
                                 const std::string& test_path, const TaobaoFuxiOptions& options) {
  Encoder encoder(taobao_fuxictr_schema(options));
  TaobaoFuxiLine f;
  std::vector<std::string_view> row;
  auto to_row = [&](std::string_view line) {
    parse_taobao_fuxictr_line(line, f);
    row.clear();
    row.push_back(f.clk ? "1" : "0");
    row.push_back(f.userid);
    for (auto v : f.profile) row.push_back(v);
    for (auto v : {f.adgroup_id, f.cate_id, f.campaign_id, f.customer, f.brand, f.price, f.pid}) row.push_back(v);
    row.push_back(kSmallInts[static_cast<size_t>(f.hour)]);
    row.push_back(kSmallInts[static_cast<size_t>(f.weekday)]);
    row.push_back(f.click_sequence);
  };
  auto check_header = [](const std::string& path) {
    try {
      check_taobao_header(first_line(path), kFuxiHeader);
    } catch (const Error& e) {
      fail("{}:1: {}", path, e.what());
    }
  };

  // Pass 1: fit on the training file. Its bad lines are counted in pass 2.
  check_header(train_path);
  BadLines fit_bad{.skip = options.skip_bad_lines};
  for_each_data_line(train_path, 1, fit_bad, [&](int64_t, std::string_view line) {
    to_row(line);
    encoder.fit(row);
  });
  encoder.finalize();

  // Pass 2: encode each file.
  TaobaoSplits out;
  BadLines bad{.skip = options.skip_bad_lines};
  const std::string* paths[3] = {&train_path, &valid_path, &test_path};
  Dataset* dst[3] = {&out.train, &out.valid, &out.test};
  for (int p = 0; p < 3; ++p) {
    *dst[p] = encoder.make_dataset();
    if (paths[p]->empty()) continue;
    check_header(*paths[p]);
    out.report.samples += for_each_data_line(*paths[p], 1, bad, [&](int64_t, std::string_view line) {
      to_row(line);
      encoder.encode(row, *dst[p]);
    });
  }
  out.report.samples -= bad.skipped;
  out.report.skipped = bad.skipped;
  out.report.skipped_examples = std::move(bad.examples);
  return out;
}

}  // namespace tg::data
