#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <sys/wait.h>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"
#include "data/encoder.h"
#include "data/readers/avazu.h"
#include "data/filters.h"
#include "data/readers/criteo.h"
#include "data/readers/csv.h"

using namespace tg;
using namespace tg::data;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path dir;
  Fixture() {
    static int n = 0;
    dir = fs::temp_directory_path() / fmt::format("tapegrad-readers-{}-{}", ::getpid(), n++);
    fs::create_directories(dir);
  }
  ~Fixture() { fs::remove_all(dir); }
  std::string write(const char* name, const std::string& text) const {
    std::ofstream((dir / name).string(), std::ios::binary) << text;
    return (dir / name).string();
  }
};

std::string shared_dir() {
  if (const char* env = std::getenv("TAPEGRAD_SHARED_DIR")) return env;
  return std::string(TAPEGRAD_SOURCE_DIR) + "/../shared";
}

std::string criteo_line(int label, const std::string& i1, const std::string& c1) {
  std::string s = fmt::format("{}\t{}", label, i1);
  for (int i = 2; i <= 13; ++i) s += fmt::format("\t{}", i);
  s += fmt::format("\t{}", c1);
  for (int i = 2; i <= 26; ++i) s += i % 5 == 0 ? "\t" : "\t68fd1e64";
  return s;
}

const char* kAvazuHeader =
    "id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,"
    "device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21\n";
std::string avazu_line(const std::string& id, int click, const std::string& hour, const std::string& device_ip) {
  return fmt::format("{},{},{},1005,0,1fbe01fe,f3845767,28905ebd,ecad2386,7801e8d9,07d7df22,a99f214a,{},44956a24,1,2,"
                     "15706,320,50,1722,0,35,-1,79\n", id, click, hour, device_ip);
}

}  // namespace

TEST_CASE("Encoder: categorical, multi-valued (right-padded), sequence (left-padded, last T), numeric") {
  Schema s;
  s.fields = {{.name = "y", .kind = FieldKind::Label},
              {.name = "c", .kind = FieldKind::Categorical},
              {.name = "m", .kind = FieldKind::MultiValued, .max_len = 2},
              {.name = "h", .kind = FieldKind::Sequence, .vocab_from = "c", .max_len = 3},
              {.name = "x", .kind = FieldKind::Numerical, .transform = NumericTransform::MinMax},
              {.name = "l", .kind = FieldKind::Numerical, .transform = NumericTransform::LogSquare}};
  Encoder e(s);
  std::vector<std::string_view> r1 = {"1", "b", "p|q|r", "a|b", "2", "100"}, r2 = {"0", "a", "", "", "6", "1"};
  e.fit(r1);
  e.fit(r2);
  e.finalize();
  Dataset d = e.make_dataset();
  e.encode(r1, d);
  std::vector<std::string_view> r3 = {"1", "zz", "q", "a|b|a|b|c", "4", ""};
  e.encode(r3, d);
  CHECK(d.labels == std::vector<float>{1, 1});
  CHECK(d.column("c").ids == std::vector<int32_t>{3, 1});         // a=2, b=3, zz unseen -> OOV
  CHECK(d.column("m").ids == std::vector<int32_t>{2, 3, 3, 0});   // p q (r cut), q + pad
  CHECK(d.column("h").ids == std::vector<int32_t>{0, 2, 3, 2, 3, 1});  // last 3 of a,b,a,b,c; c unseen -> OOV
  CHECK(d.column("x").values == std::vector<float>{0.0f, 0.5f});  // min 2, max 6
  // log-square: 100 -> floor(ln(100)^2) = 21; missing -> OOV
  CHECK(Encoder::log_square_key(100) == "21");
  CHECK(Encoder::log_square_key(2) == "2");
  CHECK(Encoder::log_square_key(-0.5) == "-1");
  CHECK(Encoder::log_square_key(-4e49).size() > 40);  // found by fuzz/criteo_fuzz: no integer overflow
  CHECK(d.column("l").ids[1] == Vocabulary::kOOV);
  d.validate();
  std::vector<std::string_view> bad_label = {"2", "a", "", "", "1", "1"};
  CHECK_THROWS_WITH_AS(e.encode(bad_label, d), doctest::Contains("field 'y': label must be 0 or 1, got '2'"), Error);
  std::vector<std::string_view> bad_num = {"1", "a", "", "", "x1", "1"};
  CHECK_THROWS_WITH_AS(e.encode(bad_num, d), doctest::Contains("field 'x': expected a number, got 'x1'"), Error);
  CHECK(d.rows() == 2);  // a failed row leaves the dataset unchanged
}

TEST_CASE("Criteo reader: fixture in the original format, empty fields, no final newline") {
  Fixture f;
  std::string text;
  for (int i = 0; i < 40; ++i) text += criteo_line(i % 3 == 0, i % 4 == 0 ? "" : std::to_string(i * 7), "05db9164") + "\n";
  text += criteo_line(1, "-1", "");  // no newline at the end of the last line
  auto path = f.write("train.txt", text);
  auto splits = read_criteo(path, {.read = {.split = {.mode = SplitOptions::Mode::None}}});
  CHECK(splits.lines == 41);
  CHECK(splits.train.rows() == 41);
  CHECK(splits.train.columns.size() == 39);
  CHECK(splits.train.labels.back() == 1.0f);
  // C1 of the last row is empty -> OOV; C5 is empty in every row -> OOV
  CHECK(splits.train.column("C1").ids.back() == Vocabulary::kOOV);
  CHECK(splits.train.column("C5").ids[0] == Vocabulary::kOOV);
  splits.train.validate();
  auto ratio = read_criteo(path);
  CHECK(ratio.train.rows() + ratio.valid.rows() + ratio.test.rows() == 41);
  CHECK(ratio.train.rows() > ratio.test.rows());
}

TEST_CASE("Criteo reader: bad lines name file, line and field; skip mode counts them") {
  Fixture f;
  std::string good = criteo_line(0, "3", "05db9164") + "\n";
  auto wrong_count = f.write("a.txt", good + "1\t2\t3\n" + good);
  CHECK_THROWS_WITH_AS(read_criteo(f.write("long.txt", good + criteo_line(0, "1", "a") + "\tx\n")),
                       doctest::Contains("long.txt:2: expected 40 tab-separated fields"), Error);
  // Trailing empty categoricals may be missing: 38 fields read as 40.
  auto trimmed = f.write("trim.txt", good + criteo_line(1, "4", "ab").substr(0, criteo_line(1, "4", "ab").rfind('\t')) + "\n");
  CHECK(read_criteo(trimmed, {.read = {.split = {.mode = SplitOptions::Mode::None}}}).train.rows() == 2);
  CHECK_THROWS_WITH_AS(read_criteo(wrong_count), doctest::Contains("a.txt:2: expected 40 tab-separated fields"), Error);
  auto bad_label = f.write("b.txt", good + criteo_line(3, "1", "x") + "\n");
  CHECK_THROWS_WITH_AS(read_criteo(bad_label, {.read = {.split = {.mode = SplitOptions::Mode::None}}}),
                       doctest::Contains("b.txt:2: field 'label': label must be 0 or 1, got '3'"), Error);
  auto bad_number = f.write("c.txt", good + criteo_line(1, "abc", "x") + "\n");
  CHECK_THROWS_WITH_AS(read_criteo(bad_number, {.read = {.split = {.mode = SplitOptions::Mode::None}}}),
                       doctest::Contains("c.txt:2: field 'I1': expected a number, got 'abc'"), Error);
  auto mixed = f.write("d.txt", good + "junk\n" + good + criteo_line(1, "z", "x") + "\n" + good);
  auto skipped = read_criteo(mixed, {.read = {.skip_bad_lines = true, .split = {.mode = SplitOptions::Mode::None}}});
  CHECK(skipped.skipped == 2);
  CHECK(skipped.train.rows() == 3);
  CHECK(skipped.skipped_examples.size() == 2);
  CHECK(skipped.skipped_examples[0].find("d.txt:2") != std::string::npos);
  CHECK_THROWS_WITH_AS(read_criteo(f.write("e.txt", "")), doctest::Contains("no data lines"), Error);
  CHECK_THROWS_WITH_AS(read_criteo((f.dir / "missing.txt").string()), doctest::Contains("cannot open"), Error);
}

TEST_CASE("Avazu reader: header checked, hour expanded to hour of day and weekday") {
  CHECK(weekday_of(2014, 10, 21) == 1);  // a Tuesday
  CHECK(weekday_of(2000, 1, 1) == 5);    // a Saturday
  Fixture f;
  std::string text = kAvazuHeader;
  text += avazu_line("1", 0, "14102100", "ddd2926e");
  text += avazu_line("2", 1, "14102623", "96809ac8");  // Sunday 23h
  auto path = f.write("avazu.csv", text);
  auto s = read_avazu(path, {.read = {.split = {.mode = SplitOptions::Mode::None}}});
  REQUIRE(s.train.rows() == 2);
  auto& voc_h = s.train.vocabularies.at("hour_of_day");
  auto& voc_w = s.train.vocabularies.at("weekday");
  CHECK(s.train.column("hour_of_day").ids == std::vector<int32_t>{voc_h.id("0"), voc_h.id("23")});
  CHECK(s.train.column("weekday").ids == std::vector<int32_t>{voc_w.id("1"), voc_w.id("6")});
  CHECK(s.train.schema.field("device_ip").group == FieldGroup::User);
  CHECK(s.train.labels == std::vector<float>{0, 1});
  auto bad_header = f.write("h.csv", std::string("id,label,hour\n") + avazu_line("1", 0, "14102100", "x"));
  CHECK_THROWS_WITH_AS(read_avazu(bad_header), doctest::Contains("h.csv:1: header column 2 must be 'click', got 'label'"),
                       Error);
  auto bad_hour = f.write("t.csv", std::string(kAvazuHeader) + avazu_line("1", 0, "1410210", "x"));
  CHECK_THROWS_WITH_AS(read_avazu(bad_hour), doctest::Contains("t.csv:2: field 'hour': expected YYMMDDHH"), Error);
}

TEST_CASE("readers: time split sorts by the time field, ties in file order") {
  Fixture f;
  // Label 1 rows at I1 = 5, 1, 3, 2, 4 (time); a 60/20/20 split by I1 puts times 1..3 in train.
  std::string text;
  for (int t : {5, 1, 3, 2, 4}) text += criteo_line(1, std::to_string(t), "c" + std::to_string(t)) + "\n";
  auto path = f.write("time.txt", text);
  auto s = read_criteo(path, {.numeric = NumericTransform::None,
                              .read = {.split = {.mode = SplitOptions::Mode::Time, .train = 0.6, .valid = 0.2,
                                                 .time_field = "I1"}}});
  CHECK(s.train.rows() == 3);
  CHECK(s.valid.rows() == 1);
  CHECK(s.test.rows() == 1);
  CHECK(s.valid.column("I1").values[0] == 4.0f);
  CHECK(s.test.column("I1").values[0] == 5.0f);
  // Vocabularies come from train only: c4 and c5 are OOV in valid/test.
  CHECK(s.valid.column("C1").ids[0] == Vocabulary::kOOV);
}

TEST_CASE("readers: the real Criteo and Avazu samples in ../shared/data (skipped when absent)") {
  const std::string criteo = shared_dir() + "/data/criteo-kaggle-train-head1000/train.txt";
  const std::string avazu = shared_dir() + "/data/avazu-train-head1000/avazu_sample.txt";
  if (!fs::exists(criteo) || !fs::exists(avazu)) {
    MESSAGE("skipped: ../shared/data is not present");
    return;
  }
  auto c = read_criteo(criteo, {.read = {.split = {.mode = SplitOptions::Mode::None}}});
  CHECK(c.train.rows() == 1000);  // README: 1,000 rows, 205 positives
  double positives = 0;
  for (float y : c.train.labels) positives += y;
  CHECK(positives == 205);
  auto a = read_avazu(avazu, {.read = {.split = {.mode = SplitOptions::Mode::None}}});
  CHECK(a.train.rows() == 999);  // README: header + 999 rows, 159 clicks
  positives = 0;
  for (float y : a.train.labels) positives += y;
  CHECK(positives == 159);
  CHECK(a.train.vocabularies.at("hour_of_day").id("0") >= 2);
}

TEST_CASE("CSV reader: schema file, header mapping, RFC 4180 quoting, skipped columns") {
  Fixture f;
  auto schema = f.write("schema.json", R"({"delimiter": ",", "header": true, "fields": [
      {"name": "clicked", "kind": "label"},
      {"name": "user", "kind": "categorical", "group": "user"},
      {"name": "tags", "kind": "multi_valued", "separator": "|", "max_len": 2},
      {"name": "price", "kind": "numerical"}]})");
  auto data = f.write("data.csv",
                      "user,ignored,price,tags,clicked\r\n"
                      "\"alice, the first\",x,1.5,a|b|c,1\r\n"
                      "bob,\"say \"\"hi\"\"\",2,,0\r\n"
                      "\"alice, the first\",y,3,b,1\r\n");
  auto s = read_csv(data, schema, {.split = {.mode = SplitOptions::Mode::None}});
  REQUIRE(s.train.rows() == 3);
  CHECK(s.train.labels == std::vector<float>{1, 0, 1});
  const auto& users = s.train.vocabularies.at("user");
  CHECK(users.id("alice, the first") == 2);
  CHECK(s.train.column("user").ids == std::vector<int32_t>{2, 3, 2});
  CHECK(s.train.column("tags").ids == std::vector<int32_t>{2, 3, 0, 0, 3, 0});  // a|b (c cut), empty, b
  CHECK(s.train.column("price").values == std::vector<float>{1.5f, 2.0f, 3.0f});
  std::vector<std::string_view> cols;
  std::string scratch;
  split_csv_line("a,\"b,\"\"c\"\"\",,", ',', cols, scratch);
  REQUIRE(cols.size() == 4);
  CHECK(cols[1] == "b,\"c\"");
  CHECK(cols[3].empty());
  CHECK_THROWS_WITH_AS(split_csv_line("a,\"open", ',', cols, scratch), doctest::Contains("unterminated quoted field"), Error);
  auto bad = f.write("bad.csv", "user,ignored,price,tags,clicked\nbob,x,notanumber,,1\n");
  CHECK_THROWS_WITH_AS(read_csv(bad, schema, {.split = {.mode = SplitOptions::Mode::None}}),
                       doctest::Contains("bad.csv:2: field 'price': expected a number, got 'notanumber'"), Error);
  auto missing = f.write("missing.csv", "user,price,clicked\nbob,1,1\n");
  CHECK_THROWS_WITH_AS(read_csv(missing, schema), doctest::Contains("no column for field 'tags'"), Error);
  auto bad_schema = f.write("bad.json", R"({"fields": [{"name": "x", "kind": "nope"}]})");
  CHECK_THROWS_WITH_AS(read_csv(data, bad_schema), doctest::Contains("bad.json: field 'x': unknown kind 'nope'"), Error);
}

TEST_CASE("skive_above: negatives after a request's last positive are dropped, requests without one too") {
  Dataset d;
  d.schema.fields = {{.name = "req", .kind = FieldKind::Categorical}, {.name = "pos", .kind = FieldKind::Numerical},
                     {.name = "label", .kind = FieldKind::Label}};
  // request 2: positions 1..4 with labels 0 1 0 0 -> keep positions 1, 2; request 3: no positive;
  // request 4: positions 2 (neg), 1 (pos) -> the negative at 2 is after the positive at 1: dropped.
  Column req{.name = "req", .kind = FieldKind::Categorical}, pos{.name = "pos", .kind = FieldKind::Numerical};
  req.ids = {2, 2, 2, 2, 3, 3, 4, 4};
  pos.values = {1, 2, 3, 4, 1, 2, 2, 1};
  d.labels = {0, 1, 0, 0, 0, 0, 0, 1};
  d.columns = {req, pos};
  CHECK(skive_above(d, "req", "pos") == std::vector<int64_t>{0, 1, 7});
}

TEST_CASE("fuzz: every line parser and the safetensors reader survive a bounded libFuzzer run") {
  if (std::system("command -v clang++ >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: clang++ (libFuzzer) is not installed");
    return;
  }
  const std::string cmd = fmt::format("bash {}/fuzz/run 3 {} > /dev/null 2>&1", TAPEGRAD_SOURCE_DIR, TAPEGRAD_BUILD_DIR);
  const int status = std::system(cmd.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    MESSAGE("skipped: fuzz/run cannot run here (clang++ without its libFuzzer runtime, or a sanitized build)");
    return;
  }
  CHECK(status == 0);
}

TEST_CASE("fuzz regressions: inputs that once crashed a parser stay harmless") {
  // criteo-log-square-overflow: huge negative integers overflowed the log-square bucketing
  // (undefined behaviour, caught by UBSan in fuzz/criteo_fuzz).
  std::ifstream in(std::string(TAPEGRAD_SOURCE_DIR) + "/tests/data/core/fuzz_regressions/criteo-log-square-overflow.txt",
                   std::ios::binary);
  REQUIRE(in.good());
  std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Encoder enc(criteo_schema());
  enc.finalize();
  Dataset d = enc.make_dataset();
  std::vector<std::string_view> fields;
  std::string scratch;
  try {
    parse_criteo_line(line, fields, scratch);
    enc.encode(fields, d);
  } catch (const Error&) {
  }
  CHECK(d.rows() <= 1);
}
