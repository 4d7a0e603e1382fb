// Splits (ratio with exact counts, time with ties in file order), the encoder's list input and
// saved state, the line reader, and the iterator's range form and statistics.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "data/batch.h"
#include "data/encoder.h"
#include "data/iterator.h"
#include "data/readers/line_reader.h"
#include "data/split.h"

using namespace tg;
using namespace tg::data;
namespace fs = std::filesystem;

namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  static int n = 0;
  auto path = fs::temp_directory_path() / fmt::format("tapegrad-split-{}-{}-{}", ::getpid(), n++, name);
  std::ofstream(path.string(), std::ios::binary) << text;
  return path.string();
}

// label, "t" (numerical, the time), "u" (categorical).
Dataset timed_dataset(const std::vector<double>& times) {
  Schema s;
  s.fields = {{.name = "y", .kind = FieldKind::Label},
              {.name = "t", .kind = FieldKind::Numerical},
              {.name = "u", .kind = FieldKind::Categorical}};
  Encoder e(s);
  std::vector<std::string> text;
  for (size_t r = 0; r < times.size(); ++r) text.push_back(fmt::format("{}", times[r]));
  for (size_t r = 0; r < times.size(); ++r) {
    std::string u = fmt::format("u{}", r);
    std::vector<std::string_view> row = {r % 2 ? "1" : "0", text[r], u};
    e.fit(row);
  }
  e.finalize();
  Dataset d = e.make_dataset();
  for (size_t r = 0; r < times.size(); ++r) {
    std::string u = fmt::format("u{}", r);
    std::vector<std::string_view> row = {r % 2 ? "1" : "0", text[r], u};
    e.encode(row, d);
  }
  return d;
}

}  // namespace

TEST_CASE("split_by_ratio: exact counts, every row once, same seed same split, seeds differ") {
  for (int64_t n : {0, 1, 10, 41, 1000}) {
    RowSplit s = split_by_ratio(n, 0.8, 0.1, 7);
    // floor(0.8 n), floor(0.9 n) - floor(0.8 n), the rest: 10 -> 8/1/1; 41 -> 32/4/5; 1000 -> 800/100/100.
    const auto n_train = static_cast<size_t>(n == 41 ? 32 : n * 8 / 10);
    const auto n_valid = static_cast<size_t>(n == 41 ? 4 : n / 10);
    CHECK(s.train.size() == n_train);
    CHECK(s.valid.size() == n_valid);
    CHECK(s.test.size() == static_cast<size_t>(n) - n_train - n_valid);
    std::vector<int64_t> all;
    for (auto* part : {&s.train, &s.valid, &s.test}) {
      CHECK(std::is_sorted(part->begin(), part->end()));
      all.insert(all.end(), part->begin(), part->end());
    }
    std::sort(all.begin(), all.end());
    std::vector<int64_t> expect(static_cast<size_t>(n));
    std::iota(expect.begin(), expect.end(), 0);
    CHECK(all == expect);
  }
  CHECK(split_by_ratio(1000, 0.8, 0.1, 7).test == split_by_ratio(1000, 0.8, 0.1, 7).test);
  CHECK(split_by_ratio(1000, 0.8, 0.1, 7).test != split_by_ratio(1000, 0.8, 0.1, 8).test);
  // Not a prefix: the test rows are spread over the file.
  RowSplit s = split_by_ratio(1000, 0.8, 0.1, 7);
  CHECK(s.test.front() < 500);
  CHECK(s.test.back() >= 500);
  CHECK_THROWS_WITH_AS(split_by_ratio(10, 0.9, 0.2, 1), doctest::Contains("must be positive and sum to at most 1"),
                       Error);
}

TEST_CASE("split_by_time: sorted by time, ties in file order, parts keep file order") {
  // rows:           0  1  2  3  4  5  6  7  8  9
  std::vector<double> t = {3, 1, 2, 1, 3, 2, 1, 2, 3, 1};
  // time order (ties by row): 1,3,6,9 (t=1), 2,5,7 (t=2), 0,4,8 (t=3); 80/10/10 -> 8/1/1:
  // train = the first 8 = {1,3,6,9,2,5,7,0}, valid = {4}, test = {8}.
  RowSplit s = split_by_time(t, 0.8, 0.1);
  CHECK(s.train == std::vector<int64_t>{0, 1, 2, 3, 5, 6, 7, 9});
  CHECK(s.valid == std::vector<int64_t>{4});
  CHECK(s.test == std::vector<int64_t>{8});
  // On a dataset, by its numerical column.
  Dataset d = timed_dataset(t);
  DatasetSplits parts = split(d, {.mode = SplitOptions::Mode::Time, .time_field = "t"});
  CHECK(parts.train.rows() == 8);
  CHECK(parts.valid.column("t").values == std::vector<float>{3});
  CHECK(parts.test.column("u").ids == std::vector<int32_t>{d.vocabularies.at("u").id("u8")});
  CHECK_THROWS_WITH_AS(split(d, {.mode = SplitOptions::Mode::Time, .time_field = "nope"}),
                       doctest::Contains("no column 'nope'"), Error);
}

TEST_CASE("column_times: an integer-keyed id column gives exact times (no float32 rounding)") {
  Schema s;
  s.fields = {{.name = "y", .kind = FieldKind::Label}, {.name = "ts", .kind = FieldKind::Meta}};
  Encoder e(s);
  // 1e9 + 1 and 1e9 + 2 are the same float32; as keys they stay apart.
  std::vector<std::vector<std::string_view>> rows = {{"0", "1000000002"}, {"1", "1000000001"}, {"0", "999"}};
  for (auto& r : rows) e.fit(r);
  e.finalize();
  Dataset d = e.make_dataset();
  for (auto& r : rows) e.encode(r, d);
  CHECK(column_times(d, "ts") == std::vector<double>{1000000002, 1000000001, 999});
  RowSplit t = split_by_time(column_times(d, "ts"), 0.34, 0.33);  // 1 / 0 / 2 rows: 3*0.34=1.02, 3*0.67=2.01
  CHECK(t.train == std::vector<int64_t>{2});
  CHECK(t.valid == std::vector<int64_t>{1});
  CHECK(t.test == std::vector<int64_t>{0});
  std::vector<std::string_view> unseen = {"1", ""};
  e.encode(unseen, d);  // missing -> OOV: no time
  CHECK_THROWS_WITH_AS(column_times(d, "ts"), doctest::Contains("column 'ts', row 3: id 1 is padding or out of vocabulary"),
                       Error);
}

TEST_CASE("split: a dataset split by ratio gives the rows of split_by_ratio") {
  std::vector<double> t(50);
  std::iota(t.begin(), t.end(), 100.0);
  Dataset d = timed_dataset(t);
  DatasetSplits s = split(d, {.seed = 3});
  RowSplit rows = split_by_ratio(50, 0.8, 0.1, 3);
  REQUIRE(s.valid.rows() == 5);
  for (size_t i = 0; i < 5; ++i) CHECK(s.valid.column("t").values[i] == 100.0f + static_cast<float>(rows.valid[i]));
  DatasetSplits none = split(d, {.mode = SplitOptions::Mode::None});
  CHECK(none.train.rows() == 50);
  CHECK(none.test.rows() == 0);
}

TEST_CASE("Encoder: keys given as lists equal joined text; a bad label is refused before counting") {
  Schema s;
  s.fields = {{.name = "y", .kind = FieldKind::Label},
              {.name = "item", .kind = FieldKind::Categorical},
              {.name = "hist", .kind = FieldKind::Sequence, .vocab_from = "item", .max_len = 3},
              {.name = "tags", .kind = FieldKind::MultiValued, .separator = ';', .max_len = 2}};
  Encoder a(s), b(s);
  std::vector<std::string_view> hist = {"i1", "i2", "", "i3", "i4"}, tags = {"x", "y", "z"};
  std::vector<std::string_view> text = {"1", "i4", "i1|i2||i3|i4", "x;y;z"};
  std::vector<RawField> raw = {"1", "i4", RawField::list(hist), RawField::list(tags)};
  a.fit(text);
  b.fit(raw);
  std::vector<std::string_view> bad = {"7", "never-counted", "", ""};
  CHECK_THROWS_WITH_AS(a.fit(bad), doctest::Contains("field 'y': label must be 0 or 1, got '7'"), Error);
  std::vector<std::string_view> bad_count = {"1", "a"};
  CHECK_THROWS_WITH_AS(a.fit(bad_count), doctest::Contains("2 fields in a row, the schema has 4"), Error);
  a.finalize();
  b.finalize();
  CHECK(a.vocabularies().at("item").keys() == std::vector<std::string>{"i1", "i2", "i3", "i4"});  // not "never-counted"
  CHECK(!a.vocabularies().has("hist"));  // shares item's
  Dataset da = a.make_dataset(), db = b.make_dataset();
  a.encode(text, da);
  b.encode(raw, db);
  CHECK(da.column("hist").ids == std::vector<int32_t>{3, 4, 5});  // the last 3 of i1 i2 i3 i4
  CHECK(da.column("tags").ids == std::vector<int32_t>{2, 3});     // the first 2 of x y z
  for (const auto& c : da.columns) CHECK(c.ids == db.column(c.name).ids);
  Dataset wrong;
  CHECK_THROWS_WITH_AS(a.encode(text, wrong), doctest::Contains("make the dataset with make_dataset()"), Error);
  CHECK_THROWS_WITH_AS(Encoder(s).encode(text, da), doctest::Contains("encode() before finalize()"), Error);
}

TEST_CASE("Encoder: MinMax and LogSquare values; the state saved and loaded encodes the same") {
  Schema s;
  s.fields = {{.name = "y", .kind = FieldKind::Label},
              {.name = "mm", .kind = FieldKind::Numerical, .transform = NumericTransform::MinMax},
              {.name = "ls", .kind = FieldKind::Numerical, .transform = NumericTransform::LogSquare},
              {.name = "raw", .kind = FieldKind::Numerical},
              {.name = "c", .kind = FieldKind::Categorical, .min_count = 2}};
  Encoder e(s);
  std::vector<std::vector<std::string_view>> train = {
      {"1", "10", "1000", "1.5", "a"}, {"0", "-10", "3", "", "a"}, {"0", " 30 ", "-1", "-2", "b"}};
  for (auto& r : train) e.fit(r);
  e.finalize();
  Dataset d = e.make_dataset();
  for (auto& r : train) e.encode(r, d);
  std::vector<std::string_view> beyond = {"1", "70", "", "", "z"};
  e.encode(beyond, d);
  // MinMax over train [-10, 30]: 10 -> 0.5, -10 -> 0, 30 -> 1; 70 (beyond) clamps to 1.
  CHECK(d.column("mm").values == std::vector<float>{0.5f, 0.0f, 1.0f, 1.0f});
  // LogSquare keys: 1000 -> floor(ln(1000)^2) = floor(47.717) = 47; 3 -> floor(1.2069) = 1; -1 -> -1.
  CHECK(Encoder::log_square_key(1000) == "47");
  CHECK(Encoder::log_square_key(3) == "1");
  CHECK(Encoder::log_square_key(2.5) == "0");   // ln(2.5)^2 = 0.84
  CHECK(Encoder::log_square_key(1.9) == "1");   // <= 2: floor(v)
  CHECK(Encoder::log_square_key(-0.2) == "-1");
  CHECK(Encoder::log_square_key(-0.0) == "0");
  const Vocabulary& ls = d.vocabularies.at("ls");
  CHECK(ls.keys() == std::vector<std::string>{"-1", "1", "47"});  // numeric order
  CHECK(d.column("ls").ids == std::vector<int32_t>{4, 3, 2, Vocabulary::kOOV});
  CHECK(d.column("raw").values == std::vector<float>{1.5f, 0.0f, -2.0f, 0.0f});
  CHECK(d.column("c").ids == std::vector<int32_t>{2, 2, 1, 1});  // b below min_count 2

  auto path = temp_file("state.json", "");
  e.state().save(path);
  EncoderState back = EncoderState::load(path);
  fs::remove(path);
  CHECK(back.ranges.at("mm") == std::pair{-10.0f, 30.0f});
  Encoder again(s);
  again.set_state(back);
  Dataset d2 = again.make_dataset();
  for (auto& r : train) again.encode(r, d2);
  again.encode(beyond, d2);
  for (const auto& c : d.columns) {
    CHECK(c.ids == d2.column(c.name).ids);
    CHECK(c.values == d2.column(c.name).values);
  }
  EncoderState partial = back;
  partial.ranges.clear();
  CHECK_THROWS_WITH_AS(Encoder(s).set_state(partial), doctest::Contains("no min/max range for field 'mm'"), Error);
  partial = back;
  partial.vocabularies.by_field.erase("c");
  CHECK_THROWS_WITH_AS(Encoder(s).set_state(partial), doctest::Contains("no vocabulary for field 'c'"), Error);
  auto bad = temp_file("bad.json", R"({"vocabularies": {"c": {"min_count": 1}}})");
  CHECK_THROWS_WITH_AS(EncoderState::load(bad), doctest::Contains("field 'c'"), Error);
  fs::remove(bad);
}

TEST_CASE("LineReader: tiny chunks, CRLF kept for the parsers, a last line without newline") {
  auto path = temp_file("lines.txt", "first line\r\n\nsecond, a much longer line than the chunk\nlast");
  LineReader in(path, 4);  // 4-byte chunks: lines span chunks and the buffer grows
  std::string_view line;
  std::vector<std::string> got;
  std::vector<bool> ended;
  while (in.next(line)) {
    got.emplace_back(line);
    ended.push_back(in.terminated());
  }
  CHECK(got == std::vector<std::string>{"first line\r", "", "second, a much longer line than the chunk", "last"});
  CHECK(ended == std::vector<bool>{true, true, true, false});
  CHECK(in.number() == 4);
  CHECK(count_data_lines(path, 0) == 3);
  CHECK(count_data_lines(path, 1) == 2);
  fs::remove(path);
  auto empty = temp_file("empty.txt", "");
  LineReader e(empty);
  CHECK_FALSE(e.next(line));
  fs::remove(empty);
  CHECK_THROWS_WITH_AS(LineReader("/nonexistent/file.txt"), doctest::Contains("cannot open '/nonexistent/file.txt'"),
                       Error);
}

TEST_CASE("BatchIterator: range-for over an epoch, a row subset, statistics, early break") {
  Dataset d = timed_dataset(std::vector<double>(37, 1.0));
  std::vector<int64_t> subset = {3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 36};
  for (bool prefetch : {false, true}) {
    BatchIterator it(d, {.batch_size = 4, .seed = 2, .prefetch = prefetch}, subset);
    CHECK(it.rows() == 11);
    std::multiset<int64_t> seen;
    std::vector<int64_t> sizes;
    for (const Batch& b : it.epoch(0)) {
      seen.insert(b.rows.begin(), b.rows.end());
      sizes.push_back(b.size);
      CHECK(b.label.shape() == Shape{b.size});
    }
    CHECK(seen == std::multiset<int64_t>(subset.begin(), subset.end()));
    CHECK(sizes == std::vector<int64_t>{4, 4, 3});
    CHECK(it.stats().batches == 3);
    CHECK(it.stats().wait_seconds >= 0);
    CHECK(it.stats().max_wait_seconds <= it.stats().wait_seconds);
    int n = 0;
    for (const Batch& b : it.epoch(1)) {  // an early break; the next epoch starts cleanly
      (void)b;
      if (++n == 1) break;
    }
    n = 0;
    for (const Batch& b : it.epoch(1)) n += static_cast<int>(b.size);
    CHECK(n == 11);
  }
  BatchIterator drop(d, {.batch_size = 4, .seed = 2, .drop_last = true}, subset);
  int64_t rows = 0, batches = 0;
  for (const Batch& b : drop.epoch(0)) rows += b.size, ++batches;
  CHECK(batches == 2);
  CHECK(rows == 8);
  CHECK_THROWS_WITH_AS(BatchIterator(d, {}, {40}), doctest::Contains("row 40 out of range (37 rows)"), Error);
  CHECK_THROWS_WITH_AS(BatchIterator(d, {.batch_size = 0}), doctest::Contains("batch_size must be positive"), Error);
}

TEST_CASE("make_batch: a sequence with vocab_from reads the item attributes of its owner's table") {
  Schema s;
  s.fields = {{.name = "y", .kind = FieldKind::Label},
              {.name = "item", .kind = FieldKind::Categorical, .group = FieldGroup::Item},
              {.name = "clicks", .kind = FieldKind::Sequence, .vocab_from = "item", .max_len = 2,
               .item_attributes = {"genre"}}};
  Encoder e(s);
  std::vector<std::vector<std::string_view>> rows = {{"1", "m1", "m2|m3"}, {"0", "m2", ""}, {"1", "m3", "m1|m9"}};
  e.fit(rows[0]);  // the training rows: m9 is never seen
  e.fit(rows[1]);
  e.finalize();
  Dataset d = e.make_dataset();
  for (auto& r : rows) e.encode(r, d);
  // item ids: m1=2, m2=3, m3=4 (m9 unseen: OOV 1). Genres per item row: 0 pad, 1 OOV, m1, m2, m3.
  ItemTable items{.key_field = "item"};
  Column genre{.name = "genre", .kind = FieldKind::MultiValued, .width = 2};
  genre.ids = {0, 0, 0, 0, 5, 6, 7, 0, 5, 0};
  items.attributes.emplace("genre", genre);
  d.item_tables.emplace("item", items);
  std::vector<int64_t> pick = {2, 1, 0};
  Batch b = make_batch(d, pick);
  CHECK(b["clicks"].to_vector() == std::vector<double>{2, 1, 0, 0, 3, 4});
  CHECK(b["clicks.genre"].shape() == Shape{3, 2, 2});
  CHECK(b["clicks.genre"].to_vector() == std::vector<double>{5, 6, 0, 0, 0, 0, 0, 0, 7, 0, 5, 0});
  CHECK(b.mask("clicks").to_vector() == std::vector<double>{1, 1, 0, 0, 1, 1});
  CHECK(b.mask("clicks").dtype() == kFloat32);
  CHECK(b["item"].dtype() == kInt64);
  CHECK(b.label.to_vector() == std::vector<double>{1, 0, 1});
  d.item_tables.clear();
  CHECK_THROWS_WITH_AS(make_batch(d, pick), doctest::Contains("no item table for 'item'"), Error);
}
