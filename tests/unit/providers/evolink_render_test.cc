#include "providers/evolink/render.h"

#include <doctest/doctest.h>

#include "support/provider_fixtures.h"

namespace imagine::evolink {
namespace {

const Wording& Words() { return testing::EmbeddedWording("evolink"); }

Task Sample() {
  Task t;
  t.id = "task-unified-1757169743-7cvnl5zw";
  t.model = "grok-imagine-image-to-video-beta";
  t.output.kind = MediaKind::kVideo;
  t.credits = 5;
  t.timeline = {1757169743000, 1757169744000, 1757169746000, 1757169756000, TaskState::kSucceeded};
  return t;
}

}  // namespace

TEST_CASE("TaskObject at creation matches the seed's example shape") {
  auto o = TaskObject(Sample(), 1757169743000, "http://h:1", "default", Words());
  CHECK(o.dump() ==
        R"J({"created":1757169743,"id":"task-unified-1757169743-7cvnl5zw","model":"grok-imagine-image-to-video-beta",)J"
        R"J("object":"video.generation.task","progress":0,"status":"pending","task_info":{"can_cancel":true,)J"
        R"J("estimated_time":13},"type":"video","usage":{"billing_rule":"per_call","credits_reserved":5,)J"
        R"J("user_group":"default"}})J");
}

TEST_CASE("TaskObject when completed lists results, when failed carries a task_error") {
  auto done = TaskObject(Sample(), 1757169756000, "http://h:1", "vip", Words());
  CHECK(done["status"] == "completed");
  CHECK(done["progress"] == 100);
  CHECK(done["results"] == nlohmann::json::array({"http://h:1/media/task-unified-1757169743-7cvnl5zw/0.mp4"}));
  CHECK(done["usage"]["user_group"] == "vip");
  CHECK_FALSE(done.contains("error"));

  Task failed = Sample();
  failed.timeline.outcome = TaskState::kFailed;
  failed.fail_reason = "content_policy_violation";
  failed.fail_message = "Content policy violation.";
  auto f = TaskObject(failed, 1757169756000, "http://h:1", "default", Words());
  CHECK(f["status"] == "failed");
  CHECK(f["progress"] == 0);
  CHECK_FALSE(f.contains("results"));
  CHECK(f["error"] == nlohmann::json{{"code", "content_policy_violation"},
                                      {"message", "Content policy violation."},
                                      {"type", "task_error"}});
}

TEST_CASE("status words: waiting and queuing are both pending") {
  CHECK(std::string(StatusName(TaskState::kWaiting)) == "pending");
  CHECK(std::string(StatusName(TaskState::kQueuing)) == "pending");
  CHECK(std::string(StatusName(TaskState::kGenerating)) == "processing");
  CHECK(std::string(StatusName(TaskState::kSucceeded)) == "completed");
  CHECK(std::string(StatusName(TaskState::kFailed)) == "failed");
}

TEST_CASE("RenderError maps each engine code to Evolink's status, code, type and message") {
  struct Row {
    Status status;
    int http;
    std::string body;
  };
  const Row rows[] = {
      {InvalidArgument("must be one of: 6, 10", Violation{"/duration", "enum", "15"}), 400,
       R"J({"error":{"code":"invalid_request","message":"duration: must be one of: 6, 10 (got 15)","type":"invalid_request_error","param":"duration"}})J"},
      {InvalidArgument("x", Violation{"", "invalid_task_id", ""}), 400,
       R"J({"error":{"code":"invalid_task_id","message":"Invalid task ID format, must start with 'task-unified-'","type":"invalid_request_error","param":"task_id"}})J"},
      {Status(Code::kUnauthenticated, "x", Violation{"", "missing", ""}), 401,
       R"J({"error":{"code":"unauthorized","message":"Authentication required","type":"authentication_error"}})J"},
      {Status(Code::kUnauthenticated, "x", Violation{"", "malformed", ""}), 401,
       R"J({"error":{"code":"unauthorized","message":"Invalid or expired token","type":"authentication_error"}})J"},
      {Status(Code::kPermissionDenied, "Token does not have access to model: m"), 403,
       R"J({"error":{"code":"model_access_denied","message":"Token does not have access to model: m","type":"invalid_request_error"}})J"},
      {NotFound("x"), 404,
       R"J({"error":{"code":"task_not_found","message":"The requested task could not be found","type":"invalid_request_error"}})J"},
      {Status(Code::kResourceExhausted, "x"), 429,
       R"J({"error":{"code":"rate_limit_exceeded","message":"Too many requests, please try again later","type":"rate_limit_error"}})J"},
      {Status(Code::kFailedPrecondition, "x"), 402,
       R"J({"error":{"code":"insufficient_quota","message":"Insufficient quota. Please top up your account.","type":"insufficient_quota"}})J"},
      {Status(Code::kPayloadTooLarge, "request body is larger than the 10-byte limit"), 413,
       R"J({"error":{"code":"request_too_large","message":"request body is larger than the 10-byte limit","type":"invalid_request_error"}})J"},
      {Internal("boom"), 500,
       R"J({"error":{"code":"internal_error","message":"Internal server error","type":"api_error"}})J"},
  };
  auto surface = testing::EvolinkSurface();
  for (const Row& row : rows) {
    INFO(row.status.ToString());
    ApiResponse r = surface->RenderError(row.status);
    CHECK(r.status == row.http);
    CHECK(r.body == row.body);
  }
}

}  // namespace imagine::evolink
