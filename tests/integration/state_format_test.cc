// Issue 25: the state directory's records have a written format
// (schemas/state-records.schema.yaml). A directory written by the emulator before it, in format
// version 1 (tests/fixtures/state-v1, made by its make-fixture.py), is restored as that emulator
// showed it, and the snapshot written at start-up is in version 2; a record that breaks the
// schema refuses the start with its file, line, kind, field and rule.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/emulator_process.h"
#include "support/scratch.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

const std::string kFixture = std::string(IMAGINE_SOURCE_DIR) + "/tests/fixtures/state-v1/";

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, false);
}

}  // namespace

TEST_CASE("issue 25: a state directory of format version 1 restores as that emulator showed it, in version 2 from then on") {
  const nlohmann::json expected = ReadJson(kFixture + "expected.json");
  REQUIRE(expected.is_object());
  const std::string dir = ScratchSubdir("state-v1-");
  for (const char* name : {"snapshot.jsonl", "log-2.jsonl"}) {
    std::filesystem::copy_file(kFixture + name, dir + "/" + name);
  }
  EmulatorProcess emu({"--config", WriteTempFile(expected["config"].get<std::string>()), "--state-dir", dir});
  CHECK(emu.Get("/_emulator/tasks?limit=100").json() == expected["tasks"]);
  nlohmann::json scenarios = emu.Get("/_emulator/scenarios").json();
  CHECK(scenarios["rules"] == expected["scenarios"]["rules"]);
  CHECK(scenarios["chaos"] == expected["scenarios"]["chaos"]);
  CHECK(emu.Get("/_emulator/clock").json() == expected["clock"]);
  for (const auto& [key, view] : expected["keys"].items()) {
    INFO(key);
    CHECK(emu.Get("/_emulator/keys/" + key).json() == view);
  }

  std::ifstream snapshot(dir + "/snapshot.jsonl");  // written at start-up, in the current form
  std::string line;
  REQUIRE(std::getline(snapshot, line));
  CHECK(nlohmann::json::parse(line)["version"] == 2);
  int tasks = 0;
  while (std::getline(snapshot, line)) {
    INFO(line);
    const nlohmann::json record = nlohmann::json::parse(line);
    if (record["t"] == "stored") {
      CHECK(record["task"]["timeline"].is_object());
      ++tasks;
    }
    if (record["t"] == "account") {
      for (const auto& reservation : record["usage"]["active"]) CHECK(reservation.is_object());
    }
    if (record["t"] == "scenarios") CHECK(record["state"]["chaos"].is_object());
  }
  CHECK(tasks == 8);

  emu.Advance(60);  // the id sequence goes on where that emulator's did
  CHECK(emu.Post("/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})", "vip")
            .json()["id"] == expected["next_vip_id"]);
}

TEST_CASE("issue 25: a record that breaks the schema refuses to start with its file, line, kind, field and rule") {
  const std::string dir = ScratchSubdir("state-");
  const std::string config = WriteTempFile(kFixedTimingConfig);
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    emu.Stop(SIGKILL);
  }
  {
    std::ofstream log(dir + "/log-1.jsonl", std::ios::app);
    log << R"({"t":"clock","now":1760000000000,"wall":1760000000000,"scale":1.0,"virtual":true})" << "\n"
        << R"({"t":"chaos","chaos":{"slow":1.5}})" << "\n";
  }
  auto [code, out] = RunToExit({"--config", config, "--state-dir", dir, "--port", "0"});
  CHECK(code == 2);
  CHECK(out.find(dir + "/log-1.jsonl:2: chaos: must be a probability from 0 to 1 (field chaos.slow, rule maximum, got 1.5)") !=
        std::string::npos);
}

}  // namespace imagine::testing
