#pragma once
// Dataset: encoded columns (int32 ids, float values; never strings), one per schema field,
// plus the labels. Readers produce it; splits take row subsets of it; the batch iterator
// turns rows into tensors (data/batch.h).
//
// Layout: a column of width W (1, or max_len for multi-valued/sequence fields) holds
// rows * W ids, row-major: row r's ids are ids[r*W, (r+1)*W). Multi-valued rows are right-
// padded with 0, sequences left-padded with 0 (most recent last).
// Item attributes (e.g. the genres of every movie) live once in an ItemTable indexed by the
// item's vocabulary id, so a 50-long history does not copy 50 genre lists per row; the Batch
// materialises "<sequence>.<attribute>" [B,T,M] from it.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/schema.h"
#include "data/vocabulary.h"

namespace tg::data {

struct Column {
  std::string name = {};
  FieldKind kind = FieldKind::Categorical;
  int64_t width = 1;
  std::vector<int32_t> ids = {};    // id fields: rows * width
  std::vector<float> values = {};   // numerical fields (without LogSquare): rows

  bool is_numeric() const { return ids.empty() && kind == FieldKind::Numerical; }
};

// Attributes of the items of one vocabulary (rows = that vocabulary's size; row 0 and OOV
// rows are all padding).
struct ItemTable {
  std::string key_field = {};                             // e.g. "movie_id"
  std::map<std::string, Column, std::less<>> attributes = {};  // e.g. "genres": width 6
};

class Dataset {
 public:
  Schema schema;
  Vocabularies vocabularies;
  std::vector<float> labels = {};                      // rows, 0 or 1
  std::vector<Column> columns = {};                    // every non-label field, schema order
  std::map<std::string, ItemTable, std::less<>> item_tables = {};  // by key field

  int64_t rows() const { return static_cast<int64_t>(labels.size()); }
  bool has_column(std::string_view name) const;
  const Column& column(std::string_view name) const;  // error naming it and the known columns
  Column& column(std::string_view name);
  // For readers that fill ids in place: one column per non-label field of the schema, in
  // schema order, holding rows * width zero ids; reserves the labels.
  void allocate_id_columns(size_t rows);
  // A new dataset with the given rows, in the given order (splits, filters).
  Dataset take(std::span<const int64_t> row_indices) const;
  // Checks every column's length against rows() and every id against its vocabulary size;
  // an error names the column, the row and the value.
  void validate() const;
};

}  // namespace tg::data
