#include "providers/apikley/render.h"

#include <doctest/doctest.h>

#include "support/provider_fixtures.h"

namespace imagine::apikley {
namespace {

const Wording& Words() { return testing::EmbeddedWording("apikley"); }

Task Sample() {
  Task t;
  t.id = "0123456789abcdef0123456789abcdef";
  t.model = "grok-imagine/text-to-video";
  t.request_json = R"({"input":{"prompt":"x"},"model":"grok-imagine/text-to-video"})";
  t.output.kind = MediaKind::kVideo;
  t.credits = 10;
  t.timeline = {1000, 2000, 3000, 11000, TaskState::kSucceeded};
  return t;
}

}  // namespace

TEST_CASE("TaskRecord before completion: no resultJson, null completeTime, zero cost") {
  auto d = TaskRecord(Sample(), 2500, "http://h:1", Words());
  CHECK(d.dump() ==
        R"({"taskId":"0123456789abcdef0123456789abcdef","model":"grok-imagine/text-to-video","state":"queuing",)"
        R"("param":"{\"input\":{\"prompt\":\"x\"},\"model\":\"grok-imagine/text-to-video\"}","failCode":"",)"
        R"("failMsg":"","costTime":0,"completeTime":null,"createTime":1000,"updateTime":2000,"creditsConsumed":0})");
}

TEST_CASE("TaskRecord on success: resultJson is a JSON string, costTime in ms") {
  auto d = TaskRecord(Sample(), 20000, "http://h:1", Words());
  CHECK(d["state"] == "success");
  CHECK(d["resultJson"] ==
        R"({"resultUrls":["http://h:1/media/0123456789abcdef0123456789abcdef/0.mp4"]})");
  CHECK(d["costTime"] == 10000);
  CHECK(d["completeTime"] == 11000);
  CHECK(d["updateTime"] == 11000);
  CHECK(d["creditsConsumed"] == 10);
}

TEST_CASE("TaskRecord on failure carries failCode and failMsg and consumes nothing") {
  Task t = Sample();
  t.timeline.outcome = TaskState::kFailed;
  t.fail_reason = "service_error";
  auto d = TaskRecord(t, 20000, "http://h:1", Words());
  CHECK(d["state"] == "fail");
  CHECK_FALSE(d.contains("resultJson"));
  CHECK(d["failCode"] == "500");
  CHECK(d["failMsg"] == "Internal server error");
  CHECK(d["creditsConsumed"] == 0);
}

TEST_CASE("state names follow Apikley's vocabulary") {
  CHECK(std::string(StateName(TaskState::kWaiting)) == "waiting");
  CHECK(std::string(StateName(TaskState::kQueuing)) == "queuing");
  CHECK(std::string(StateName(TaskState::kGenerating)) == "generating");
  CHECK(std::string(StateName(TaskState::kSucceeded)) == "success");
  CHECK(std::string(StateName(TaskState::kFailed)) == "fail");
}

TEST_CASE("RenderError maps each engine code to Apikley's body code and text") {
  ApikleyOptions always;
  ApikleyOptions mirror;
  mirror.http_status = ApikleyHttpStatus::kMirrorCode;
  struct Row {
    Status status;
    std::string body;
  };
  const Row rows[] = {
      {InvalidArgument("is required", Violation{"/input/prompt", "required", ""}),
       R"({"code":422,"msg":"input.prompt: is required","data":null})"},
      {InvalidArgument("x", Violation{"", "taskId_required", ""}),
       R"({"code":400,"msg":"taskId parameter is required","data":null})"},
      {Status(Code::kUnauthenticated, "x"), R"({"code":401,"msg":"You do not have access permissions","data":null})"},
      {NotFound("x"), R"({"code":422,"msg":"recordInfo is null","data":null})"},
      {Status(Code::kNotFound, "x", Violation{"", "route", ""}), R"({"code":404,"msg":"Not Found","data":null})"},
      {Status(Code::kResourceExhausted, "x"), R"({"code":429,"msg":"Rate limit exceeded","data":null})"},
      {Status(Code::kFailedPrecondition, "x"),
       R"({"code":402,"msg":"Insufficient Credits - Account does not have enough credits to perform the operation","data":null})"},
      {Status(Code::kUnavailable, "x"),
       R"({"code":455,"msg":"Service Unavailable - System is currently undergoing maintenance","data":null})"},
      {Status(Code::kUnimplemented, "x"),
       R"({"code":505,"msg":"Feature Disabled - The requested feature is currently disabled","data":null})"},
      {Status(Code::kPayloadTooLarge, "request body is larger than the 10-byte limit"),
       R"({"code":422,"msg":"request body is larger than the 10-byte limit","data":null})"},
      {Internal("boom"), R"({"code":500,"msg":"Internal server error","data":null})"},
  };
  auto always_surface = testing::ApikleySurface(always);
  auto mirror_surface = testing::ApikleySurface(mirror);
  for (const Row& row : rows) {
    INFO(row.status.ToString());
    ApiResponse a = always_surface->RenderError(row.status);
    CHECK(a.status == 200);
    CHECK(a.body == row.body);
    ApiResponse m = mirror_surface->RenderError(row.status);
    CHECK(m.status == nlohmann::json::parse(row.body)["code"].get<int>());
  }
  ApikleyOptions not_found;
  not_found.unknown_task = ApikleyUnknownTask::kNotFound;
  auto not_found_surface = testing::ApikleySurface(not_found);
  CHECK(not_found_surface->RenderError(NotFound("x")).body == R"({"code":404,"msg":"Task not found","data":null})");
  // Regression (review): record_not_ready is the live 422 quirk even under unknown_task: not_found.
  CHECK(not_found_surface->RenderError(Status(Code::kNotFound, "x", Violation{"", "not_ready", ""})).body ==
        R"({"code":422,"msg":"recordInfo is null","data":null})");
}

}  // namespace imagine::apikley
