// AppendJsonString writes what nlohmann::json's dump writes for the same string.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/text.h"

namespace imagine {
namespace {

TEST_CASE("AppendJsonString escapes as nlohmann::json does, and the result parses back") {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls.push_back(static_cast<char>(c));
  const std::string cases[] = {"",
                               "grok-imagine-video",
                               "say \"hi\"",
                               "back\\slash",
                               "tab\there, newline\n, bell\a, nul" + std::string(1, '\0') + "end",
                               all_controls,
                               "caf\xc3\xa9 \xe2\x9c\x93",  // UTF-8 passes through
                               "\"\\\"\\",
                               "delete \x7f stays as it is"};
  for (const std::string& text : cases) {
    std::string out = "x";
    AppendJsonString(&out, text);
    CAPTURE(text);
    CHECK(out == "x" + nlohmann::json(text).dump());
    CHECK(nlohmann::json::parse(out.substr(1)).get<std::string>() == text);
  }
}

}  // namespace
}  // namespace imagine
