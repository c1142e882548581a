// Unit tests for spec/enum_markers.h: one walk fills several lists as one walk per list did.
#include "spec/enum_markers.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace imagine::spec {
namespace {

using json = nlohmann::json;

TEST_CASE("FillEnumMarkers fills every marked node of each list, at any depth, in one walk") {
  const json doc = json::parse(R"({
    "a": {"type": "string", "x-enum": "providers"},
    "b": {"items": [{"x-enum": "documents"}, {"x-enum": "other"}, {"x-enum": 3}]},
    "c": {"properties": {"d": {"x-enum": "providers", "enum": ["old"]}}}})");
  json one_walk = doc;
  CHECK(FillEnumMarkers(&one_walk, {{"providers", {"p1", "p2"}}, {"documents", {"x.yaml"}}}) == 3);
  json per_list = doc;
  CHECK(FillEnumMarkers(&per_list, "providers", {"p1", "p2"}) == 2);
  CHECK(FillEnumMarkers(&per_list, "documents", {"x.yaml"}) == 1);
  CHECK(one_walk == per_list);
  CHECK(one_walk["c"]["properties"]["d"]["enum"] == json({"p1", "p2"}));
  CHECK(one_walk["b"]["items"][0]["enum"] == json({"x.yaml"}));
  CHECK_FALSE(one_walk["b"]["items"][1].contains("enum"));
  CHECK_FALSE(one_walk["b"]["items"][2].contains("enum"));
}

}  // namespace
}  // namespace imagine::spec
