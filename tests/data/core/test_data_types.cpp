#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/tapegrad.h"
#include "data/batch.h"
#include "data/iterator.h"

using namespace tg;
using namespace tg::data;

namespace {

// A dataset of `rows` rows: "cat" (row % 5 + 2), "num" (row / 10), "hist" sequences of
// width 3 left-padded, whose items (ids 2..4) have a 2-wide "tags" attribute.
Dataset make_dataset(int64_t rows) {
  Dataset d;
  FieldSpec cat{.name = "cat", .kind = FieldKind::Categorical, .group = FieldGroup::User};
  FieldSpec num{.name = "num", .kind = FieldKind::Numerical};
  FieldSpec hist{.name = "hist", .kind = FieldKind::Sequence, .group = FieldGroup::User, .max_len = 3,
                 .item_attributes = {"tags"}};
  FieldSpec label{.name = "label", .kind = FieldKind::Label};
  d.schema.fields = {cat, num, hist, label};
  Vocabulary vc, vh;
  for (const char* k : {"a", "b", "c", "d", "e"}) vc.count(k);
  for (const char* k : {"10", "20", "30"}) vh.count(k);
  vc.finalize();
  vh.finalize();
  d.vocabularies.by_field.emplace("cat", vc);
  d.vocabularies.by_field.emplace("hist", vh);
  Column c{.name = "cat", .kind = FieldKind::Categorical}, n{.name = "num", .kind = FieldKind::Numerical},
      h{.name = "hist", .kind = FieldKind::Sequence, .width = 3};
  for (int64_t r = 0; r < rows; ++r) {
    c.ids.push_back(static_cast<int32_t>(r % 5 + 2));
    n.values.push_back(static_cast<float>(r / 10));
    int len = static_cast<int>(r % 4);  // 0..3 items, left-padded
    for (int k = 0; k < 3; ++k) h.ids.push_back(k < 3 - len ? 0 : static_cast<int32_t>(2 + (r + k) % 3));
    d.labels.push_back(static_cast<float>(r % 2));
  }
  d.columns = {c, n, h};
  ItemTable items{.key_field = "hist"};
  Column tags{.name = "tags", .kind = FieldKind::MultiValued, .width = 2};
  tags.ids = {0, 0, 0, 0, 7, 0, 8, 9, 9, 0};  // rows 0 (pad), 1 (OOV), items 2, 3, 4
  items.attributes.emplace("tags", tags);
  d.item_tables.emplace("hist", items);
  return d;
}

}  // namespace

TEST_CASE("Vocabulary: ids, OOV, min count, sort order, hashing, save/load") {
  Vocabulary v(2);
  for (const char* k : {"10", "9", "10", "9", "100", "100", "7"}) v.count(k);
  v.finalize();
  // Integers sort numerically; "7" is below min_count 2.
  CHECK(v.keys() == std::vector<std::string>{"9", "10", "100"});
  CHECK(v.id("9") == 2);
  CHECK(v.id("10") == 3);
  CHECK(v.id("100") == 4);
  CHECK(v.id("7") == Vocabulary::kOOV);
  CHECK(v.id("") == Vocabulary::kOOV);
  CHECK(v.size() == 5);

  Vocabulary s;
  for (const char* k : {"b", "T8H", "857", "a"}) s.count(k);
  s.finalize();
  CHECK(s.keys() == std::vector<std::string>{"857", "T8H", "a", "b"});  // bytewise: digits < capitals < lower

  Vocabulary h(1, 100);
  h.count("anything");
  h.finalize();
  CHECK(h.size() == 102);
  CHECK(h.id("x") == h.id("x"));
  CHECK(h.id("x") >= 2);
  CHECK(h.id("x") < 102);

  Vocabularies all;
  all.by_field.emplace("v", v);
  all.by_field.emplace("h", h);
  auto path = std::filesystem::temp_directory_path() / fmt::format("tapegrad-vocab-{}.json", ::getpid());
  all.save(path.string());
  Vocabularies back = Vocabularies::load(path.string());
  std::filesystem::remove(path);
  CHECK(back.at("v").keys() == v.keys());
  CHECK(back.at("v").id("100") == 4);
  CHECK(back.at("h").id("x") == h.id("x"));
  CHECK_THROWS_WITH_AS(back.at("w"), doctest::Contains("none for field 'w'"), Error);
  CHECK_THROWS_WITH_AS(Vocabulary().id("a"), doctest::Contains("before finalize"), Error);
}

TEST_CASE("Schema: JSON round trip and clear errors") {
  Dataset d = make_dataset(1);
  Schema back = Schema::from_json(d.schema.to_json());
  REQUIRE(back.fields.size() == 4);
  CHECK(back.field("hist").max_len == 3);
  CHECK(back.field("hist").item_attributes == std::vector<std::string>{"tags"});
  CHECK(back.field("cat").group == FieldGroup::User);
  CHECK(back.label() == "label");
  CHECK(back.names(FieldGroup::User) == std::vector<std::string>{"cat", "hist"});
  auto bad = nlohmann::json::parse(R"({"fields": [{"name": "x", "kind": "categorial"}]})");
  CHECK_THROWS_WITH_AS(Schema::from_json(bad, "my.json"),
                       doctest::Contains("my.json: field 'x': unknown kind 'categorial'"), Error);
  auto no_len = nlohmann::json::parse(R"({"fields": [{"name": "s", "kind": "sequence"}]})");
  CHECK_THROWS_WITH_AS(Schema::from_json(no_len, "f"), doctest::Contains("needs max_len"), Error);
  CHECK_THROWS_WITH_AS(d.schema.field("nope"), doctest::Contains("no field 'nope' (fields: cat, num, hist, label)"),
                       Error);
}

TEST_CASE("make_batch: tensors, padding, masks and item attributes") {
  Dataset d = make_dataset(8);
  d.validate();
  std::vector<int64_t> rows = {3, 0, 6};
  Batch b = make_batch(d, rows);
  CHECK(b.size == 3);
  CHECK(b["cat"].shape() == Shape{3});
  CHECK(b["cat"].dtype() == kInt64);
  CHECK(b["cat"].to_vector() == std::vector<double>{5, 2, 3});
  CHECK(b["num"].dtype() == kFloat32);
  CHECK(b["hist"].shape() == Shape{3, 3});
  // row 3: 3 items (3+0)%3+2=2, 3, 4; row 0: empty; row 6: 2 items at the end
  CHECK(b["hist"].to_vector() == std::vector<double>{2, 3, 4, 0, 0, 0, 0, 3, 4});
  CHECK(b.mask("hist").to_vector() == std::vector<double>{1, 1, 1, 0, 0, 0, 0, 1, 1});
  CHECK(b["hist.tags"].shape() == Shape{3, 3, 2});
  CHECK(b["hist.tags"].to_vector() ==
        std::vector<double>{7, 0, 8, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 9, 9, 0});
  CHECK(b.label.to_vector() == std::vector<double>{1, 0, 0});
  Batch same = b.to(kCPU);  // what the Trainer does for a model on another device
  CHECK(same.size == 3);
  CHECK(same.rows == rows);
  CHECK(same["hist.tags"].to_vector() == b["hist.tags"].to_vector());
  CHECK(same.label.to_vector() == b.label.to_vector());
  CHECK(same.fields.size() == b.fields.size());
  CHECK_THROWS_WITH_AS(b["nope"], doctest::Contains("no field 'nope'"), Error);
  CHECK_THROWS_WITH_AS(b.mask("num"), doctest::Contains("not ids"), Error);
  std::vector<int64_t> bad_rows = {8};
  CHECK_THROWS_WITH_AS(make_batch(d, bad_rows), doctest::Contains("row 8 out of range"), Error);
  d.column("cat").ids[2] = 9;  // beyond the 7-row vocabulary
  CHECK_THROWS_WITH_AS(d.validate(), doctest::Contains("column 'cat', row 2: id 9 outside the vocabulary of 7 rows"),
                       Error);
}

TEST_CASE("BatchIterator: every row once per epoch, deterministic shuffles, partial last batch") {
  Dataset d = make_dataset(103);
  for (bool prefetch : {false, true}) {
    BatchIterator it(d, {.batch_size = 10, .shuffle = true, .seed = 5, .prefetch = prefetch});
    CHECK(it.batches_per_epoch() == 11);
    std::vector<int64_t> first;
    for (int64_t epoch = 0; epoch < 2; ++epoch) {
      it.start_epoch(epoch);
      std::vector<int64_t> seen;
      int batches = 0;
      while (const Batch* b = it.next()) {
        seen.insert(seen.end(), b->rows.begin(), b->rows.end());
        CHECK(b->size == (batches == 10 ? 3 : 10));
        ++batches;
      }
      CHECK(batches == 11);
      CHECK(it.next() == nullptr);
      std::vector<int64_t> sorted = seen;
      std::sort(sorted.begin(), sorted.end());
      for (int64_t i = 0; i < 103; ++i) CHECK(sorted[static_cast<size_t>(i)] == i);
      if (epoch == 0) first = seen;
      else CHECK(seen != first);  // a different order each epoch
      CHECK(seen == it.epoch_order(epoch));
    }
  }
  // Same seed, same order (also across prefetch settings); no shuffle: row order.
  BatchIterator a(d, {.batch_size = 7, .seed = 9}), b(d, {.batch_size = 7, .seed = 9, .prefetch = false});
  CHECK(a.epoch_order(3) == b.epoch_order(3));
  BatchIterator c(d, {.batch_size = 7, .seed = 10});
  CHECK(a.epoch_order(3) != c.epoch_order(3));
  BatchIterator plain(d, {.batch_size = 50, .shuffle = false});
  plain.start_epoch(0);
  CHECK(plain.next()->rows.front() == 0);
  BatchIterator drop(d, {.batch_size = 10, .drop_last = true});
  CHECK(drop.batches_per_epoch() == 10);
}

TEST_CASE("BatchIterator: early destruction mid-epoch and errors from the worker") {
  Dataset d = make_dataset(500);
  {
    BatchIterator it(d, {.batch_size = 4});
    it.start_epoch(0);
    CHECK(it.next() != nullptr);
  }  // the worker is still producing: the destructor stops it
  Dataset broken = make_dataset(50);
  broken.column("hist").ids[40 * 3 + 2] = 99;  // an item beyond the item table, met by the worker
  BatchIterator it(broken, {.batch_size = 10, .shuffle = false});
  it.start_epoch(0);
  int ok = 0;
  CHECK_THROWS_WITH_AS(
      while (it.next()) ++ok, doctest::Contains("item id 99 beyond its item table"), Error);
  CHECK(ok == 4);  // the four good batches first, then the error
}
