// The providers' documents as input (issue 12 §3) over real HTTP: `--schemas DIR` loads
// them from a directory instead of the embedded ones, `schemas.models.<model>: FILE` takes a
// provider's published per-model document as it comes (a clean copy of the Evolink seed's
// document, tests/fixtures/), and an unusable document stops start-up with exit 2 and one
// "file: path: problem" line. No rebuild between the runs: only the files change.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "support/emulator_process.h"
#include "support/scratch.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "schemas-key";

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(IMAGINE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `text` with `from` replaced once by `to` (which must be there).
std::string Changed(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  return text.replace(at, from.size(), to);
}

// A fresh directory holding `files` (name -> text).
std::string Dir(const std::map<std::string, std::string>& files) {
  const std::string dir = ScratchSubdir("schemas-");
  for (const auto& [name, text] : files) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out << text;
  }
  return dir;
}

Reply Create(const EmulatorProcess& emu, const std::string& body) {
  return emu.Request("POST", "/v1/videos/generations", body, {{"Authorization", std::string("Bearer ") + kKey}},
                     "application/json");
}

const std::string kSeedCopy = "tests/fixtures/evolink-grok-imagine-image-to-video.openapi.yaml";
const std::string kTwoImages =
    R"({"model":"grok-imagine-image-to-video-beta","prompt":"x","image_urls":["https://e.com/a.png","https://e.com/b.png"]})";
const std::string kFifteen =
    R"({"model":"grok-imagine-image-to-video-beta","prompt":"x","image_urls":["https://e.com/a.png"],"duration":15})";

}  // namespace

TEST_CASE("schemas.models takes Evolink's published document as it comes, a limit changed in it changes what is refused") {
  const std::string seed = ReadSource(kSeedCopy);
  {
    std::string config = WriteTempFile("clock: {mode: virtual}\nschemas:\n  models:\n    grok-imagine-image-to-video-beta: " +
                                       std::string(IMAGINE_SOURCE_DIR) + "/" + kSeedCopy + "\n");
    EmulatorProcess emu({"--config", config});
    Reply two = Create(emu, kTwoImages);
    CHECK(two.status == 400);
    CHECK(two.body ==
          R"J({"error":{"code":"invalid_request","message":"image_urls: must have at most 1 item (got [\"https://e.com/a.png\",\"https://e.com/b.png\"])","type":"invalid_request_error","param":"image_urls"}})J");
    Reply fifteen = Create(emu, kFifteen);
    CHECK(fifteen.status == 400);
    CHECK(fifteen.body ==
          R"J({"error":{"code":"invalid_request","message":"duration: must be one of: 6, 10 (got 15)","type":"invalid_request_error","param":"duration"}})J");
    // The published defaults apply (duration 6, quality 480p), and the legacy name still maps.
    Reply legacy = Create(emu, R"({"model":"grok-imagine-image-to-video","prompt":"x","image_urls":["https://e.com/a.png"]})");
    CHECK(legacy.status == 200);
    CHECK(legacy.json()["model"] == "grok-imagine-image-to-video-beta");
    nlohmann::json task = emu.Get("/_emulator/tasks/" + legacy.json()["id"].get<std::string>()).json();
    nlohmann::json request = task["request"].is_string() ? nlohmann::json::parse(task["request"].get<std::string>()) : task["request"];
    CHECK(request["duration"] == 6);
    CHECK(request["quality"] == "480p");
  }
  // The same document with two limits raised: no rebuild, only the file differs.
  std::string raised = Changed(seed, "          maxItems: 1\n", "          maxItems: 2\n");
  raised = Changed(raised, "          enum:\n            - 6\n            - 10\n", "          enum:\n            - 6\n            - 10\n            - 15\n");
  std::string file = WriteTempFile(raised);
  std::string config = WriteTempFile("clock: {mode: virtual}\nschemas:\n  models:\n    grok-imagine-image-to-video-beta: " + file + "\n");
  EmulatorProcess emu({"--config", config});
  CHECK(Create(emu, kTwoImages).status == 200);
  CHECK(Create(emu, kFifteen).status == 200);
  // Text-to-video keeps the emulator's own schema.
  CHECK(Create(emu, R"({"model":"grok-imagine-text-to-video","prompt":"x","duration":15})").status == 400);
  CHECK(emu.Get("/_emulator/config").json()["schemas"]["models"]["grok-imagine-image-to-video-beta"] == file);
  nlohmann::json served = emu.Get("/_emulator/openapi/evolink.json").json();
  CHECK(served["paths"]["/v1/videos/generations"]["post"]["x-emulator-models"]["grok-imagine-image-to-video-beta"]["$ref"] ==
        "#/x-emulator-published/0/paths/~1v1~1videos~1generations/post/requestBody/content/application~1json/schema");
  CHECK(served["x-emulator-published"][0]["info"]["title"] == "grok-imagine-image-to-video Interface");
}

TEST_CASE("--schemas DIR serves the documents in DIR instead of the embedded ones") {
  // An edited copy of the emulator's own Evolink document: a prompt limit and a new word.
  std::string evolink = ReadSource("schemas/evolink.openapi.yaml");
  evolink = Changed(evolink, "          description: Video description prompt (no length limit documented)\n",
                    "          description: Video description prompt\n          maxLength: 10\n");
  evolink = Changed(evolink, "message: Insufficient quota. Please top up your account.}",
                    "message: Out of credits in this directory.}");
  const std::string dir = Dir({{"evolink.openapi.yaml", evolink}});
  EmulatorProcess emu({"--clock", "virtual", "--schemas", dir});
  Reply long_prompt = Create(emu, R"({"model":"grok-imagine-image-to-video-beta","prompt":"eleven char","image_urls":["https://e.com/a.png"]})");
  CHECK(long_prompt.status == 400);
  CHECK(long_prompt.body ==
        R"J({"error":{"code":"invalid_request","message":"prompt: must be at most 10 characters long (got \"eleven char\")","type":"invalid_request_error","param":"prompt"}})J");
  Reply broke = emu.Request("POST", "/v1/videos/generations",
                            R"({"model":"grok-imagine-text-to-video","prompt":"x"})",
                            {{"Authorization", "Bearer broke-key"}}, "application/json");
  CHECK(broke.status == 402);
  CHECK(broke.json()["error"]["message"] == "Out of credits in this directory.");
  // Apikley, absent from DIR, is the embedded document.
  Reply a = emu.Request("POST", "/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"x"}})",
                        {{"Authorization", std::string("Bearer ") + kKey}}, "application/json");
  CHECK(a.json()["code"] == 200);
  // The control API serves the documents the emulator runs on.
  CHECK(emu.Get("/_emulator/openapi/evolink.yaml").body == evolink);
  CHECK(emu.Get("/_emulator/openapi/evolink.json").json()["components"]["schemas"]["GrokImagineImageToVideoRequest"]
                ["properties"]["prompt"]["maxLength"] == 10);
  CHECK(emu.Get("/_emulator/openapi/apikley.yaml").body == ReadSource("schemas/apikley.openapi.yaml"));
  EmulatorProcess env({"--clock", "virtual"}, {{"IMAGINE_EMU_SCHEMAS", dir}});
  CHECK(env.Get("/_emulator/config").json()["schemas"]["dir"] == dir);
}

TEST_CASE("an unusable document stops start-up: exit 2 and one 'file: path: problem' line") {
  const std::string evolink = ReadSource("schemas/evolink.openapi.yaml");
  struct Row {
    std::vector<std::string> args;
    std::string line;  // the whole output, or its start when it ends in "..."
  };
  const std::string bad_yaml = Dir({{"evolink.openapi.yaml", "openapi: 3.1.0\npaths: [1, 2\n"}});
  const std::string bad_row = Dir({{"evolink.openapi.yaml", Changed(evolink, "status: 402, error_code: insufficient_quota",
                                                                    "status: '402', error_code: insufficient_quota")}});
  const std::string bad_schema = Dir({{"evolink.openapi.yaml", Changed(evolink, "          maxItems: 1\n", "          maxItems: one\n")}});
  const std::string two_ops = WriteTempFile(Changed(ReadSource(kSeedCopy), "paths:\n", "paths:\n  /v1/other:\n    post:\n      operationId: other\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object}\n"));
  const std::string not_openapi = WriteTempFile("swagger: '2.0'\npaths: {}\n");
  auto models = [](const std::string& model, const std::string& file) {
    return std::vector<std::string>{"--config", WriteTempFile("schemas:\n  models:\n    " + model + ": " + file + "\n")};
  };
  const Row rows[] = {
      {{"--schemas", "/nonexistent/schemas"}, "imagine-emu: /nonexistent/schemas: schemas.dir: no such directory\n"},
      {{"--schemas", bad_yaml}, "imagine-emu: " + bad_yaml + "/evolink.openapi.yaml:3:1: end of sequence flow not found\n"},
      {{"--schemas", bad_row},
       "imagine-emu: " + bad_row + "/evolink.openapi.yaml: x-emulator-dialect.errors[..."},  // [n].status: must be an integer
      {{"--schemas", bad_schema}, "imagine-emu: " + bad_schema + "/evolink.openapi.yaml: components/schemas/GrokImagineImageToVideoRequest..."},
      {models("grok-imagine-image-to-video-beta", "/nonexistent/model.yaml"),
       "imagine-emu: /nonexistent/model.yaml: cannot read the file (schemas.models.grok-imagine-image-to-video-beta)\n"},
      {models("grok-imagine-image-to-video-beta", two_ops),
       "imagine-emu: " + two_ops + ": paths: needs exactly one operation with an application/json request body (found 2)\n"},
      {models("grok-imagine-image-to-video-beta", not_openapi),
       "imagine-emu: " + not_openapi + ": openapi: must be an OpenAPI 3.0 or 3.1 document\n"},
      {models("no-such-model", std::string(IMAGINE_SOURCE_DIR) + "/" + kSeedCopy),
       "imagine-emu: config: schemas.models.no-such-model: no provider's document has this model\n"},
  };
  for (const Row& row : rows) {
    std::vector<std::string> args = row.args;
    args.insert(args.end(), {"--port", "0"});  // the error is the row's, never a busy default port
    auto [code, out] = RunToExit(args);
    const std::string shown = out;  // INFO captures by reference; clang refuses a structured binding there
    INFO(shown);
    CHECK(code == 2);
    if (row.line.size() > 3 && row.line.compare(row.line.size() - 3, 3, "...") == 0) {
      CHECK(out.rfind(row.line.substr(0, row.line.size() - 3), 0) == 0);
    } else {
      CHECK(out == row.line);
    }
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  }
}

TEST_CASE("schemas.models takes Apikley's published OpenAPI 3.0 document too, the emulator's rules still apply") {
  const std::string copy = ReadSource("tests/fixtures/apikley-grok-imagine-image-to-video.openapi.yaml");
  auto create = [](const EmulatorProcess& emu, const std::string& input) {
    return emu.Request("POST", "/api/v1/jobs/createTask", R"({"model":"grok-imagine/image-to-video","input":)" + input + "}",
                       {{"Authorization", std::string("Bearer ") + kKey}}, "application/json");
  };
  const std::string index_six = R"({"prompt":"x","task_id":"t","index":6})";
  const std::string five_thousand_one = R"({"prompt":")" + std::string(5001, 'p') + R"(","image_urls":["https://e.com/a.png"]})";
  {
    std::string config = WriteTempFile("clock: {mode: virtual}\nschemas:\n  models:\n    grok-imagine/image-to-video: " +
                                       WriteTempFile(copy) + "\n");
    EmulatorProcess emu({"--config", config});
    CHECK(create(emu, index_six).body == R"J({"code":422,"msg":"input.index: must be less than or equal to 5 (got 6)","data":null})J");
    // The published page states "Maximum length: 5000 characters" only in prose: no maxLength.
    CHECK(create(emu, five_thousand_one).json()["code"] == 200);
    // Cross-field rules are the emulator's, whatever the document: no spicy with external images.
    CHECK(create(emu, R"({"prompt":"x","image_urls":["https://e.com/a.png"],"mode":"spicy"})").json()["code"] == 422);
    nlohmann::json ok = create(emu, R"({"prompt":"x","image_urls":["https://e.com/a.png"]})").json();
    REQUIRE(ok["code"] == 200);
    nlohmann::json record = emu.Get("/api/v1/jobs/recordInfo?taskId=" + ok["data"]["taskId"].get<std::string>(), kKey).json();
    CHECK(nlohmann::json::parse(record["data"]["param"].get<std::string>())["input"]["mode"] == "normal");  // its default
  }
  std::string config = WriteTempFile("clock: {mode: virtual}\nschemas:\n  models:\n    grok-imagine/image-to-video: " +
                                     WriteTempFile(Changed(copy, "                      maximum: 5\n", "                      maximum: 6\n")) + "\n");
  EmulatorProcess emu({"--config", config});
  Reply six = create(emu, index_six);
  CHECK(six.body.find("input.index") == std::string::npos);  // past the schema: the task_id rule answers now
  CHECK(six.json()["code"] == 422);
}

}  // namespace imagine::testing
