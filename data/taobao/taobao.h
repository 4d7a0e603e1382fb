#pragma once
// Taobao / Alibaba display-ad click data (Tianchi dataset 56) into train / valid / test
// Datasets, from each of its three published forms (line formats: data/taobao/taobao_parse.h).
// Label "clk" everywhere. Field groups: user = userid and the 8 profile fields; item =
// adgroup_id, cate_id, campaign_id, customer, brand, price; context = pid (and the time
// fields). Vocabularies are fitted on the training rows only (0 = padding, 1 = OOV; a
// missing value -> OOV). Sequences are left-padded to T, most recent last.
//
// 1. read_taobao_raw(dir): raw_sample.csv, ad_feature.csv, user_profile.csv and (when
//    present) behavior_log.csv, joined by user and adgroup. Every raw_sample row is a
//    sample (a user without a profile or an ad without features gets OOV ids and is counted
//    in the report). Context: pid, hour (of the day, China time UTC+8). price: LogSquare
//    bucket (an id). Split by time: (time_stamp, file row) order, first `train` fraction
//    train, next `valid` valid, rest test; or, when test_from > 0, by day boundaries (the
//    standard protocol: 2017-05-06..12 train, 05-13 test: test_from = 1494604800).
//    Sequences for a sample (user u, time t), from u's rows with time_stamp strictly < t:
//      click    adgroups of u's earlier impressions with clk = 1 (adgroup_id vocabulary),
//               with "click.cate_id" / "click.brand" through the item table of adgroup_id
//      unclick  adgroups of u's earlier impressions with clk = 0 (shown, not clicked), same
//      like_brand, like_cate   (behavior_log present) u's earlier cart / fav / buy
//               behaviours; the log has no item ids, so the brand and the category of each
//               (brand / cate_id vocabularies)
//    There is no dislike signal in this data (design/models.md §4.1).
// 2. read_taobao_dmr(path): the DMR preprocessing (267 columns, header line optional).
//    Sequences from the row itself (the user's behaviours before the impression):
//      history_btag, history_cate, history_brand   every behaviour (pv / cart / fav / buy)
//      like_cate, like_brand                       the cart / fav / buy ones
//    price is already normalised (a plain number). Split: read_table's ratio / none modes.
// 3. read_taobao_fuxictr(train, valid, test): FuxiCTR's joined tiny_csv, splits given as
//    files (vocabularies from the train file). Context: pid, hour, weekday. click_sequence
//    (adgroup ids, '^'-separated, oldest first) -> "click_sequence" (adgroup_id vocabulary).
//    price: LogSquare by default.
// Bad lines stop with "<file>:<line>: field '<name>': ..." or, with skip_bad_lines, are
// skipped and counted (the report / TableSplits::skipped).
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/readers/table_reader.h"

namespace tg::data {

struct TaobaoReport {
  int64_t samples = 0;                 // raw_sample rows kept
  int64_t samples_without_profile = 0; // user not in user_profile.csv
  int64_t samples_without_ad = 0;      // adgroup not in ad_feature.csv
  int64_t behaviors = 0;               // behavior_log rows read
  int64_t like_behaviors = 0;          // cart / fav / buy rows of sample users, kept
  int64_t skipped = 0;                 // bad lines skipped (every file)
  std::vector<std::string> skipped_examples = {};
};

struct TaobaoSplits {
  Dataset train, valid, test;
  TaobaoReport report = {};
};

struct TaobaoRawOptions {
  int64_t sequence_length = 50;
  bool behavior_log = true;   // read behavior_log.csv when it exists (like sequences)
  double train = 0.8, valid = 0.1;
  int64_t valid_from = 0;     // with test_from > 0: [valid_from, test_from) is valid (0: none)
  int64_t test_from = 0;      // > 0: split by these unix times instead of fractions
  int64_t min_count = 1;
  bool skip_bad_lines = false;
};
TaobaoSplits read_taobao_raw(const std::string& dir, const TaobaoRawOptions& options = {});
Schema taobao_raw_schema(const TaobaoRawOptions& options = {}, bool with_likes = true);

struct TaobaoDmrOptions {
  int64_t sequence_length = 50;
  int64_t min_count = 1;
  ReadOptions read = {};      // skip_bad_lines, split (Ratio / None), fitted
};
TableSplits read_taobao_dmr(const std::string& path, const TaobaoDmrOptions& options = {});
Schema taobao_dmr_schema(const TaobaoDmrOptions& options = {});
// read_table's parser for the DMR format (schema order of taobao_dmr_schema()).
void parse_taobao_dmr_fields(std::string_view line, std::vector<std::string_view>& fields, std::string& scratch);

struct TaobaoFuxiOptions {
  int64_t sequence_length = 50;
  NumericTransform price = NumericTransform::LogSquare;
  int64_t min_count = 1;
  bool skip_bad_lines = false;
};
// valid_path / test_path may be empty (that split stays empty).
TaobaoSplits read_taobao_fuxictr(const std::string& train_path, const std::string& valid_path,
                                 const std::string& test_path, const TaobaoFuxiOptions& options = {});
Schema taobao_fuxictr_schema(const TaobaoFuxiOptions& options = {});

}  // namespace tg::data
