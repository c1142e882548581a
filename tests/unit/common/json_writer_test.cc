// JsonWriter writes, byte for byte, what nlohmann's dump(-1, ' ', false, replace) writes for
// the same ordered_json tree (numbers put in as JsonNumber puts them), for trees made from
// a fixed seed: nested objects and arrays, every kind of scalar, strings with quotes,
// control characters, 0x7f, UTF-8 and invalid UTF-8.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_number.h"
#include "common/json_writer.h"

namespace imagine {
namespace {

using ojson = nlohmann::ordered_json;

// Writes `v` through the writer, member by member, in the tree's order.
void WriteTree(const ojson& v, JsonWriter& w) {
  switch (v.type()) {
    case ojson::value_t::object:
      w.BeginObject();
      for (const auto& [key, member] : v.items()) {
        w.Key(key);
        WriteTree(member, w);
      }
      w.EndObject();
      return;
    case ojson::value_t::array:
      w.BeginArray();
      for (const ojson& item : v) WriteTree(item, w);
      w.EndArray();
      return;
    case ojson::value_t::string: w.String(v.get_ref<const std::string&>()); return;
    case ojson::value_t::boolean: w.Bool(v.get<bool>()); return;
    case ojson::value_t::number_integer:
    case ojson::value_t::number_unsigned: w.Int(v.get<int64_t>()); return;
    case ojson::value_t::number_float: w.Number(v.get<double>()); return;
    default: w.Null(); return;
  }
}

const std::vector<std::string>& Strings() {
  static const std::vector<std::string> strings = {
      "", "id", "say \"hi\"", "back\\slash", "tab\tnew\nline\r\b\f", std::string("nul\0end", 7), "\x01\x1f",
      "delete \x7f", "caf\xc3\xa9 \xe2\x98\x83 \xf0\x9f\x8e\xac",  // UTF-8 as it is
      "bad \xff byte", "cut \xe2\x98", "\xc3", "over \xf5\x80\x80\x80", "mixed \xc3\xa9\xff\"\n"};  // replaced
  return strings;
}

ojson Scalar(std::mt19937& rng) {
  const auto& strings = Strings();
  switch (rng() % 9) {
    case 0: return strings[rng() % strings.size()];
    case 1: return static_cast<int64_t>(rng()) - (int64_t{1} << 31);
    case 2: return JsonNumber(static_cast<double>(rng() % 1000) / 8.0);  // whole or not
    case 3: return JsonNumber(std::ldexp(static_cast<double>(rng()), -static_cast<int>(rng() % 60)));
    case 4: return JsonNumber(static_cast<double>(rng()) * 1e10);  // past 9e15: a double
    case 5: return rng() % 2 == 0;
    case 6: return nullptr;
    case 7: return JsonNumber(std::numeric_limits<double>::quiet_NaN());
    default: return std::numeric_limits<int64_t>::min() + static_cast<int64_t>(rng() % 3);
  }
}

ojson Tree(std::mt19937& rng, int depth) {
  if (depth == 0 || rng() % 3 == 0) return Scalar(rng);
  const size_t n = rng() % 5;
  if (rng() % 2 == 0) {
    ojson a = ojson::array();
    for (size_t i = 0; i < n; ++i) a.push_back(Tree(rng, depth - 1));
    return a;
  }
  ojson o = ojson::object();
  const auto& strings = Strings();
  for (size_t i = 0; i < n; ++i) o[strings[rng() % strings.size()] + std::to_string(i)] = Tree(rng, depth - 1);
  return o;
}

TEST_CASE("JsonWriter writes what nlohmann's dump with the replace handler writes, over 2000 trees") {
  std::mt19937 rng(23);
  int nested = 0;
  for (int i = 0; i < 2000; ++i) {
    const ojson tree = Tree(rng, 4);
    if (tree.is_structured() && !tree.empty()) ++nested;
    std::string out = "prefix:";  // the writer appends
    JsonWriter w(&out);
    WriteTree(tree, w);
    const std::string expected = "prefix:" + tree.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    CAPTURE(expected);
    REQUIRE(out == expected);
  }
  CHECK(nested > 500);  // the trees were mostly not bare scalars
}

TEST_CASE("JsonWriter::Number writes what JsonNumber's value dumps as: whole numbers as integers") {
  const double values[] = {0.0, -0.0, 5.0, -5.0, 0.5, -0.5, 9e15 - 1, -(9e15 - 1), 9e15, 1e16, 1e300, 4.9e-324,
                           std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()};
  for (double v : values) {
    std::string out;
    JsonWriter w(&out);
    w.Number(v);
    CAPTURE(v);
    CHECK(out == JsonNumber(v).dump());
  }
}

TEST_CASE("JsonWriter: Raw puts a written value in place, with the commas around it") {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("code");
  w.Int(200);
  w.Key("data");
  w.Raw(R"({"taskId":"t1"})");
  w.Key("list");
  w.BeginArray();
  w.Raw("1");
  w.Raw("[]");
  w.EndArray();
  w.EndObject();
  CHECK(out == R"({"code":200,"data":{"taskId":"t1"},"list":[1,[]]})");
}

}  // namespace
}  // namespace imagine
