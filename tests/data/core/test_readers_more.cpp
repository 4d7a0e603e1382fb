// Readers, continued: truncated last lines, CRLF files, skip counts per format, CSV without a
// header or as TSV, splits given as files (a fitted state reused), the streaming ratio split
// against split() of the whole file, Skive-Above on a request log, known values of the real
// samples.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"
#include "data/filters.h"
#include "data/readers/avazu.h"
#include "data/readers/criteo.h"
#include "data/readers/csv.h"
#include "data/split.h"

using namespace tg;
using namespace tg::data;
namespace fs = std::filesystem;

namespace {

struct Files {
  fs::path dir;
  Files() {
    static int n = 0;
    dir = fs::temp_directory_path() / fmt::format("tapegrad-readers-more-{}-{}", ::getpid(), n++);
    fs::create_directories(dir);
  }
  ~Files() { fs::remove_all(dir); }
  std::string write(const char* name, const std::string& text) const {
    std::ofstream((dir / name).string(), std::ios::binary) << text;
    return (dir / name).string();
  }
};

std::string shared_data() {
  if (const char* env = std::getenv("TAPEGRAD_SHARED_DIR")) return std::string(env) + "/data";
  return std::string(TAPEGRAD_SOURCE_DIR) + "/../shared/data";
}

// A Criteo line: label, I1 = i1, I2..I13 = 2..13, C1 = c1, C2..C26 = 8 hex digits (C5, C10,
// ... empty).
std::string criteo(int label, const std::string& i1, const std::string& c1) {
  std::string s = fmt::format("{}\t{}", label, i1);
  for (int i = 2; i <= 13; ++i) s += fmt::format("\t{}", i);
  s += "\t" + c1;
  for (int i = 2; i <= 26; ++i) s += i % 5 == 0 ? "\t" : fmt::format("\t{:08x}", 0x1000 * i);
  return s;
}

const char* kAvazuHeader =
    "id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,"
    "device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21";
std::string avazu(const std::string& click, const std::string& hour, const std::string& site) {
  return fmt::format("10000{},{},{},1005,0,{},f3845767,28905ebd,ecad2386,7801e8d9,07d7df22,a99f214a,ddd2926e,44956a24,"
                     "1,2,15706,320,50,1722,0,35,-1,79", hour, click, hour, site);
}

const SplitOptions kWhole = {.mode = SplitOptions::Mode::None};

}  // namespace

TEST_CASE("Criteo: a last line without newline counts only when whole; CRLF lines read the same") {
  Files f;
  const std::string a = criteo(0, "5", "05db9164"), b = criteo(1, "7", "68fd1e64");
  // Cut in the middle of the last key (C26 = "0001a000" -> "0001a"): a truncated copy.
  auto cut = f.write("cut.txt", a + "\n" + b.substr(0, b.size() - 3));
  CHECK_THROWS_WITH_AS(read_criteo(cut, {.read = {.split = kWhole}}),
                       doctest::Contains("cut.txt:2: field 'C26': '0001a' is not an 8-hex-digit key and the file ends "
                                         "without a newline"),
                       Error);
  // The same cut with a newline after it is an ordinary (short) key, as the format allows.
  CHECK(read_criteo(f.write("cut-nl.txt", a + "\n" + b.substr(0, b.size() - 3) + "\n"), {.read = {.split = kWhole}})
            .train.rows() == 2);
  // Trailing empty categoricals stripped on the last line (as in the published sample): whole.
  std::string stripped = b.substr(0, b.rfind('\t'));
  stripped = stripped.substr(0, stripped.rfind('\t'));  // ends after C24
  CHECK(read_criteo(f.write("strip.txt", a + "\n" + stripped), {.read = {.split = kWhole}}).train.rows() == 2);
  // Cut inside the integers: too few fields on any line.
  CHECK_THROWS_WITH_AS(read_criteo(f.write("short.txt", a + "\n1\t2\t3"), {.read = {.split = kWhole}}),
                       doctest::Contains("short.txt:2: expected 40 tab-separated fields"), Error);
  // CRLF: the same ids as LF.
  auto lf = read_criteo(f.write("lf.txt", a + "\n" + b + "\n"), {.read = {.split = kWhole}});
  auto crlf = read_criteo(f.write("crlf.txt", a + "\r\n" + b + "\r\n"), {.read = {.split = kWhole}});
  for (const auto& c : lf.train.columns) {
    CHECK(c.ids == crlf.train.column(c.name).ids);
    CHECK(c.values == crlf.train.column(c.name).values);
  }
  CHECK(crlf.train.vocabularies.at("C26").keys() == lf.train.vocabularies.at("C26").keys());
  // max_rows reads only the first rows.
  CHECK(read_criteo(f.write("many.txt", a + "\n" + b + "\n" + a + "\n"), {.read = {.max_rows = 2, .split = kWhole}})
            .train.rows() == 2);
}

TEST_CASE("Criteo: integers go through log-square or min-max; options reach the schema") {
  Files f;
  auto path = f.write("n.txt", criteo(1, "1000", "aa") + "\n" + criteo(0, "-3", "bb") + "\n" + criteo(0, "", "aa") + "\n");
  auto ls = read_criteo(path, {.read = {.split = kWhole}});
  const Vocabulary& v = ls.train.vocabularies.at("I1");
  CHECK(v.keys() == std::vector<std::string>{"-3", "47"});
  CHECK(ls.train.column("I1").ids == std::vector<int32_t>{3, 2, Vocabulary::kOOV});
  auto mm = read_criteo(path, {.numeric = NumericTransform::MinMax, .read = {.split = kWhole}});
  // [-3, 1000]: 1000 -> 1, -3 -> 0, missing -> 0 -> (0 + 3) / 1003.
  CHECK(mm.train.column("I1").values == std::vector<float>{1.0f, 0.0f, static_cast<float>(3.0 / 1003.0)});
  CHECK(mm.state.ranges.at("I1") == std::pair{-3.0f, 1000.0f});
  auto counted = read_criteo(path, {.min_count = 2, .read = {.split = kWhole}});
  CHECK(counted.train.column("C1").ids == std::vector<int32_t>{2, 1, 2});  // bb seen once
  CHECK(criteo_schema({.min_count = 10}).field("C7").min_count == 10);
}

TEST_CASE("readers: the streaming ratio split equals split() of the whole file") {
  Files f;
  std::string text;
  for (int r = 0; r < 57; ++r) text += criteo(r % 3 == 0, std::to_string(r), fmt::format("{:08x}", r % 7)) + "\n";
  auto path = f.write("r.txt", text);
  auto streamed = read_criteo(path, {.numeric = NumericTransform::None, .read = {.split = {.seed = 11}}});
  auto whole = read_criteo(path, {.numeric = NumericTransform::None, .read = {.split = kWhole}});
  DatasetSplits parts = split(whole.train, {.seed = 11});
  CHECK(streamed.train.rows() == 45);  // floor(0.8 * 57)
  CHECK(streamed.valid.rows() == 6);   // floor(0.9 * 57) - 45
  CHECK(streamed.test.rows() == 6);
  CHECK(streamed.train.column("I1").values == parts.train.column("I1").values);
  CHECK(streamed.valid.column("I1").values == parts.valid.column("I1").values);
  CHECK(streamed.test.column("I1").values == parts.test.column("I1").values);
  CHECK(streamed.test.labels == parts.test.labels);
}

TEST_CASE("readers: splits given as files, the training file's state encodes the others") {
  Files f;
  auto train = f.write("train.txt", criteo(1, "3", "aaaaaaaa") + "\n" + criteo(0, "9", "bbbbbbbb") + "\n");
  auto test = f.write("test.txt", criteo(0, "4", "bbbbbbbb") + "\n" + criteo(1, "3", "cccccccc") + "\n");
  auto t = read_criteo(train, {.read = {.split = kWhole}});
  auto state_path = (f.dir / "state.json").string();
  t.state.save(state_path);
  const EncoderState saved = EncoderState::load(state_path);
  auto e = read_criteo(test, {.read = {.split = kWhole, .fitted = &saved}});
  const Vocabulary& c1 = t.train.vocabularies.at("C1");
  CHECK(e.train.column("C1").ids == std::vector<int32_t>{c1.id("bbbbbbbb"), Vocabulary::kOOV});  // cccccccc unseen
  CHECK(e.train.vocabularies.at("C1").keys() == c1.keys());
  CHECK(e.train.column("I1").ids[1] == t.train.column("I1").ids[0]);  // 3 -> the same log-square id
  EncoderState wrong;
  CHECK_THROWS_WITH_AS(read_criteo(test, {.read = {.split = kWhole, .fitted = &wrong}}),
                       doctest::Contains("no vocabulary for field"), Error);
}

TEST_CASE("Avazu: CRLF, missing header columns, skip mode counts bad lines, last line without newline") {
  Files f;
  std::string h = kAvazuHeader;
  auto crlf = f.write("crlf.csv", h + "\r\n" + avazu("1", "14102100", "s1") + "\r\n" + avazu("0", "14102623", "s2"));
  auto s = read_avazu(crlf, {.read = {.split = kWhole}});
  REQUIRE(s.train.rows() == 2);
  CHECK(s.train.labels == std::vector<float>{1, 0});
  CHECK(s.train.vocabularies.at("C21").keys() == std::vector<std::string>{"79"});  // no '\r' in the key
  CHECK(s.train.vocabularies.at("weekday").keys() == std::vector<std::string>{"1", "6"});  // Tue 21, Sun 26 Oct 2014
  auto shorter = f.write("short.csv", h.substr(0, h.rfind(',')) + "\n" + avazu("1", "14102100", "s"));
  CHECK_THROWS_WITH_AS(read_avazu(shorter), doctest::Contains("short.csv:1: header column 24 must be 'C21', got '(missing)'"),
                       Error);
  CHECK_THROWS_WITH_AS(read_avazu(f.write("empty.csv", "")), doctest::Contains("empty.csv: empty file"), Error);
  CHECK_THROWS_WITH_AS(read_avazu(f.write("head.csv", h + "\n")), doctest::Contains("head.csv: no data lines"), Error);
  std::string text = h + "\n" + avazu("1", "14102100", "a") + "\n" +  // line 2: good
                     avazu("2", "14102100", "b") + "\n" +            // 3: label 2
                     avazu("0", "14133100", "c") + "\n" +            // 4: month 13
                     avazu("0", "14102100", "d") + ",extra\n" +      // 5: 25 columns
                     avazu("0", "1410210x", "e") + "\n" +            // 6: not digits
                     avazu("0", "14102105", "f") + "\n";             // 7: good
  auto mixed = f.write("mixed.csv", text);
  CHECK_THROWS_WITH_AS(read_avazu(mixed, {.read = {.split = kWhole}}),
                       doctest::Contains("mixed.csv:3: field 'click': label must be 0 or 1, got '2'"), Error);
  auto skipped = read_avazu(mixed, {.read = {.skip_bad_lines = true, .split = kWhole}});
  CHECK(skipped.skipped == 4);
  CHECK(skipped.lines == 6);
  CHECK(skipped.train.rows() == 2);
  REQUIRE(skipped.skipped_examples.size() == 4);
  CHECK(skipped.skipped_examples[1].find("mixed.csv:4: field 'hour'") != std::string::npos);
  CHECK(skipped.skipped_examples[2].find("mixed.csv:5: expected 24 comma-separated columns, got 25") != std::string::npos);
  // A bad row never reaches a vocabulary.
  CHECK(skipped.train.vocabularies.at("site_id").keys() == std::vector<std::string>{"a", "f"});
}

TEST_CASE("CSV: no header (columns from the schema file), TSV, a byte-order mark, skip counts") {
  Files f;
  auto schema = f.write("s.json", R"({"delimiter": "\t", "header": false, "columns": ["y", "skip", "city", "score"],
      "fields": [{"name": "y", "kind": "label"}, {"name": "city", "kind": "categorical", "group": "context"},
                 {"name": "score", "kind": "numerical", "transform": "min_max"}]})");
  auto data = f.write("d.tsv", "1\tx\t\"New York\"\t10\n0\tx\tParis\t20\n1\tx\tParis\tbad\n0\tx\tParis\n");
  CHECK_THROWS_WITH_AS(read_csv(data, schema, {.split = kWhole}),
                       doctest::Contains("d.tsv:3: field 'score': expected a number, got 'bad'"), Error);
  auto s = read_csv(data, schema, {.skip_bad_lines = true, .split = kWhole});
  CHECK(s.skipped == 2);
  CHECK(s.skipped_examples[1].find("d.tsv:4: expected 4 columns, got 3") != std::string::npos);
  CHECK(s.train.column("city").ids == std::vector<int32_t>{2, 3});  // "New York" < "Paris"
  CHECK(s.train.column("score").values == std::vector<float>{0.0f, 1.0f});
  CHECK(s.train.schema.field("city").group == FieldGroup::Context);
  auto plain = f.write("p.json", R"({"fields": [{"name": "a"}, {"name": "y", "kind": "label"}]})");
  auto bom = f.write("bom.csv", "\xEF\xBB\xBF" "a,y\nk,1\n");
  CHECK(read_csv(bom, plain, {.split = kWhole}).train.column("a").ids == std::vector<int32_t>{2});
  CHECK_THROWS_WITH_AS(read_csv(f.write("q.csv", "a,y\n\"open,1\n"), plain, {.split = kWhole}),
                       doctest::Contains("q.csv:2: unterminated quoted field (column 1)"), Error);
  CHECK_THROWS_WITH_AS(read_csv(f.write("t.csv", "a,y\n\"k\"x,1\n"), plain, {.split = kWhole}),
                       doctest::Contains("t.csv:2: text after a closing quote (column 1)"), Error);
  auto tab_word = f.write("tw.json", R"({"delimiter": "tab", "header": false, "fields": [{"name": "y", "kind": "label"}]})");
  CHECK(load_csv_schema(tab_word).second.delimiter == '\t');
  auto bad_delim = f.write("bd.json", R"({"delimiter": ";;", "fields": [{"name": "y", "kind": "label"}]})");
  CHECK_THROWS_WITH_AS(load_csv_schema(bad_delim), doctest::Contains("bd.json: delimiter must be one character"), Error);
  CHECK_THROWS_WITH_AS(load_csv_schema(f.write("nj.json", "{not json")), doctest::Contains("nj.json: not valid JSON"),
                       Error);
}

TEST_CASE("skive_above on a hand-made request log: interleaved requests, positions out of row order") {
  Files f;
  // request, position, click. Request r1: clicks at 2 and 4 -> keep 1..4, drop 5, 6.
  // r2: no click -> dropped. r3: click at 1 -> keep 1 only. r4: click at the last position.
  auto schema = f.write("log.json", R"({"header": true, "fields": [
      {"name": "click", "kind": "label"}, {"name": "request", "kind": "meta"},
      {"name": "position", "kind": "numerical"}]})");
  auto log = f.write("log.csv",
                     "request,position,click\n"
                     "r1,5,0\nr2,1,0\nr1,1,0\nr3,2,0\nr1,2,1\nr3,1,1\nr1,6,0\nr2,2,0\nr1,4,1\nr1,3,0\n"
                     "r4,1,0\nr4,2,0\nr4,3,1\n");
  auto s = read_csv(log, schema, {.split = kWhole});
  REQUIRE(s.train.rows() == 13);
  auto kept = skive_above(s.train, "request", "position");
  CHECK(kept == std::vector<int64_t>{2, 4, 5, 8, 9, 10, 11, 12});
  Dataset filtered = s.train.take(kept);
  CHECK(filtered.labels == std::vector<float>{0, 1, 1, 1, 0, 0, 0, 1});
  CHECK_THROWS_WITH_AS(skive_above(s.train, "request", "rank"), doctest::Contains("no column 'rank'"), Error);
}

TEST_CASE("readers: known values of the real samples (skipped when ../shared/data is absent)") {
  const std::string criteo_path = shared_data() + "/criteo-kaggle-train-head1000/train.txt";
  const std::string avazu_path = shared_data() + "/avazu-train-head1000/avazu_sample.txt";
  if (!fs::exists(criteo_path) || !fs::exists(avazu_path)) {
    MESSAGE("skipped: the real samples are not present at " << shared_data());
    return;
  }
  // README: the first row is 0 1 1 5 0 1382 4 15 2 181 1 2 _ 2 68fd1e64 80e26c9b fb936136 ...;
  // 1,000 rows, no newline after the last.
  auto c = read_criteo(criteo_path, {.numeric = NumericTransform::None, .read = {.split = kWhole}});
  REQUIRE(c.train.rows() == 1000);
  CHECK(c.skipped == 0);
  CHECK(c.train.labels[0] == 0.0f);
  CHECK(c.train.column("I1").values[0] == 1.0f);
  CHECK(c.train.column("I5").values[0] == 1382.0f);
  CHECK(c.train.column("I12").values[0] == 0.0f);  // empty
  CHECK(c.train.column("C1").ids[0] == c.train.vocabularies.at("C1").id("68fd1e64"));
  CHECK(c.train.column("C3").ids[0] == c.train.vocabularies.at("C3").id("fb936136"));
  CHECK(c.train.vocabularies.at("C1").id("68fd1e64") >= 2);
  // The default (log-square) read: 1382 -> floor(ln(1382)^2) = floor(52.36) = 52.
  auto ls = read_criteo(criteo_path, {.read = {.split = kWhole}});
  CHECK(ls.train.column("I5").ids[0] == ls.train.vocabularies.at("I5").id("52"));
  // README: header + 999 rows, first id 1000009418151094273 at hour 14102100 (Tue 21 Oct 2014, 0h); 159 clicks.
  auto a = read_avazu(avazu_path, {.read = {.split = kWhole}});
  REQUIRE(a.train.rows() == 999);
  CHECK(a.train.column("hour_of_day").ids[0] == a.train.vocabularies.at("hour_of_day").id("0"));
  CHECK(a.train.column("weekday").ids[0] == a.train.vocabularies.at("weekday").id("1"));
  double clicks = 0;
  for (float y : a.train.labels) clicks += y;
  CHECK(clicks == 159);
  // The default 80/10/10 split has exact counts.
  auto split_a = read_avazu(avazu_path);
  CHECK(split_a.train.rows() == 799);
  CHECK(split_a.valid.rows() == 100);
  CHECK(split_a.test.rows() == 100);
}
