// The three providers side by side (issue 26): on one port, each under its own prefix, and
// each on a port of its own (--listen NAME=0, server.listen), where it is served at its root
// path and under its prefix while the main port keeps serving everything. Each provider's
// client completes create -> query -> done wherever it is pointed.
#include <doctest/doctest.h>

#include <httplib.h>

#include <map>
#include <string>
#include <vector>

#include "support/emulator_process.h"
#include "support/test_net.h"
#include "support/test_receiver.h"

namespace imagine::testing {
namespace {

// A client of one provider at one base URL ("http://127.0.0.1:N" + "/xai/v1" etc.).
struct Client {
  int port;
  std::string base;

  Reply Send(const std::string& method, const std::string& path, const std::string& body) const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    httplib::Headers headers = {{"Authorization", "Bearer demo-key"}};
    auto res = method == "POST" ? c.Post((base + path).c_str(), headers, body, "application/json")
                                : c.Get((base + path).c_str(), headers);
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.body = res->body;
    return r;
  }
};

// The one thing each provider's client does: create, query (not yet finished), then, after
// the clock moved on, query again and see its own "done". Returns the task id.
std::string Apikley(const Client& c, const EmulatorProcess& emu) {
  Reply created = c.Send("POST", "/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"a kite"}})");
  REQUIRE_MESSAGE(created.status == 200, created.body);
  const std::string id = created.json()["data"]["taskId"].get<std::string>();
  Reply first = c.Send("GET", "/jobs/recordInfo?taskId=" + id, "");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.json()["data"]["state"] == "waiting");
  emu.Advance(120);
  Reply done = c.Send("GET", "/jobs/recordInfo?taskId=" + id, "");
  CHECK(done.json()["data"]["state"] == "success");
  return id;
}

std::string Evolink(const Client& c, const EmulatorProcess& emu) {
  Reply created = c.Send("POST", "/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"a kite"})");
  REQUIRE_MESSAGE(created.status == 200, created.body);
  const std::string id = created.json()["id"].get<std::string>();
  Reply first = c.Send("GET", "/tasks/" + id, "");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.json()["status"] == "pending");
  emu.Advance(120);
  Reply done = c.Send("GET", "/tasks/" + id, "");
  CHECK(done.json()["status"] == "completed");
  return id;
}

std::string Xai(const Client& c, const EmulatorProcess& emu) {
  Reply created = c.Send("POST", "/videos/generations", R"({"prompt":"a kite","duration":1})");
  REQUIRE_MESSAGE(created.status == 200, created.body);
  const std::string id = created.json()["request_id"].get<std::string>();
  Reply first = c.Send("GET", "/videos/" + id, "");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.json()["status"] == "pending");
  emu.Advance(120);
  Reply done = c.Send("GET", "/videos/" + id, "");
  CHECK(done.json()["status"] == "done");
  return id;
}

// How many tasks each provider has, from the control API.
std::map<std::string, int> TasksByProvider(const EmulatorProcess& emu) {
  Reply tasks = emu.Get("/_emulator/tasks");
  REQUIRE(tasks.status == 200);
  std::map<std::string, int> count;
  const nlohmann::json listed = tasks.json();
  for (const auto& t : listed["tasks"]) count[t["provider"].get<std::string>()]++;
  return count;
}

}  // namespace

TEST_CASE("the three providers side by side on one port, each under its own prefix, complete create query done") {
  EmulatorProcess emu;
  Apikley(Client{emu.port(), "/apikley/api/v1"}, emu);
  Evolink(Client{emu.port(), "/evolink/v1"}, emu);
  Xai(Client{emu.port(), "/xai/v1"}, emu);
  CHECK(TasksByProvider(emu) == std::map<std::string, int>{{"apikley", 1}, {"evolink", 1}, {"xai", 1}});
}

TEST_CASE("the three providers on three ports of their own, at the root path, complete create query done") {
  EmulatorProcess emu({"--clock", "virtual", "--seed", "1", "--listen", "apikley=0", "--listen", "evolink=0", "--listen",
                       "xai=0"});
  const int apikley = emu.ProviderPort("apikley");
  const int evolink = emu.ProviderPort("evolink");
  const int xai = emu.ProviderPort("xai");
  CHECK(apikley != emu.port());
  CHECK(evolink != emu.port());
  CHECK(xai != emu.port());
  CHECK(apikley != evolink);
  CHECK(evolink != xai);

  // A client's base URL is the provider's port with the provider's own path, as for the real API.
  const std::string apikley_id = Apikley(Client{apikley, "/api/v1"}, emu);
  const std::string evolink_id = Evolink(Client{evolink, "/v1"}, emu);
  const std::string xai_id = Xai(Client{xai, "/v1"}, emu);
  // Under its prefix on its own port too; and its tasks are the main port's tasks.
  Xai(Client{xai, "/xai/v1"}, emu);
  CHECK(Client{emu.port(), "/xai/v1"}.Send("GET", "/videos/" + xai_id, "").json()["status"] == "done");
  CHECK(Client{emu.port(), ""}.Send("GET", "/v1/tasks/" + evolink_id, "").json()["status"] == "completed");
  CHECK(Client{emu.port(), ""}.Send("GET", "/api/v1/jobs/recordInfo?taskId=" + apikley_id, "").status == 200);

  // A provider's port serves that provider only, in its own words; the control API stays on the main port.
  Reply foreign = Client{xai, ""}.Send("POST", "/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video"})");
  CHECK(foreign.status == 404);
  Reply unknown = Client{xai, "/v1"}.Send("GET", "/models", "");
  CHECK(unknown.status == 404);
  CHECK(unknown.json()["code"] == "Some requested entity was not found");  // xAI's envelope at its root
  CHECK(Client{evolink, ""}.Send("GET", "/_emulator/tasks", "").status == 404);
  CHECK(TasksByProvider(emu) == std::map<std::string, int>{{"apikley", 1}, {"evolink", 1}, {"xai", 2}});
}

TEST_CASE("server.listen in a config file gives a provider its port, and an unknown provider is refused") {
  const std::string config = WriteTempFile("server: {listen: {xai: 0}}\n");
  EmulatorProcess emu({"--config", config, "--clock", "virtual"});
  Xai(Client{emu.ProviderPort("xai"), "/v1"}, emu);

  auto [code, out] = RunToExit({"--port", "0", "--config", WriteTempFile("server: {listen: {nobody: 0}}\n")});
  CHECK(code != 0);
  CHECK(out.find("server.listen.nobody: no such provider (expected one of: apikley, evolink, xai)") != std::string::npos);
  auto [flag_code, flag_out] = RunToExit({"--port", "0", "--listen", "xai=port"});
  CHECK(flag_code != 0);
  CHECK(flag_out.find("--listen: xai: must be an integer from 0 to 65535 (got \"port\")") != std::string::npos);
  auto [name_code, name_out] = RunToExit({"--port", "0", "--listen", "nobody=1"});
  CHECK(name_code != 0);
  CHECK(name_out.find("--listen: must be PROVIDER=N (any of apikley, evolink, xai, each once; got \"nobody=1\")") !=
        std::string::npos);
}

TEST_CASE("the HAR export sends a request made on a provider's own port to that provider on the main port") {
  EmulatorProcess emu({"--listen", "xai=0", "--listen", "evolink=0", "--clock", "virtual"});
  const int xai = emu.ProviderPort("xai");
  const int evolink = emu.ProviderPort("evolink");
  REQUIRE(Client{xai, "/v1"}.Send("POST", "/videos/generations", R"({"prompt":"a kite","duration":1})").status == 200);
  REQUIRE(Client{xai, "/xai/v1"}.Send("GET", "/videos/nope", "").status == 404);  // already under /xai
  REQUIRE(Client{evolink, "/v1"}.Send("POST", "/videos/generations",
                                      R"({"model":"grok-imagine-text-to-video","prompt":"a kite"})")
              .status == 200);
  Reply har = emu.Get("/_emulator/journal.har");
  REQUIRE(har.status == 200);
  const nlohmann::json log = har.json()["log"];
  std::vector<std::string> urls;
  for (const auto& e : log["entries"]) urls.push_back(e["request"]["url"].get<std::string>());
  REQUIRE(urls.size() == 3);
  CHECK(urls[0] == emu.base_url() + "/xai/v1/videos/generations");
  CHECK(urls[1] == emu.base_url() + "/xai/v1/videos/nope");  // already under /xai: not prefixed twice
  CHECK(urls[2] == emu.base_url() + "/v1/videos/generations");  // Evolink is at the main port's root
  // Replayed as exported, the first request reaches xAI again (Evolink would want a model).
  Reply replay = emu.Post(urls[0].substr(emu.base_url().size()), R"({"prompt":"a kite","duration":1})", "demo-key");
  CHECK(replay.status == 200);
  CHECK(replay.json().contains("request_id"));
}


TEST_CASE("a provider's port that is the main port or another provider's is refused, naming the clash") {
  const int port = ClosedPort();
  REQUIRE(port > 0);
  const std::string p = std::to_string(port);
  auto [main_code, main_out] = RunToExit({"--port", p, "--listen", "xai=" + p});
  CHECK(main_code != 0);
  CHECK_MESSAGE(main_out.find("config: server.listen.xai: port " + p +
                              " is the main port (server.port); a provider needs a port of its own") !=
                    std::string::npos,
                main_out);
  auto [twice_code, twice_out] = RunToExit({"--port", "0", "--listen", "xai=" + p, "--listen", "evolink=" + p});
  CHECK(twice_code != 0);
  CHECK_MESSAGE(twice_out.find("config: server.listen.xai: port " + p +
                               " is server.listen.evolink's too; each provider needs a port of its own") !=
                    std::string::npos,
                twice_out);
}

TEST_CASE("a provider's port that another program holds is refused with the address and the reason") {
  TestReceiver<> holder;  // listens on a loopback port for the test's duration
  REQUIRE(holder.ok());
  const std::string p = std::to_string(holder.port());
  auto [code, out] = RunToExit({"--port", "0", "--listen", "xai=" + p});
  CHECK(code != 0);
  CHECK_MESSAGE(out.find("server.listen.xai: cannot listen on 127.0.0.1:" + p + ": Address already in use") !=
                    std::string::npos,
                out);
}


TEST_CASE("a provider's port answers unknown paths in the provider's envelope, and the control API lists the ports") {
  EmulatorProcess emu({"--listen", "xai=0", "--listen", "evolink=0"});
  const int xai = emu.ProviderPort("xai");
  const int evolink = emu.ProviderPort("evolink");
  for (const char* path : {"/nope", "/api/v1/jobs/createTask", "/_emulator/health"}) {
    CAPTURE(path);
    Reply r = Client{xai, ""}.Send("GET", path, "");
    CHECK(r.status == 404);
    CHECK(r.json()["code"] == "Some requested entity was not found");  // xAI's envelope, as under /v1/
    CHECK(r.json()["error"] == std::string("no such endpoint: ") + path);
    Reply e = Client{evolink, ""}.Send("GET", path, "");
    CHECK(e.status == 404);
    CHECK(e.json()["error"]["code"] == "not_found");  // Evolink's envelope
  }
  Reply version = emu.Get("/_emulator/version");
  REQUIRE(version.status == 200);
  CHECK(version.json()["ports"] == nlohmann::json{{"evolink", evolink}, {"xai", xai}});
  EmulatorProcess plain;
  CHECK(plain.Get("/_emulator/version").json()["ports"] == nlohmann::json::object());
}

}  // namespace imagine::testing
