// Authentication and not-found answers in each provider's own format, over real HTTP.
#include <doctest/doctest.h>

#include "support/emulator_process.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

const char* kApikleyUnauthorized = R"({"code":401,"msg":"You do not have access permissions","data":null})";

TEST_CASE("missing or malformed Authorization is refused on every provider route") {
  EmulatorProcess emu;
  const std::string t2v = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})";
  const std::string evo = R"({"model":"grok-imagine-text-to-video","prompt":"x"})";
  struct Row {
    const char* method;
    const char* path;
    std::string body;
    bool apikley;
  };
  const Row rows[] = {
      {"POST", "/api/v1/jobs/createTask", t2v, true},
      {"GET", "/api/v1/jobs/recordInfo?taskId=abc", "", true},
      {"GET", "/api/v1/chat/credit", "", true},
      {"POST", "/v1/videos/generations", evo, false},
      {"GET", "/v1/tasks/task-unified-1760000000-abcdefgh", "", false},
      {"GET", "/v1/credits", "", false},
  };
  const char* bad_headers[] = {"", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Bearer two words"};
  for (const Row& row : rows) {
    for (const char* header : bad_headers) {
      httplib::Headers h;
      if (header[0] != '\0') h.emplace("Authorization", header);
      Reply r = emu.Request(row.method, row.path, row.body, h, "application/json");
      INFO(std::string(row.method) << " " << std::string(row.path) << " with '" << std::string(header) << "'");
      if (row.apikley) {
        CHECK(r.status == 200);
        CHECK(r.body == kApikleyUnauthorized);
      } else {
        CHECK(r.status == 401);
        std::string message = header[0] == '\0' ? "Authentication required" : "Invalid or expired token";
        CHECK(r.json() == nlohmann::json{{"error",
                                          {{"code", "unauthorized"},
                                           {"message", message},
                                           {"type", "authentication_error"}}}});
      }
    }
  }
}

TEST_CASE("apikley http_status: mirror_code sends the body code as the HTTP status") {
  std::string config = WriteTempFile("apikley: {http_status: mirror_code}\n");
  EmulatorProcess emu({"--config", config, "--clock", "virtual"});
  Reply r = emu.Get("/api/v1/chat/credit");
  CHECK(r.status == 401);
  CHECK(r.body == kApikleyUnauthorized);
  Reply missing = emu.Get("/api/v1/jobs/recordInfo?taskId=0123456789abcdef0123456789abcdef", "k");
  CHECK(missing.status == 422);
  CHECK(missing.body == R"({"code":422,"msg":"recordInfo is null","data":null})");
  CHECK(emu.Get("/api/v1/chat/credit", "k").status == 200);
}

TEST_CASE("apikley unknown, foreign and missing task ids") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  SUBCASE("default: 422 recordInfo is null, as the live service") {
    EmulatorProcess emu({"--config", config});
    Reply created = emu.Post("/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})", "owner");
    std::string id = created.json()["data"]["taskId"];
    CHECK(emu.Get("/api/v1/jobs/recordInfo?taskId=" + id, "owner").json()["code"] == 200);
    const std::string null_record = R"({"code":422,"msg":"recordInfo is null","data":null})";
    Reply foreign = emu.Get("/api/v1/jobs/recordInfo?taskId=" + id, "intruder");
    CHECK(foreign.status == 200);
    CHECK(foreign.body == null_record);
    for (const char* unknown : {"0123456789abcdef0123456789abcdef", "nope"}) {
      Reply r = emu.Get(std::string("/api/v1/jobs/recordInfo?taskId=") + unknown, "owner");
      CHECK(r.status == 200);
      CHECK(r.body == null_record);
    }
    Reply no_id = emu.Get("/api/v1/jobs/recordInfo", "owner");
    CHECK(no_id.body == R"({"code":400,"msg":"taskId parameter is required","data":null})");
  }
  SUBCASE("unknown_task: not_found answers the documented 404") {
    std::string strict = WriteTempFile("apikley: {unknown_task: not_found}\n");
    EmulatorProcess emu({"--config", strict, "--clock", "virtual"});
    Reply r = emu.Get("/api/v1/jobs/recordInfo?taskId=0123456789abcdef0123456789abcdef", "owner");
    CHECK(r.body == R"({"code":404,"msg":"Task not found","data":null})");
  }
}

TEST_CASE("evolink malformed, unknown and foreign task ids") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config});
  Reply created = emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", "owner");
  REQUIRE(created.status == 200);
  std::string id = created.json()["id"];
  CHECK(emu.Get("/v1/tasks/" + id, "owner").status == 200);

  const nlohmann::json not_found = {{"error",
                                     {{"code", "task_not_found"},
                                      {"message", "The requested task could not be found"},
                                      {"type", "invalid_request_error"}}}};
  Reply foreign = emu.Get("/v1/tasks/" + id, "intruder");
  CHECK(foreign.status == 404);
  CHECK(foreign.json() == not_found);
  Reply unknown = emu.Get("/v1/tasks/task-unified-1760000000-zzzzzzzz", "owner");
  CHECK(unknown.status == 404);
  CHECK(unknown.json() == not_found);

  const nlohmann::json invalid = {{"error",
                                   {{"code", "invalid_task_id"},
                                    {"message", "Invalid task ID format, must start with 'task-unified-'"},
                                    {"type", "invalid_request_error"},
                                    {"param", "task_id"}}}};
  for (const char* bad : {"abc", "task-unified-", "task-unified-12-ABCDEFGH", "task-unified-x-abcdefgh",
                          "task-unified-12-abcdefg", "0123456789abcdef0123456789abcdef"}) {
    Reply r = emu.Get(std::string("/v1/tasks/") + bad, "owner");
    INFO(std::string(bad));
    CHECK(r.status == 400);
    CHECK(r.json() == invalid);
  }
}

TEST_CASE("unknown paths answer in the envelope of the provider that owns the prefix") {
  EmulatorProcess emu;
  Reply a = emu.Get("/api/v1/jobs/nothing", "k");
  CHECK(a.status == 200);
  CHECK(a.body == R"({"code":404,"msg":"Not Found","data":null})");
  Reply e = emu.Get("/v1/nothing", "k");
  CHECK(e.status == 404);
  CHECK(e.json()["error"]["code"] == "not_found");
  Reply wrong_method = emu.Get("/v1/videos/generations", "k");
  CHECK(wrong_method.status == 404);
  CHECK(wrong_method.json()["error"]["message"] == "method GET is not allowed on /v1/videos/generations");
  CHECK(emu.Get("/elsewhere").status == 404);
}

TEST_CASE("result files of unknown or unfinished tasks are 404") {
  std::string config = WriteTempFile(kFixedTimingConfig);
  EmulatorProcess emu({"--config", config});
  Reply created = emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"x"})", "k");
  std::string id = created.json()["id"];
  CHECK(emu.Get("/media/" + id + "/0.mp4").status == 404);  // still pending
  emu.Advance(10);
  CHECK(emu.Get("/media/" + id + "/0.mp4").status == 200);
  CHECK(emu.Get("/media/" + id + "/1.mp4").status == 404);
  CHECK(emu.Get("/media/" + id + "/0.png").status == 404);
  CHECK(emu.Get("/media/unknown/0.mp4").status == 404);
}

}  // namespace
}  // namespace imagine::testing
