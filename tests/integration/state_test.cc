// State that survives (--state-dir): the real binary is killed with SIGKILL in the middle
// of a create load and restarted on the same directory and port; every task whose create
// was answered comes back with the same id, owner, provider, state and result links, and
// each key's credits add up. Run-time profiles, scenario rules (with the matches they have
// left), the virtual clock and the id sequence come back too; a torn last record is
// ignored, a damaged file (a complete last line that does not read included) refuses to
// start with its file:line, a directory in use is refused (its LOCK removed or not).
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/emulator_process.h"
#include "support/scratch.h"
#include "support/test_configs.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

const std::string kEvo = R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})";
const std::string kT2V = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"a cat"}})";

std::string FreshDir() {
  return ScratchSubdir("state-");
}

struct Answered {
  std::string id;
  std::string key;
  std::string provider;
};

// The admin view of every stored task, by id (paged).
std::map<std::string, nlohmann::json> AllTasks(const EmulatorProcess& emu) {
  std::map<std::string, nlohmann::json> out;
  for (size_t offset = 0;; offset += 1000) {
    nlohmann::json page = emu.Get("/_emulator/tasks?limit=1000&offset=" + std::to_string(offset)).json();
    for (const auto& t : page["tasks"]) out[t["id"].get<std::string>()] = t;
    if (page["tasks"].size() < 1000) break;
  }
  return out;
}

nlohmann::json EvolinkCredits(const EmulatorProcess& emu, const std::string& key) {
  return emu.Get("/v1/credits", key).json()["data"]["user"];
}

TEST_CASE("kill -9 during a create load: every answered task comes back the same, and credits add up") {
  const std::string dir = FreshDir();
  const std::string config = WriteTempFile(std::string(kFixedTimingConfig) + R"(
accounts:
  keys:
    evo-a: {credits: 1000000}
    evo-b: {credits: 1000000}
    apk-a: {credits: 1000000, rate_limits: {}}
    apk-b: {credits: 1000000, rate_limits: {}}
)");
  const std::vector<std::string> keys = {"evo-a", "evo-b", "apk-a", "apk-b"};
  std::vector<Answered> answered;
  std::vector<std::string> client_errors;        // what the client threads saw go wrong (asserted here)
  std::map<std::string, nlohmann::json> before;  // admin views taken while the load ran
  std::string cancelled;
  int port = 0;
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    port = emu.port();
    std::mutex mu;
    std::condition_variable progress;  // signalled on each answered create and on each client error
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    struct JoinAtExit {  // a failed REQUIRE below must not leave joinable threads (std::terminate)
      std::atomic<bool>& stop;
      std::vector<std::thread>& threads;
      void Join() {
        stop = true;
        for (auto& t : threads)
          if (t.joinable()) t.join();
      }
      ~JoinAtExit() { Join(); }
    } join_at_exit{stop, clients};
    for (const std::string& key : keys) {
      clients.emplace_back([&, key] {
        const bool evolink = key.rfind("evo", 0) == 0;
        while (!stop.load()) {
          Reply r = evolink ? emu.Post("/v1/videos/generations", kEvo, key)
                            : emu.Post("/api/v1/jobs/createTask", kT2V, key);
          if (r.status == 0) break;  // the process is gone
          const nlohmann::json j = r.json();
          const nlohmann::json::json_pointer id_at(evolink ? "/id" : "/data/taskId");
          std::lock_guard<std::mutex> lock(mu);
          if (r.status != 200 || !j.is_object() || (!evolink && j.value("code", 0) != 200) || !j.contains(id_at) ||
              !j.at(id_at).is_string()) {
            client_errors.push_back(key + ": " + std::to_string(r.status) + " " + r.body);
            progress.notify_all();
            break;
          }
          const std::string id = j.at(id_at).get<std::string>();
          answered.push_back({id, key, evolink ? "evolink" : "apikley"});
          progress.notify_all();
        }
      });
    }
    // Waits until `n` creates were answered; false if a client failed first. The 10-minute cap
    // only ends a hung run (CTest's own timeout would end it later).
    auto wait_for = [&](size_t n) {
      std::unique_lock<std::mutex> lock(mu);
      return progress.wait_for(lock, std::chrono::minutes(10),
                               [&] { return answered.size() >= n || !client_errors.empty(); }) &&
             client_errors.empty();
    };
    auto stop_clients = [&] { join_at_exit.Join(); };
    bool ok = wait_for(150);
    if (ok) {
      emu.Advance(11);  // the first tasks succeed (result links), later ones are still running
      ok = wait_for(300);
    }
    if (ok) {
      emu.Advance(2);
      // Cancel a task that is still running. The clock does not move again, so it stays
      // cancellable whatever the clients do meanwhile.
      for (const auto& [id, t] : AllTasks(emu)) {
        if (t["state"] != "succeeded" && t["state"] != "failed") {
          cancelled = id;
          break;
        }
      }
      ok = !cancelled.empty() && emu.Post("/_emulator/tasks/" + cancelled + "/cancel", "{}").status == 200;
    }
    if (ok) {
      before = AllTasks(emu);  // the clock does not move after this: these views must come back as they are
      ok = wait_for(450);
    }
    if (!ok) {
      stop_clients();
      std::lock_guard<std::mutex> lock(mu);
      FAIL("the load did not run as planned: " << answered.size() << " creates answered, cancelled '" << cancelled
                                               << "', client errors: " << client_errors.size()
                                               << (client_errors.empty() ? "" : " (first: " + client_errors[0] + ")"));
    }
    CHECK(emu.Stop(SIGKILL) != 0);  // while the clients are still sending
    stop_clients();
  }
  REQUIRE(client_errors.empty());
  REQUIRE(answered.size() >= 450);

  EmulatorProcess emu({"--config", config, "--state-dir", dir, "--port", std::to_string(port)});
  nlohmann::json health = emu.Get("/_emulator/health").json();
  CHECK(health["state"]["restored_tasks"].get<size_t>() >= answered.size());
  const std::map<std::string, nlohmann::json> after = AllTasks(emu);
  // At most one create per client was stored but not answered when the process died.
  CHECK(after.size() >= answered.size());
  CHECK(after.size() <= answered.size() + keys.size());

  size_t compared = 0, succeeded = 0;
  for (const Answered& a : answered) {
    auto found = after.find(a.id);
    REQUIRE_MESSAGE(found != after.end(), "answered task " << a.id << " was lost");
    const nlohmann::json& t = found->second;
    CHECK(t["key_label"] == a.key);
    CHECK(t["provider"] == a.provider);
    auto was = before.find(a.id);
    if (was == before.end()) {
      CHECK(t["state"] == "waiting");  // created after the last clock move
      continue;
    }
    CHECK(t["state"] == was->second["state"]);
    CHECK(t["progress"] == was->second["progress"]);
    CHECK(t["results"] == was->second["results"]);
    CHECK(t["created_ms"] == was->second["created_ms"]);
    CHECK(t["finished_ms"] == was->second["finished_ms"]);
    ++compared;
    if (t["state"] == "succeeded") ++succeeded;
  }
  CHECK(compared >= 300);
  CHECK(succeeded > 0);
  MESSAGE("answered " << answered.size() << ", restored " << after.size() << ", compared with the views before the kill "
                      << compared << " (" << succeeded << " succeeded)");
  CHECK(after.at(cancelled)["state"] == "failed");

  // The owner still sees each task through its provider; another key does not.
  auto evo = std::find_if(answered.begin(), answered.end(), [](const Answered& a) { return a.key == "evo-a"; });
  REQUIRE(evo != answered.end());
  CHECK(emu.Get("/v1/tasks/" + evo->id, "evo-a").status == 200);
  CHECK(emu.Get("/v1/tasks/" + evo->id, "evo-b").status == 404);
  auto apk = std::find_if(answered.begin(), answered.end(), [](const Answered& a) { return a.key == "apk-a"; });
  REQUIRE(apk != answered.end());
  nlohmann::json record = emu.Get("/api/v1/jobs/recordInfo?taskId=" + apk->id, "apk-a").json();
  CHECK(record["code"] == 200);
  CHECK(record["data"]["taskId"] == apk->id);
  // A result link from before the kill still downloads.
  for (const auto& [id, t] : before) {
    if (t["state"] != "succeeded") continue;
    const std::string link = t["results"][0].get<std::string>();
    const std::string path = link.substr(link.find("/", std::string("http://").size()));
    Reply media = emu.Get(path);
    CHECK(media.status == 200);
    CHECK(media.content_type == "video/mp4");
    break;
  }

  // Credits add up: each Evolink key paid for its restored tasks that did not fail.
  for (const std::string key : {"evo-a", "evo-b"}) {
    double expected_used = 0;
    for (const auto& [id, t] : after) {
      if (t["key_label"] != key || t["state"] == "failed") continue;
      expected_used += emu.Get("/v1/tasks/" + id, key).json()["usage"]["credits_reserved"].get<double>();
    }
    nlohmann::json credits = EvolinkCredits(emu, key);
    CHECK(credits["used_credits"].get<double>() == doctest::Approx(expected_used));
    CHECK(credits["remaining_credits"].get<double>() + credits["used_credits"].get<double>() == doctest::Approx(1000000));
  }

  // New tasks get new ids and the restored ones keep running on the restored clock.
  Reply fresh = emu.Post("/v1/videos/generations", kEvo, "evo-a");
  REQUIRE(fresh.status == 200);
  CHECK(after.count(fresh.json()["id"].get<std::string>()) == 0);
  emu.Advance(11);
  CHECK(emu.Get("/_emulator/tasks/" + answered.back().id).json()["state"] == "succeeded");
}

TEST_CASE("profiles, scenario rules, the clock and the id sequence survive a restart") {
  const std::string dir = FreshDir();
  const std::string config = WriteTempFile(kFixedTimingConfig);
  std::vector<std::string> ids;
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    REQUIRE(emu.Request("PUT", "/_emulator/keys/vip", R"({"credits":42,"user_group":"vip"})", {}, "application/json")
                .status == 200);
    Reply rule = emu.Post("/_emulator/scenarios/rules", R"({"scenario":"content_policy_violation","key":"ruled","times":2})");
    REQUIRE(rule.status == 201);
    emu.Post("/v1/videos/generations", kEvo, "ruled");  // one of its two matches used
    for (int i = 0; i < 3; ++i) ids.push_back(emu.Post("/v1/videos/generations", kEvo, "vip").json()["id"]);
    emu.Advance(4.5);
    emu.Stop(SIGKILL);
  }
  // The same run without a kill: what a never-stopped emulator answers next.
  std::string expected_next;
  {
    EmulatorProcess twin({"--config", config});
    twin.Request("PUT", "/_emulator/keys/vip", R"({"credits":42,"user_group":"vip"})", {}, "application/json");
    twin.Post("/_emulator/scenarios/rules", R"({"scenario":"content_policy_violation","key":"ruled","times":2})");
    twin.Post("/v1/videos/generations", kEvo, "ruled");
    for (int i = 0; i < 3; ++i) CHECK(twin.Post("/v1/videos/generations", kEvo, "vip").json()["id"] == ids[i]);
    twin.Advance(4.5);
    twin.Post("/v1/videos/generations", kEvo, "ruled");
    twin.Advance(11);
    expected_next = twin.Post("/v1/videos/generations", kEvo, "vip").json()["id"];
  }

  EmulatorProcess emu({"--config", config, "--state-dir", dir});
  CHECK(emu.Get("/_emulator/clock").json()["now_ms"] == kFixedStartMs + 4500);
  nlohmann::json vip = emu.Get("/_emulator/keys/vip").json();
  CHECK(vip["profile"]["credits"] == 42);
  CHECK(vip["profile"]["user_group"] == "vip");
  CHECK(vip["balance"]["remaining"] == 42 - 3 * 5);
  nlohmann::json rules = emu.Get("/_emulator/scenarios").json()["rules"];
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]["times"] == 1);
  CHECK(emu.Post("/v1/videos/generations", kEvo, "ruled").status == 200);
  emu.Advance(11);
  nlohmann::json ruled = emu.Get("/_emulator/tasks?key=ruled").json();
  CHECK(ruled["total"] == 2);  // the rule's last match: both tasks fail by policy
  for (const auto& t : ruled["tasks"]) CHECK(t["state"] == "failed");
  CHECK(emu.Get("/_emulator/scenarios").json()["rules"].empty());
  // The seed's sequence went on where it was: the next id is the twin's.
  Reply next = emu.Post("/v1/videos/generations", kEvo, "vip");
  REQUIRE(next.status == 200);
  CHECK(next.json()["id"] == expected_next);
  for (const std::string& id : ids) CHECK(emu.Get("/v1/tasks/" + id, "vip").json()["status"] == "completed");
}

TEST_CASE("on a real clock a task that finished while the emulator was down is called back after the restart") {
  const std::string dir = FreshDir();
  // Real time, sped up 4x: the task's 10 emulated seconds pass in 2.5 real seconds, time enough
  // to kill the emulator before the task finishes even on a busy machine.
  const std::string config = WriteTempFile(R"(
clock: {mode: real, time_scale: 4}
apikley:
  models:
    grok-imagine/text-to-video: {timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}
)");
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  std::string id;
  std::chrono::steady_clock::time_point finishes;
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    const auto before_create = std::chrono::steady_clock::now();
    Reply r = emu.Post("/api/v1/jobs/createTask",
                       nlohmann::json{{"model", "grok-imagine/text-to-video"}, {"callBackUrl", rx.Url()},
                                      {"input", {{"prompt", "x"}}}}.dump(),
                       "k");
    REQUIRE(r.json()["code"] == 200);
    id = r.json()["data"]["taskId"];
    emu.Stop(SIGKILL);  // long before it finishes
    finishes = before_create + std::chrono::milliseconds(2500);
  }
  // It finishes while nothing runs: wait until its emulated finish instant has passed in real time.
  std::this_thread::sleep_until(finishes + std::chrono::milliseconds(200));
  CHECK(rx.received() == 0);
  EmulatorProcess emu({"--config", config, "--state-dir", dir});
  REQUIRE(PollUntil([&] { return rx.received() >= 1; }));
  const nlohmann::json callback = nlohmann::json::parse(rx.Requests()[0].body);
  CHECK(callback["data"]["taskId"] == id);
  CHECK(callback["data"]["state"] == "success");
  nlohmann::json record = emu.Get("/api/v1/jobs/recordInfo?taskId=" + id, "k").json();
  CHECK(record["data"]["state"] == "success");
}

TEST_CASE("a torn last record is ignored, a damaged record refuses to start with its file and line") {
  const std::string dir = FreshDir();
  const std::string config = WriteTempFile(kFixedTimingConfig);
  std::string id;
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    id = emu.Post("/v1/videos/generations", kEvo, "k").json()["id"];
    emu.Stop(SIGKILL);
  }
  {  // the kill cut the next record short
    std::ofstream log(dir + "/log-1.jsonl", std::ios::app);
    log << R"({"t":"task","seq":9,"task":{"id":"half)";
  }
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    nlohmann::json health = emu.Get("/_emulator/health").json();
    CHECK(health["state"]["torn_tail"] == true);
    CHECK(health["tasks"] == 1);
    CHECK(emu.Get("/v1/tasks/" + id, "k").status == 200);
    emu.Stop(SIGKILL);
  }
  {  // a bad line in the middle is damage, not a torn tail
    std::ofstream log(dir + "/log-2.jsonl", std::ios::app);
    log << "{\"t\":\"seen\",\"id\":\"x\",\"state\":\"nonsense\"}\n{\"t\":\"clock\"}\n";
  }
  auto [code, out] = RunToExit({"--config", config, "--state-dir", dir, "--port", "0"});
  CHECK(code != 0);
  CHECK(out.find(dir + "/log-2.jsonl:1: seen: unknown state") != std::string::npos);
}

TEST_CASE("a state directory in use by another emulator is refused") {
  const std::string dir = FreshDir();
  EmulatorProcess first({"--clock", "virtual", "--state-dir", dir});
  auto [code, out] = RunToExit({"--clock", "virtual", "--state-dir", dir, "--port", "0"});
  CHECK(code != 0);
  CHECK(out.find("is in use by another imagine-emu") != std::string::npos);
}

TEST_CASE("issue 22: a complete last line that does not read refuses to start with its file and line") {
  const std::string dir = FreshDir();
  const std::string config = WriteTempFile(kFixedTimingConfig);
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    emu.Post("/v1/videos/generations", kEvo, "k");
    emu.Stop(SIGKILL);
  }
  {  // newline-terminated: no kill writes that, so it is damage, not a torn write
    std::ofstream log(dir + "/log-1.jsonl", std::ios::app);
    log << "{\"t\":\"task\",\"seq\":9,\"task\":{\"id\":\"half\n";
  }
  auto [code, out] = RunToExit({"--config", config, "--state-dir", dir, "--port", "0"});
  CHECK(code == 2);
  CHECK(out.find(dir + "/log-1.jsonl:2: not a JSON record") != std::string::npos);
}

TEST_CASE("issue 22: removing LOCK does not let a second emulator onto a directory in use") {
  const std::string dir = FreshDir();
  EmulatorProcess first({"--clock", "virtual", "--state-dir", dir});
  REQUIRE(::unlink((dir + "/LOCK").c_str()) == 0);
  auto [code, out] = RunToExit({"--clock", "virtual", "--state-dir", dir, "--port", "0"});
  CHECK(code == 2);
  CHECK(out.find("is in use by another imagine-emu") != std::string::npos);
  CHECK(first.Get("/_emulator/health").json()["status"] == "ok");
}

TEST_CASE("a small compact_bytes compacts the log into snapshots while serving, and nothing is lost") {
  const std::string dir = FreshDir();
  const std::string config =
      WriteTempFile(std::string(kFixedTimingConfig) + "state: {compact_bytes: 4096, fsync: always}\n");
  std::vector<std::string> ids;
  {
    EmulatorProcess emu({"--config", config, "--state-dir", dir});
    for (int i = 0; i < 60; ++i) {
      ids.push_back(emu.Post("/v1/videos/generations", kEvo, "k" + std::to_string(i % 3)).json()["id"]);
      if (i % 20 == 19) emu.Advance(3);
    }
    nlohmann::json state;
    PollUntil([&] {  // compaction runs on its own thread
      state = emu.Get("/_emulator/health").json()["state"];
      return state["snapshots"].get<int>() >= 3;
    });
    CHECK(state["snapshots"].get<int>() >= 3);
    CHECK(state["fsync"] == "always");
    emu.Stop(SIGKILL);
  }
  EmulatorProcess emu({"--config", config, "--state-dir", dir});
  CHECK(emu.Get("/_emulator/health").json()["tasks"] == 60);
  for (size_t i = 0; i < ids.size(); ++i) CHECK(emu.Get("/v1/tasks/" + ids[i], "k" + std::to_string(i % 3)).status == 200);
  CHECK(emu.Get("/_emulator/clock").json()["now_ms"] == kFixedStartMs + 9000);
}

}  // namespace
}  // namespace imagine::testing
