// PackedFields: the block format shared by the task store and the journal.
#include "engine/packed_fields.h"

#include <doctest/doctest.h>

#include <string>

namespace imagine {

TEST_CASE("PackedFields: fields come back whole, empty and binary ones included") {
  const std::string binary("a\0b\xff", 4);
  const std::string_view parts[] = {"", "task-1", binary, "", std::string_view("{\"x\":1}")};
  size_t bytes = 0;
  for (std::string_view p : parts) bytes += p.size();
  PackedFieldsWriter w(5, bytes);
  for (std::string_view p : parts) w.Add(p);
  CHECK(w.size() == 5 * 4 + bytes);
  std::unique_ptr<char[]> blob = w.Finish();
  for (int n = 0; n < 5; ++n) {
    INFO("field " << n);
    CHECK(PackedField(blob.get(), 5, n) == parts[n]);
  }
}

TEST_CASE("PackedFields: Next reserves room a caller fills itself") {
  PackedFieldsWriter w(2, 3 + 8);
  w.Add("abc");
  char* out = w.Next(8);
  PutU32(out, 0xDEADBEEF);
  PutU32(out + 4, 7);
  std::unique_ptr<char[]> blob = w.Finish();
  CHECK(PackedField(blob.get(), 2, 0) == "abc");
  std::string_view tail = PackedField(blob.get(), 2, 1);
  REQUIRE(tail.size() == 8);
  CHECK(GetU32(tail.data()) == 0xDEADBEEF);
  CHECK(GetU32(tail.data() + 4) == 7);
}

}  // namespace imagine
