#include "providers/common/request_body.h"

#include <doctest/doctest.h>

namespace imagine {

TEST_CASE("ParseBearer takes the key of a Bearer header") {
  CHECK(*ParseBearer("Bearer abc") == "abc");
  CHECK(*ParseBearer("bearer abc ") == "abc");
  CHECK(*ParseBearer("BEARER   k-1_2") == "k-1_2");
  struct Row {
    const char* header;
    const char* rule;
  };
  const Row rows[] = {{"", "missing"}, {"Basic abc", "malformed"}, {"Bearer", "malformed"},
                      {"Bearer ", "malformed"}, {"Bearer a b", "malformed"}, {"Bearerabc", "malformed"}};
  for (const Row& row : rows) {
    INFO("'" << row.header << "'");
    auto r = ParseBearer(row.header);
    CHECK(r.status().code() == Code::kUnauthenticated);
    CHECK(r.status().violation().rule == row.rule);
  }
}

TEST_CASE("ParseJsonObjectBody accepts a JSON object and names each way a body can be wrong") {
  RequestValidation limits;
  auto ok = ParseJsonObjectBody(R"({"a":[1,{"b":"é"}]})", "application/json; charset=utf-8", limits);
  REQUIRE(ok.ok());
  CHECK((*ok)["a"][1]["b"] == "é");

  struct Row {
    std::string body;
    std::string content_type;
    std::string rule;
    std::string message;
  };
  const Row rows[] = {
      {"{}", "text/plain", "content_type", "Content-Type must be application/json (got \"text/plain\")"},
      {"{}", "", "content_type", "Content-Type must be application/json (got none)"},
      {"", "application/json", "body_empty", "request body is empty; expected a JSON object"},
      {"  \n", "application/json", "body_empty", "request body is empty; expected a JSON object"},
      {"{\"a\":\"\xff\"}", "application/json", "utf8", "request body is not valid UTF-8 (bad byte at offset 6)"},
      {"{\"a\":\"\xc0\xaf\"}", "application/json", "utf8", "request body is not valid UTF-8 (bad byte at offset 6)"},
      {"{\"a\":\"\xed\xa0\x80\"}", "application/json", "utf8", "request body is not valid UTF-8 (bad byte at offset 6)"},
      {"[1,2]", "application/json", "type", "request body must be a JSON object"},
      {"\"text\"", "application/json", "type", "request body must be a JSON object"},
      {"{\"a\":1,}", "application/json", "json",
       "request body is not valid JSON: parse error at line 1, column 8: syntax error while parsing object key - "
       "unexpected '}'; expected string literal"},
  };
  for (const Row& row : rows) {
    INFO(row.body);
    auto r = ParseJsonObjectBody(row.body, row.content_type, limits);
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().violation().rule == row.rule);
    CHECK(r.status().message() == row.message);
  }
}

TEST_CASE("nesting deeper than the limit is refused before parsing, strings do not count") {
  RequestValidation limits;
  std::string deep_ok = "{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}";
  CHECK(ParseJsonObjectBody(deep_ok, "application/json", limits).ok());
  std::string too_deep = "{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}";
  auto r = ParseJsonObjectBody(too_deep, "application/json", limits);
  CHECK(r.status().violation().rule == "depth");
  CHECK(r.status().message() == "request body nests deeper than 64 levels");
  std::string in_string = "{\"a\":\"" + std::string(200, '[') + "\\\"\"}";
  CHECK(ParseJsonObjectBody(in_string, "application/json", limits).ok());
}

TEST_CASE("PointerToFieldPath and DescribeViolation phrase errors as field: problem (got value)") {
  CHECK(PointerToFieldPath("") == "body");
  CHECK(PointerToFieldPath("/input/prompt") == "input.prompt");
  CHECK(PointerToFieldPath("/input/image_urls/0") == "input.image_urls[0]");
  CHECK(PointerToFieldPath("/a~1b/c~0d") == "a/b.c~d");
  Status s = InvalidArgument("must be one of: fun, normal, spicy", Violation{"/input/mode", "enum", "\"wild\""});
  CHECK(DescribeViolation(s) == "input.mode: must be one of: fun, normal, spicy (got \"wild\")");
  Status missing = InvalidArgument("is required", Violation{"/input/prompt", "required", ""});
  CHECK(DescribeViolation(missing) == "input.prompt: is required");
  CHECK(DescribeViolation(InvalidArgument("plain")) == "plain");
}

TEST_CASE("TruncatedJson cuts long values without splitting a UTF-8 character") {
  CHECK(TruncatedJson(nlohmann::json("abc")) == "\"abc\"");
  std::string cut = TruncatedJson(nlohmann::json(std::string(300, 'x')), 100);
  CHECK(cut == "\"" + std::string(99, 'x') + "…");
  std::string utf = TruncatedJson(nlohmann::json("ééééé"), 4);  // "é is 3 bytes with the quote
  CHECK(utf == "\"é…");
}

TEST_CASE("issue 14: a number no double holds names its field, a NUL byte is refused wherever it is") {
  struct Row {
    std::string body;
    std::string pointer;  // "" = the whole body (json rule)
    std::string value;
  };
  const Row rows[] = {
      {R"({"n":1e400})", "/n", "1e400"},
      {R"({"a":[1,2,{"b":[0,-1e999]}]})", "/a/2/b/1", "-1e999"},
      {R"({"x":{"y":1},"a/b":{"c~":[[],9e9999]}})", "/a~1b/c~0/1", "9e9999"},
  };
  for (const Row& row : rows) {
    INFO(row.body);
    auto r = ParseJsonObjectBody(row.body, "application/json", RequestValidation{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().violation().pointer == row.pointer);
    CHECK(r.status().violation().rule == "maximum");
    CHECK(r.status().violation().value == row.value);
  }
  for (std::string body : {std::string("{}\0x", 4), std::string("{\"a\":\"\0\"}", 9), std::string("\0{}", 3)}) {
    auto r = ParseJsonObjectBody(body, "application/json", RequestValidation{});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().violation().rule == "json");
    CHECK(r.status().message().rfind("request body is not valid JSON: NUL byte at offset ", 0) == 0);
  }
  CHECK_FALSE(ParseJsonObjectBody("{} {}", "application/json", RequestValidation{}).ok());
  CHECK(ParseJsonObjectBody(R"({"n":1e300})", "application/json", RequestValidation{}).ok());
}

}  // namespace imagine
