#include "http/request_parser.h"

#include <doctest/doctest.h>

namespace imagine {
namespace {

using Result = RequestParser::Result;

HttpLimits Small() {
  HttpLimits l;
  l.max_body = 64;
  l.max_headers = 4;
  l.max_header_bytes = 256;
  l.max_target = 64;
  return l;
}

}  // namespace

TEST_CASE("RequestParser reads a request fed one byte at a time, query decoded") {
  const std::string wire =
      "GET /v1/tasks/a%20b?taskId=x%2By&q=a+b&flag HTTP/1.1\r\nHost: h\r\nAuthorization:  Bearer k \r\n\r\n";
  RequestParser p(HttpLimits{});
  std::string in;
  Result r = Result::kNeedMore;
  for (size_t i = 0; i < wire.size(); ++i) {
    in.push_back(wire[i]);
    r = p.Feed(in);
    if (i + 1 < wire.size()) REQUIRE(r == Result::kNeedMore);
  }
  REQUIRE(r == Result::kRequest);
  CHECK(p.consumed() == wire.size());
  const ParsedRequest& req = p.request();
  CHECK(req.method == "GET");
  CHECK(req.path == "/v1/tasks/a b");
  CHECK(req.query == "taskId=x%2By&q=a+b&flag");
  CHECK(req.params.find("taskId")->second == "x+y");
  CHECK(req.params.find("q")->second == "a b");
  CHECK(req.params.count("flag") == 1);
  REQUIRE(req.headers.size() == 2);
  CHECK(req.headers[1].first == "Authorization");
  CHECK(req.headers[1].second == "Bearer k");
  CHECK(req.keep_alive);
}

TEST_CASE("RequestParser: pipelined requests are consumed one at a time") {
  std::string in = "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}GET /b HTTP/1.0\r\n\r\n";
  RequestParser p(HttpLimits{});
  REQUIRE(p.Feed(in) == Result::kRequest);
  CHECK(p.request().body == "{}");
  in.erase(0, p.consumed());
  p.Reset();
  REQUIRE(p.Feed(in) == Result::kRequest);
  CHECK(p.request().path == "/b");
  CHECK(p.request().http10);
  CHECK_FALSE(p.request().keep_alive);  // HTTP/1.0 without Connection: keep-alive
}

TEST_CASE("RequestParser decodes chunked bodies, with extensions and trailers") {
  std::string in = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\nNEXT";
  RequestParser p(HttpLimits{});
  REQUIRE(p.Feed(in) == Result::kRequest);
  CHECK(p.request().body == "abcde");
  CHECK(in.substr(p.consumed()) == "NEXT");
}

TEST_CASE("RequestParser refuses what crosses a limit or is ambiguous") {
  struct Row {
    std::string wire;
    int status;
  };
  const std::string big(80, 'a');
  const Row rows[] = {
      {"POST /a HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 413},
      {"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", 413},
      {"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + std::string(32, 'a') + "\r\n21\r\n", 413},
      {"GET /" + big + " HTTP/1.1\r\n\r\n", 414},
      {"GET /" + big + big, 414},
      {"GET / HTTP/1.1\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nA: " + std::string(300, 'a'), 431},
      {"POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST /a HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET /\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n", 400},
      {"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
  };
  for (const Row& row : rows) {
    RequestParser p(Small());
    INFO(row.wire);
    REQUIRE(p.Feed(row.wire) == Result::kError);
    CHECK(p.error_status() == row.status);
  }
  RequestParser same(Small());
  CHECK(same.Feed("POST /a HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}") == Result::kRequest);
}

TEST_CASE("RequestParser asks for 100 Continue once the headers are in") {
  RequestParser p(HttpLimits{});
  CHECK(p.Feed("POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n") == Result::kNeedMore);
  CHECK(p.wants_continue());
}

}  // namespace imagine
