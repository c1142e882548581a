// Unit tests for spec/cbor_decode.h: the fast decoder gives exactly what
// nlohmann::json::from_cbor gives (value, number type and, for ordered_json, key order) for every
// embedded pre-parsed document and for each kind of item, and refuses what it does not handle.
#include "spec/cbor_decode.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/resources.h"
#include "spec/yaml_json.h"

namespace imagine::spec {
namespace {

// Where `a` and `b` first differ in value, type (unsigned, integer and float apart) or key
// order, as a JSON pointer and the two types; "" when they are the same.
template <class Json>
std::string FirstDifference(const Json& a, const Json& b, const std::string& at = "") {
  if (a.type() != b.type()) return at + ": " + a.type_name() + " vs " + b.type_name();
  if (a.is_object()) {
    if (a.size() != b.size()) return at + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " keys";
    auto ib = b.begin();
    for (auto ia = a.begin(); ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key()) return at + ": key " + ia.key() + " vs " + ib.key();
      if (std::string d = FirstDifference(ia.value(), ib.value(), at + "/" + ia.key()); !d.empty()) return d;
    }
    return "";
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return at + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " items";
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::string d = FirstDifference(a[i], b[i], at + "/" + std::to_string(i)); !d.empty()) return d;
    }
    return "";
  }
  if (a.is_number_float() && std::isnan(a.template get<double>()) && std::isnan(b.template get<double>())) return "";
  return a == b ? "" : at + ": " + a.dump() + " vs " + b.dump();
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string Cbor(const nlohmann::json& j) {
  const std::vector<uint8_t> bytes = nlohmann::json::to_cbor(j);
  return std::string(bytes.begin(), bytes.end());
}

TEST_CASE("every pre-parsed document decodes as from_cbor and as its YAML parses, in order for ordered_json") {
  int documents = 0;
  for (const Resource& r : PreparsedResources()) {
    const std::string name(r.name);
    INFO(name);
    ++documents;
    auto fast = DecodeCbor(r.data);
    REQUIRE(fast.has_value());
    const nlohmann::json reference = nlohmann::json::from_cbor(r.data.begin(), r.data.end());
    CHECK(FirstDifference(*fast, reference) == "");
    auto from_yaml = ParseYamlDocument(*FindResource(name), name);
    REQUIRE(from_yaml.ok());
    CHECK(FirstDifference(*fast, *from_yaml) == "");

    auto ordered = DecodeOrderedCbor(r.data);
    REQUIRE(ordered.has_value());
    CHECK(FirstDifference(*ordered, nlohmann::ordered_json::from_cbor(r.data.begin(), r.data.end())) == "");
    auto ordered_yaml = ParseOrderedYamlDocument(*FindResource(name), name);
    REQUIRE(ordered_yaml.ok());
    CHECK(FirstDifference(*ordered, *ordered_yaml) == "");
  }
  CHECK(documents >= 8);
}

TEST_CASE("each kind of value decodes with from_cbor's type") {
  const nlohmann::json values = nlohmann::json::parse(R"({
    "small": 5, "byte": 200, "short": 60000, "word": 4000000000, "long": 18446744073709551615,
    "negative": -1, "very negative": -9223372036854775808, "float": 0.5, "double": 0.1,
    "text": "", "long text": "a string longer than twenty-three bytes, with é", "yes": true, "no": false,
    "nothing": null, "list": [1, [], {}], "map": {"b": 1, "a": {"c": [null]}}})");
  auto decoded = DecodeCbor(Cbor(values));
  REQUIRE(decoded.has_value());
  CHECK(FirstDifference(*decoded, values) == "");
  CHECK((*decoded)["small"].is_number_unsigned());
  CHECK((*decoded)["negative"].is_number_integer());
  CHECK_FALSE((*decoded)["negative"].is_number_unsigned());

  // to_cbor writes NaN and the infinities as half floats.
  auto special = DecodeCbor(Cbor(nlohmann::json::array({std::numeric_limits<double>::infinity(),
                                                         -std::numeric_limits<double>::infinity(),
                                                         std::numeric_limits<double>::quiet_NaN()})));
  REQUIRE(special.has_value());
  CHECK((*special)[0].get<double>() == std::numeric_limits<double>::infinity());
  CHECK((*special)[1].get<double>() == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan((*special)[2].get<double>()));
  auto half = DecodeCbor(Bytes({0xf9, 0x3c, 0x00}));  // 1.0
  REQUIRE(half.has_value());
  CHECK(half->get<double>() == 1.0);
}

TEST_CASE("an ordered_json keeps the order the CBOR lists the keys in") {
  nlohmann::ordered_json doc;
  doc["zeta"] = 1;
  doc["alpha"] = {{"y", 2}, {"x", 3}};
  const std::vector<uint8_t> bytes = nlohmann::ordered_json::to_cbor(doc);
  const std::string cbor(bytes.begin(), bytes.end());
  auto ordered = DecodeOrderedCbor(cbor);
  REQUIRE(ordered.has_value());
  CHECK(ordered->dump() == R"({"zeta":1,"alpha":{"y":2,"x":3}})");
  auto sorted = DecodeCbor(cbor);  // a std::map sorts them whatever the order
  REQUIRE(sorted.has_value());
  CHECK(sorted->dump() == R"({"alpha":{"x":3,"y":2},"zeta":1})");
}

TEST_CASE("what the decoder does not handle is refused, for from_cbor to say why") {
  const struct {
    const char* what;
    std::string bytes;
  } kRefused[] = {
      {"nothing", ""},
      {"a truncated text", Bytes({0x63, 'a', 'b'})},
      {"a truncated map", Bytes({0xa1, 0x61, 'a'})},
      {"a truncated integer", Bytes({0x19, 0x01})},
      {"a byte after the value", Bytes({0x01, 0x01})},
      {"a byte string", Bytes({0x41, 0x00})},
      {"a tag", Bytes({0xc1, 0x01})},
      {"an indefinite-length map", Bytes({0xbf, 0xff})},
      {"an indefinite-length text", Bytes({0x7f, 0xff})},
      {"a reserved length", Bytes({0x1c})},
      {"undefined", Bytes({0xf7})},
      {"a key that is not text", Bytes({0xa1, 0x01, 0x01})},
      {"a duplicate key", Bytes({0xa2, 0x61, 'a', 0x01, 0x61, 'a', 0x02})},
      {"a negative integer beyond 64 bits", Bytes({0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0})},
      {"an array longer than its bytes", Bytes({0x9a, 0x7f, 0xff, 0xff, 0xff})},
  };
  for (const auto& row : kRefused) {
    INFO(row.what);
    CHECK_FALSE(DecodeCbor(row.bytes).has_value());
    CHECK_FALSE(DecodeOrderedCbor(row.bytes).has_value());
  }
  std::string deep;
  for (int i = 0; i <= kMaxYamlDepth + 1; ++i) deep.push_back(static_cast<char>(0x81));  // [[[...
  deep.push_back(0x01);
  CHECK_FALSE(DecodeCbor(deep).has_value());
  CHECK(DecodeCbor(deep.substr(deep.size() - 1 - kMaxYamlDepth)).has_value());  // as deep as allowed
}

}  // namespace
}  // namespace imagine::spec
