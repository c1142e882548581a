#include "http/router.h"

#include <doctest/doctest.h>

namespace imagine {
namespace {

RouteEntry Entry(const char* method, const char* path, const char* op) {
  return RouteEntry{method, path, op, nullptr, [](ApiRequest&) { return ApiResponse{}; }};
}

}  // namespace

TEST_CASE("Router matches static and templated paths by method") {
  Router r;
  REQUIRE(r.Add(Entry("POST", "/api/v1/jobs/createTask", "create")).ok());
  REQUIRE(r.Add(Entry("GET", "/v1/tasks/{task_id}", "get")).ok());
  REQUIRE(r.Add(Entry("GET", "/media/{task_id}/{file}", "media")).ok());

  auto m = r.Find("POST", "/api/v1/jobs/createTask");
  REQUIRE(m.entry != nullptr);
  CHECK(m.entry->operation_id == "create");

  auto t = r.Find("GET", "/v1/tasks/task-unified-1-abcdefgh");
  REQUIRE(t.entry != nullptr);
  CHECK(t.entry->operation_id == "get");
  REQUIRE(t.params.size() == 1);
  CHECK(t.params[0].first == "task_id");
  CHECK(t.params[0].second == "task-unified-1-abcdefgh");

  auto media = r.Find("GET", "/media/abc/0.mp4");
  REQUIRE(media.entry != nullptr);
  CHECK(media.params[1].second == "0.mp4");
}

TEST_CASE("Router tells an unknown path from a known path with another method") {
  Router r;
  REQUIRE(r.Add(Entry("POST", "/a", "a")).ok());
  REQUIRE(r.Add(Entry("GET", "/t/{id}", "t")).ok());
  auto wrong = r.Find("GET", "/a");
  CHECK(wrong.entry == nullptr);
  CHECK(wrong.path_known);
  auto wrong_t = r.Find("DELETE", "/t/1");
  CHECK(wrong_t.entry == nullptr);
  CHECK(wrong_t.path_known);
  auto none = r.Find("GET", "/t/1/extra");
  CHECK(none.entry == nullptr);
  CHECK_FALSE(none.path_known);
  CHECK(r.Find("GET", "/t/").entry == nullptr);
}

TEST_CASE("Router refuses a duplicate method and path") {
  Router r;
  REQUIRE(r.Add(Entry("GET", "/x", "1")).ok());
  CHECK(r.Add(Entry("GET", "/x", "2")).code() == Code::kInvalidArgument);
  CHECK(r.Add(Entry("POST", "/x", "3")).ok());
  REQUIRE(r.Add(Entry("GET", "/y/{a}", "4")).ok());
  CHECK(r.Add(Entry("GET", "/y/{a}", "5")).code() == Code::kInvalidArgument);
}

}  // namespace imagine
