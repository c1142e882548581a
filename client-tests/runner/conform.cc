// imagine-conform: runs a client under test through the conformance catalog against an
// emulator (started in-process on an ephemeral port, or --url of a running one) and says,
// check by check, where it misbehaves. --self-test runs every client of a manifest and
// compares the checks each fails with the checks it is expected to fail.
//
//   imagine-conform --provider apikley --client "build/client_reference_cpp" --junit out.xml
//   imagine-conform --self-test client-tests/clients/clients.yaml --build-dir build
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "app/application.h"
#include "common/log.h"
#include "runner/checks.h"
#include "runner/client_process.h"
#include "runner/conform_catalog.h"

namespace imagine::conform {
namespace {

using json = nlohmann::json;

struct Options {
  std::vector<std::string> providers = {"apikley", "evolink"};
  std::string client;
  bool client_has_receiver = true;
  std::set<std::string> only;  // --scenarios
  std::string junit;
  std::string url;             // "" = start an emulator in-process
  double time_scale = 100;     // emulated seconds per real second (a 20 s generation takes 0.2 s)
  int poll_interval_ms = 60;   // real ms between polls asked of the client (6 s on the emulator's clock)
  double max_wait_s = 2;       // whole seconds (the contract's IMAGINE_MAX_WAIT_S)
  double timeout_s = 0;        // the runner kills a client after this; 0 = max_wait_s + 4
  std::string self_test;       // manifest path
  std::string build_dir;
  std::string root = IMAGINE_SOURCE_DIR;
  bool quiet = false;
};

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The emulator the clients talk to: in-process unless --url names one.
class Emulator {
 public:
  Status Start(const Options& o) {
    if (!o.url.empty()) {
      url_ = o.url;
      return Status::Ok();
    }
    auto config = LoadConfig("");
    if (!config.ok()) return config.status();
    Config c = std::move(config).value();
    c.server.port = 0;
    c.clock.mode = ClockMode::kReal;
    c.clock.time_scale = o.time_scale;
    c.seed = 1;
    c.evolink.allow_private_callbacks = true;
    c.journal.capacity = 200000;
    c.log_level = "warn";
    SetLogLevel(LogLevel::kWarn);
    auto app = Application::Create(std::move(c));
    if (!app.ok()) return app.status();
    app_ = std::move(app).value();
    url_ = "http://127.0.0.1:" + std::to_string(app_->port());
    thread_ = std::thread([this] { app_->Run(); });
    httplib::Client probe(url_);
    for (int i = 0; i < 200; ++i) {
      if (auto r = probe.Get("/_emulator/health"); r && r->status == 200) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Internal("the in-process emulator did not come up");
  }
  ~Emulator() {
    if (app_) app_->Stop();
    if (thread_.joinable()) thread_.join();
  }
  const std::string& url() const { return url_; }

 private:
  std::unique_ptr<Application> app_;
  std::thread thread_;
  std::string url_;
};

json GetJson(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  return r ? json::parse(r->body, nullptr, false) : json();
}

struct ScenarioResult {
  std::string provider;
  const ConformScenario* scenario;
  ClientRun run;
  std::vector<CheckResult> checks;
};

ScenarioResult RunScenario(const Options& o, const std::string& url, const std::string& provider,
                           const ConformScenario& sc, const std::string& command, bool has_receiver) {
  httplib::Client admin(url);
  admin.set_read_timeout(30, 0);
  admin.Post("/_emulator/reset", "{}", "application/json");
  const std::string key = "conform-" + provider + "-" + sc.name;
  if (!sc.profile.is_null()) admin.Put(("/_emulator/keys/" + key).c_str(), sc.profile.dump(), "application/json");
  if (!sc.rule.is_null()) {
    json rule = sc.rule;
    rule["key"] = key;
    rule["provider"] = provider;
    admin.Post("/_emulator/scenarios/rules", rule.dump(), "application/json");
  }
  std::map<std::string, std::string> env = {
      {"IMAGINE_PROVIDER", provider},
      {"IMAGINE_BASE_URL", url},
      {"IMAGINE_API_KEY", key},
      {"IMAGINE_MODEL", provider == "apikley" ? "grok-imagine/image-to-video" : "grok-imagine-image-to-video-beta"},
      {"IMAGINE_PROMPT", "a cat jumps over a fence"},
      {"IMAGINE_IMAGE_URL", "https://example.com/cat.png"},
      {"IMAGINE_POLL_INTERVAL_MS", std::to_string(o.poll_interval_ms)},
      {"IMAGINE_MAX_WAIT_S", std::to_string(static_cast<int>(o.max_wait_s + 0.5))},
  };
  if (sc.callback) env["IMAGINE_CALLBACK_URL"] = "http://127.0.0.1:" + std::to_string(FreePort()) + "/callback";

  const double timeout = o.timeout_s > 0 ? o.timeout_s : o.max_wait_s + 4;
  ScenarioResult result{provider, &sc, RunClient(command, env, timeout, o.root), {}};
  if (sc.callback) std::this_thread::sleep_for(std::chrono::milliseconds(150));  // let in-flight callbacks land

  Evidence ev;
  ev.provider = provider;
  ev.scenario = &sc;
  ev.run = &result.run;
  ev.client_has_receiver = has_receiver;
  ev.min_retry_gap_ms = std::max(10, o.poll_interval_ms / 2);
  std::map<int64_t, json> by_seq;
  json mine = GetJson(admin, "/_emulator/journal?limit=10000&key=" + key  /* keys are [a-z0-9_-] */);
  for (json& e : mine["entries"]) {
    if (ev.task_id.empty() && e.value("kind", "") == "request" && !e.value("task_id", "").empty()) {
      json body = json::parse(e.value("response_body", ""), nullptr, false);
      bool created = provider == "apikley" ? body.is_object() && body.value("code", 0) == 200 && body.contains("data") &&
                                                 body["data"].is_object() && body["data"].contains("taskId")
                                           : e.value("status", 0) == 200 && body.is_object() && body.contains("object");
      std::string op = e.value("operation", "");
      if (created && (op == "createTask" || op == "createVideoGeneration")) ev.task_id = e["task_id"];
    }
    const int64_t seq = e["seq"].get<int64_t>();  // before the move: json's operator= takes its argument by value
    by_seq[seq] = std::move(e);
  }
  if (!ev.task_id.empty()) {
    json theirs = GetJson(admin, "/_emulator/journal?limit=10000&task_id=" + ev.task_id);
    for (json& e : theirs["entries"]) {
      const int64_t seq = e["seq"].get<int64_t>();
      by_seq[seq] = std::move(e);
    }
    ev.task = GetJson(admin, "/_emulator/tasks/" + ev.task_id);
    ev.callbacks = GetJson(admin, "/_emulator/callbacks?task_id=" + ev.task_id)["attempts"];
  }
  if (!ev.callbacks.is_array()) ev.callbacks = json::array();
  for (auto& [seq, e] : by_seq) ev.journal.push_back(std::move(e));
  result.checks = Judge(ev);
  return result;
}

const char* OutcomeName(Outcome o) { return o == Outcome::kPass ? "pass" : o == Outcome::kFail ? "FAIL" : "skip"; }

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

void WriteJunit(const std::string& path, const std::string& client, const std::vector<ScenarioResult>& results) {
  std::ofstream out(path);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"imagine-conform\">\n";
  for (const std::string& provider : {"apikley", "evolink"}) {
    int tests = 0, failures = 0, skipped = 0;
    std::ostringstream cases;
    for (const ScenarioResult& r : results) {
      if (r.provider != provider) continue;
      for (const CheckResult& c : r.checks) {
        ++tests;
        cases << "    <testcase classname=\"" << provider << "." << r.scenario->name << "\" name=\"" << c.name
              << "\" time=\"" << r.run.seconds << "\">";
        if (c.outcome == Outcome::kFail) {
          ++failures;
          cases << "<failure message=\"" << XmlEscape(c.reason) << "\"/>";
        } else if (c.outcome == Outcome::kSkip) {
          ++skipped;
          cases << "<skipped message=\"" << XmlEscape(c.reason) << "\"/>";
        }
        cases << "</testcase>\n";
      }
    }
    if (tests == 0) continue;
    out << "  <testsuite name=\"" << XmlEscape(client) << " on " << provider << "\" tests=\"" << tests
        << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\">\n"
        << cases.str() << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

// Runs one client over the catalog for the chosen providers; prints the table.
std::vector<ScenarioResult> RunClientSuite(const Options& o, const Emulator& emu, const std::vector<ConformScenario>& catalog,
                                           const std::string& command, bool has_receiver, bool print) {
  std::vector<ScenarioResult> results;
  for (const std::string& provider : o.providers) {
    for (const ConformScenario& sc : catalog) {
      if (!sc.AppliesTo(provider) || (!o.only.empty() && o.only.count(sc.name) == 0)) continue;
      results.push_back(RunScenario(o, emu.url(), provider, sc, command, has_receiver));
      if (!print) continue;
      const ScenarioResult& r = results.back();
      std::string said = r.run.err.substr(0, r.run.err.find('\n'));
      if (said.size() > 90) said = said.substr(0, 90) + "…";
      std::printf("%-8s %-26s exit %-3d %5.1fs  %s\n", provider.c_str(), sc.name.c_str(), r.run.exit_code, r.run.seconds,
                  r.run.timed_out ? "(killed: timeout)" : said.c_str());
      for (const CheckResult& c : r.checks) {
        if (c.outcome == Outcome::kSkip && o.quiet) continue;
        std::printf("    %-4s %-28s %s\n", OutcomeName(c.outcome), c.name.c_str(), c.reason.c_str());
      }
    }
  }
  return results;
}

std::pair<int, int> Score(const std::vector<ScenarioResult>& results) {
  int passed = 0, judged = 0;
  for (const ScenarioResult& r : results) {
    for (const CheckResult& c : r.checks) {
      if (c.outcome == Outcome::kSkip) continue;
      ++judged;
      passed += c.outcome == Outcome::kPass;
    }
  }
  return {passed, judged};
}

int SelfTest(const Options& o, const Emulator& emu, const std::vector<ConformScenario>& catalog) {
  std::ifstream in(o.self_test);
  if (!in) {
    std::fprintf(stderr, "imagine-conform: cannot read %s\n", o.self_test.c_str());
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto clients = ParseClients(text.str(), o.self_test);
  if (!clients.ok()) {
    std::fprintf(stderr, "imagine-conform: %s\n", clients.status().message().c_str());
    return 2;
  }
  int mismatches = 0;
  for (const ClientUnderTest& client : *clients) {
    std::string command = client.command;
    if (!o.build_dir.empty() && command.rfind("build/", 0) == 0) command = o.build_dir + command.substr(5);
    for (const std::string& provider : o.providers) {
      Options one = o;
      one.providers = {provider};
      std::vector<ScenarioResult> results = RunClientSuite(one, emu, catalog, command, client.callback_receiver, false);
      std::set<std::string> failed;
      std::string reasons;
      for (const ScenarioResult& r : results) {
        for (const CheckResult& c : r.checks) {
          if (c.outcome != Outcome::kFail) continue;
          failed.insert(c.name);
          reasons += "      " + r.scenario->name + "/" + c.name + ": " + c.reason + "\n";
        }
      }
      auto it = client.expected_failures.find(provider);
      std::set<std::string> expected;
      if (it != client.expected_failures.end()) expected.insert(it->second.begin(), it->second.end());
      auto [passed, judged] = Score(results);
      const bool match = failed == expected;
      mismatches += !match;
      auto join = [](const std::set<std::string>& s) {
        std::string out;
        for (const std::string& x : s) out += (out.empty() ? "" : ",") + x;
        return out.empty() ? std::string("none") : out;
      };
      std::printf("%s %-32s %-8s %d/%d checks passed; failed: %s%s\n", match ? "ok      " : "MISMATCH", client.name.c_str(),
                  provider.c_str(), passed, judged, join(failed).c_str(),
                  match ? "" : ("  (expected: " + join(expected) + ")").c_str());
      if (!match) std::printf("%s", reasons.c_str());
      std::fflush(stdout);
    }
  }
  std::printf("%d passed, %d failed\n", static_cast<int>(clients->size() * o.providers.size()) - mismatches, mismatches);
  return mismatches == 0 ? 0 : 1;
}

int Usage(const char* why) {
  if (why != nullptr) std::fprintf(stderr, "imagine-conform: %s\n", why);
  std::fprintf(stderr,
               "usage: imagine-conform --client \"<command>\" [--provider apikley|evolink|both] [--scenarios a,b]\n"
               "                       [--junit out.xml] [--url http://host:port] [--no-callback-receiver] [--quiet]\n"
               "                       [--time-scale X] [--poll-interval-ms N] [--max-wait-s S] [--timeout-s S]\n"
               "       imagine-conform --self-test client-tests/clients/clients.yaml [--build-dir DIR] [--provider P]\n");
  return 2;
}

}  // namespace
}  // namespace imagine::conform

int main(int argc, char** argv) {
  using namespace imagine::conform;
  signal(SIGPIPE, SIG_IGN);
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        Usage((a + " needs a value").c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--provider") {
      std::string p = value();
      if (p == "both") {
        o.providers = {"apikley", "evolink"};
      } else if (p == "apikley" || p == "evolink") {
        o.providers = {p};
      } else {
        return Usage("--provider must be apikley, evolink or both");
      }
    } else if (a == "--client") {
      o.client = value();
    } else if (a == "--scenarios") {
      std::stringstream list(value());
      std::string name;
      while (std::getline(list, name, ',')) o.only.insert(name);
    } else if (a == "--junit") {
      o.junit = value();
    } else if (a == "--url") {
      o.url = value();
    } else if (a == "--no-callback-receiver") {
      o.client_has_receiver = false;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "--time-scale") {
      o.time_scale = std::stod(value());
    } else if (a == "--poll-interval-ms") {
      o.poll_interval_ms = std::stoi(value());
    } else if (a == "--max-wait-s") {
      o.max_wait_s = std::stod(value());
    } else if (a == "--timeout-s") {
      o.timeout_s = std::stod(value());
    } else if (a == "--self-test") {
      o.self_test = value();
    } else if (a == "--build-dir") {
      o.build_dir = value();
    } else if (a == "--root") {
      o.root = value();
    } else if (a == "--help") {
      Usage(nullptr);
      return 0;
    } else {
      return Usage(("unknown argument " + a).c_str());
    }
  }
  if (o.client.empty() && o.self_test.empty()) return Usage("give --client or --self-test");
  auto catalog = EmbeddedCatalog();
  if (!catalog.ok()) {
    std::fprintf(stderr, "imagine-conform: %s\n", catalog.status().message().c_str());
    return 2;
  }
  for (const std::string& name : o.only) {
    bool known = false;
    for (const ConformScenario& sc : *catalog) known |= sc.name == name;
    if (!known) return Usage(("unknown scenario " + name).c_str());
  }
  Emulator emu;
  if (imagine::Status s = emu.Start(o); !s.ok()) {
    std::fprintf(stderr, "imagine-conform: %s\n", s.message().c_str());
    return 2;
  }
  if (!o.self_test.empty()) return SelfTest(o, emu, *catalog);

  std::printf("imagine-conform: %s against %s\n", o.client.c_str(), emu.url().c_str());
  std::vector<ScenarioResult> results = RunClientSuite(o, emu, *catalog, o.client, o.client_has_receiver, true);
  auto [passed, judged] = Score(results);
  std::printf("%d/%d checks passed\n", passed, judged);
  if (!o.junit.empty()) WriteJunit(o.junit, o.client, results);
  return passed == judged ? 0 : 1;
}
