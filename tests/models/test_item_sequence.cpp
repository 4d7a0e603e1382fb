// models/item_sequence.h: the item field and its attributes follow the data's schema
// ("auto"), "none" drops the attributes, and a wrong name is an error naming the knob.
#include <doctest/doctest.h>

#include "core/error.h"
#include "data/schema.h"
#include "models/item_sequence.h"

using namespace tg;

namespace {
data::Schema taobao_like_schema() {
  data::Schema s;
  s.fields.push_back({.name = "adgroup_id", .kind = data::FieldKind::Categorical});
  s.fields.push_back({.name = "cate_id", .kind = data::FieldKind::Categorical});
  s.fields.push_back({.name = "brand", .kind = data::FieldKind::Categorical});
  s.fields.push_back({.name = "click", .kind = data::FieldKind::Sequence, .vocab_from = "adgroup_id", .max_len = 5,
                      .item_attributes = {"cate_id", "brand"}});
  s.fields.push_back({.name = "pid", .kind = data::FieldKind::Categorical});
  return s;
}
}  // namespace

TEST_CASE("item sequence fields: auto reads the history's item table and attributes from the schema") {
  const data::Schema schema = taobao_like_schema();
  models::ItemSequenceFields f;
  f.history = "click";
  models::ItemSequenceFields r = models::resolve_item_fields(f, schema, "qin");
  CHECK(r.item == "adgroup_id");
  CHECK(r.attributes == std::vector<std::string>{"cate_id", "brand"});

  f.attributes = {"none"};
  CHECK(models::resolve_item_fields(f, schema, "qin").attributes.empty());
  f.attributes = {"brand"};
  CHECK(models::resolve_item_fields(f, schema, "qin").attributes == std::vector<std::string>{"brand"});

  f.attributes = {"pid"};  // a field, but not carried per element by the sequence
  CHECK_THROWS_WITH_AS(models::resolve_item_fields(f, schema, "qin"), doctest::Contains("carries no 'pid'"), Error);
  f.attributes = {"auto"};
  f.history = "history";
  CHECK_THROWS_WITH_AS(models::resolve_item_fields(f, schema, "din"),
                       doctest::Contains("--history 'history' is not a sequence field"), Error);
  f.history = "click";
  f.item = "item_id";
  CHECK_THROWS_WITH_AS(models::resolve_item_fields(f, schema, "eain"), doctest::Contains("--item_field 'item_id'"),
                       Error);
}
