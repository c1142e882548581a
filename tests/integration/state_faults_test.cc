// A state directory that cannot be written (issue 22 §3): every change whose record cannot be
// written is refused and undone, in the provider's or the control API's format, health says
// degraded and why, and after a restart nothing answered 200 is missing and nothing refused is
// there; a start without room for a new snapshot serves on and compacts later. The full disk
// is the test-only fault seam: while the file named by IMAGINE_STATE_FAULT_FILE_FOR_TEST exists,
// every write to the state directory fails with ENOSPC.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/emulator_process.h"
#include "support/scratch.h"
#include "support/test_configs.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

const std::string kEvo = R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})";

void SetFull(const std::string& fault, bool full) {
  if (full) {
    std::ofstream(fault) << "full";
  } else {
    ::unlink(fault.c_str());
  }
}

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Every kind of answered change, one request each; `i` makes each round's values its own.
struct Changes {
  const EmulatorProcess& emu;
  std::vector<Reply> Run(const std::vector<std::string>& running, uint64_t rule_to_delete, int i) const {
    std::vector<Reply> r;
    r.push_back(emu.Post("/v1/videos/generations", kEvo, "k"));                                   // 0 create
    r.push_back(emu.Post("/_emulator/tasks/" + running[0] + "/complete", "{}"));                   // 1
    r.push_back(emu.Post("/_emulator/tasks/" + running[1] + "/fail", R"({"reason":"generation_failed"})"));
    r.push_back(emu.Post("/_emulator/tasks/" + running[2] + "/cancel", "{}"));                     // 3
    r.push_back(emu.Post("/_emulator/tasks/" + running[3] + "/advance", "{}"));                    // 4
    r.push_back(emu.Request("PUT", "/_emulator/keys/vip", R"({"credits":)" + std::to_string(40 + i) + "}", {},
                            "application/json"));                                                 // 5
    r.push_back(emu.Post("/_emulator/scenarios/rules",
                         R"({"scenario":"content_policy_violation","key":"r)" + std::to_string(i) + R"("})"));  // 6
    r.push_back(emu.Request("DELETE", "/_emulator/scenarios/rules/" + std::to_string(rule_to_delete), "", {}, ""));
    r.push_back(emu.Post("/_emulator/clock/advance", R"({"seconds":0.5})"));                       // 8
    r.push_back(emu.Post("/_emulator/reset", R"({"key":"gone)" + std::to_string(i) + R"("})"));    // 9
    return r;
  }
};

std::vector<std::string> CreateRunning(const EmulatorProcess& emu, const std::string& key) {
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(emu.Post("/v1/videos/generations", kEvo, key).json()["id"]);
  return ids;
}

TEST_CASE("issue 22: with the state directory unwritable every change is refused and undone, and a restart keeps what was answered") {
  const std::string dir = ScratchSubdir("state-");
  const std::string fault = ScratchPath("disk-full-", "");
  const std::string config = WriteTempFile(kFixedTimingConfig);
  const std::map<std::string, std::string> env = {{"IMAGINE_STATE_FAULT_FILE_FOR_TEST", fault}};
  std::vector<std::string> refused_running, kept_running;
  std::string kept_create;
  uint64_t rule_a = 0, rule_b = 0;
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir}, env);
    refused_running = CreateRunning(emu, "k");
    kept_running = CreateRunning(emu, "k");
    rule_a = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"content_policy_violation","key":"ra"})").json()["id"];
    rule_b = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"content_policy_violation","key":"rb"})").json()["id"];
    emu.Post("/v1/videos/generations", kEvo, "gone1");
    emu.Post("/v1/videos/generations", kEvo, "gone2");
    const nlohmann::json tasks_before = emu.Get("/_emulator/tasks?limit=100").json();
    const nlohmann::json vip_before = emu.Get("/_emulator/keys/vip").json();
    const nlohmann::json rules_before = emu.Get("/_emulator/scenarios").json()["rules"];
    const nlohmann::json clock_before = emu.Get("/_emulator/clock").json();

    SetFull(fault, true);
    const std::vector<Reply> refused = Changes{emu}.Run(refused_running, rule_a, 1);
    REQUIRE(refused.size() == 10);
    CHECK(refused[0].status == 500);  // Evolink's envelope, its own 500 words plus why
    CHECK(refused[0].json()["error"]["code"] == "internal_error");
    CHECK(refused[0].json()["error"]["message"] ==
          "Internal server error: cannot append to " + dir + "/log-1.jsonl: No space left on device");
    for (size_t i = 1; i < refused.size(); ++i) {
      INFO("change " << i << ": " << refused[i].body);
      CHECK(refused[i].status == 500);
      CHECK(refused[i].json()["error"]["code"] == "internal");
      CHECK(refused[i].json()["error"]["message"] ==
            "the change could not be written to the state directory, so it was not made: cannot append to " + dir +
                "/log-1.jsonl: No space left on device");
    }
    nlohmann::json health = emu.Get("/_emulator/health").json();
    CHECK(health["status"] == "degraded");
    CHECK(health["state"]["write_error"] == "cannot append to " + dir + "/log-1.jsonl: No space left on device");
    CHECK(health["state"]["write_errors"] == 10);
    // Nothing of the refused changes shows.
    CHECK(emu.Get("/_emulator/tasks?limit=100").json() == tasks_before);
    CHECK(emu.Get("/_emulator/keys/vip").json() == vip_before);
    CHECK(emu.Get("/_emulator/scenarios").json()["rules"] == rules_before);
    CHECK(emu.Get("/_emulator/clock").json() == clock_before);

    SetFull(fault, false);
    const std::vector<Reply> kept = Changes{emu}.Run(kept_running, rule_b, 2);
    for (size_t i = 0; i < kept.size(); ++i) {
      INFO("change " << i << ": " << kept[i].body);
      CHECK(kept[i].status == (i == 6 ? 201 : 200));
    }
    kept_create = kept[0].json()["id"];
    health = emu.Get("/_emulator/health").json();
    CHECK(health["status"] == "ok");
    CHECK(health["state"]["write_error"] == "");
    // The log says why once for the episode, and once that it is over. The process's output is
    // read by another thread: wait until the second line has arrived, then count.
    CHECK(PollUntil([&] { return Count(emu.output(), "succeed again (10 changes were refused meanwhile)") >= 1; }));
    CHECK(Count(emu.output(), "every change is refused (and undone) until a write succeeds again") == 1);
    CHECK(Count(emu.output(), "succeed again (10 changes were refused meanwhile)") == 1);
    emu.Stop(SIGKILL);
  }
  EmulatorProcess emu({"--config", config, "--state-dir", dir});
  // What was answered 200 is there; what was refused is not.
  CHECK(emu.Get("/_emulator/clock").json()["now_ms"] == kFixedStartMs + 500);
  CHECK(emu.Get("/_emulator/keys/vip").json()["profile"]["credits"] == 42);
  nlohmann::json rules = emu.Get("/_emulator/scenarios").json()["rules"];
  REQUIRE(rules.size() == 2);
  CHECK(rules[0]["id"] == rule_a);
  CHECK(rules[1]["key"] == "r2");
  CHECK(emu.Get("/_emulator/tasks?key=gone1").json()["total"] == 1);
  CHECK(emu.Get("/_emulator/tasks?key=gone2").json()["total"] == 0);
  CHECK(emu.Get("/v1/tasks/" + kept_create, "k").status == 200);
  CHECK(emu.Get("/_emulator/tasks?key=k").json()["total"] == 9);  // 8 before, 1 kept create
  const std::vector<std::string> kept_states = {"succeeded", "failed", "failed", "queuing"};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(emu.Get("/_emulator/tasks/" + kept_running[i]).json()["state"] == kept_states[i]);
    CHECK(emu.Get("/_emulator/tasks/" + refused_running[i]).json()["state"] == "waiting");
  }
}

TEST_CASE("issue 22: without room for a new snapshot the emulator starts from its log and compacts once there is room") {
  const std::string dir = ScratchSubdir("state-");
  const std::string fault = ScratchPath("disk-full-", "");
  const std::string config = WriteTempFile(kFixedTimingConfig);
  const std::map<std::string, std::string> env = {{"IMAGINE_STATE_FAULT_FILE_FOR_TEST", fault}};
  std::vector<std::string> ids;
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir}, env);
    for (int i = 0; i < 3; ++i) ids.push_back(emu.Post("/v1/videos/generations", kEvo, "k").json()["id"]);
    emu.Stop(SIGKILL);
  }
  {  // the kill also cut a record short: the log is served on from its last whole line
    std::ofstream log(dir + "/log-1.jsonl", std::ios::app);
    log << R"({"t":"task","seq":9,"task":{"id":"half)";
  }
  SetFull(fault, true);
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir}, env);
    nlohmann::json health = emu.Get("/_emulator/health").json();
    CHECK(health["status"] == "degraded");
    CHECK(health["tasks"] == 3);
    CHECK(health["state"]["generation"] == 1);
    CHECK(health["state"]["snapshots"] == 0);
    CHECK(health["state"]["compaction_error"] == "state: cannot write " + dir + "/snapshot.jsonl.tmp: No space left on device");
    CHECK(emu.Post("/v1/videos/generations", kEvo, "k").status == 500);  // still full: refused
    for (const std::string& id : ids) CHECK(emu.Get("/v1/tasks/" + id, "k").status == 200);

    SetFull(fault, false);
    Reply created = emu.Post("/v1/videos/generations", kEvo, "k");  // appended to log-1
    REQUIRE(created.status == 200);
    ids.push_back(created.json()["id"]);
    REQUIRE(PollUntil([&] { return emu.Get("/_emulator/health").json()["status"] == "ok"; }));
    health = emu.Get("/_emulator/health").json();
    CHECK(health["state"]["snapshots"] == 1);  // the retried compaction
    CHECK(health["state"]["generation"] == 2);
    CHECK(health["state"]["compaction_error"] == "");
    ids.push_back(emu.Post("/v1/videos/generations", kEvo, "k").json()["id"]);  // to log-2
    emu.Stop(SIGKILL);
  }
  EmulatorProcess emu({"--config", config, "--state-dir", dir});
  CHECK(emu.Get("/_emulator/health").json()["tasks"] == 5);
  for (const std::string& id : ids) CHECK(emu.Get("/v1/tasks/" + id, "k").status == 200);
}

}  // namespace
}  // namespace imagine::testing
