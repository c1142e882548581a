#include "runner/session.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "app/application.h"
#include "common/log.h"

namespace imagine::conform {
namespace {

using json = nlohmann::json;

// A loopback port nobody listens on, never handed out twice by this process (runs at the
// same time must not get the same callback port).
int FreePort() {
  static std::mutex mu;
  static std::set<int> given;
  std::lock_guard<std::mutex> lock(mu);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    const int port = ntohs(addr.sin_port);
    if (given.insert(port).second) return port;
  }
  return 0;
}

std::string RandomHex(int digits) {
  std::random_device rd;
  std::uniform_int_distribution<int> d(0, 15);
  std::string out;
  for (int i = 0; i < digits; ++i) out += "0123456789abcdef"[d(rd)];
  return out;
}

json GetJson(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  return r && r->status == 200 ? json::parse(r->body, nullptr, false) : json();
}

// Every journal entry matching `filter` (a query string), across pages.
std::vector<json> Journal(httplib::Client& admin, const std::string& filter) {
  std::vector<json> out;
  int64_t since = 0;
  while (true) {
    json page = GetJson(admin, "/_emulator/journal?limit=10000&since=" + std::to_string(since) + "&" + filter);
    if (!page.is_object() || !page["entries"].is_array()) break;
    for (json& e : page["entries"]) out.push_back(std::move(e));
    const int64_t next = page.value("next_cursor", since);
    if (page["entries"].size() < 10000 || next <= since) break;
    since = next;
  }
  return out;
}

// What an admin call answered, or why it failed, for a run's set-up error.
std::string Refusal(const char* what, const httplib::Result& r) {
  if (!r) return std::string(what) + ": " + httplib::to_string(r.error());
  return std::string(what) + " answered HTTP " + std::to_string(r->status) + ": " + r->body.substr(0, 200);
}

// The callback deliveries the emulator has accepted so far.
uint64_t CallbacksSubmitted(httplib::Client& admin) {
  json c = GetJson(admin, "/_emulator/callbacks?task_id=-");
  return c.is_object() ? c["stats"].value("submitted", uint64_t{0}) : 0;
}

// After a callback scenario's client exits: waits until each finished task of `key` that has a
// callback URL has had its delivery accepted (submitted counts past `submitted_before`) and no
// delivery is queued or being sent, so its first attempt is in the journal the checks read.
// Polls for that event; the 10 s cap only ends a hang (later retries wait on the clock).
void WaitForCallbacksToLand(httplib::Client& admin, const std::string& key, uint64_t submitted_before) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    json tasks = GetJson(admin, "/_emulator/tasks?limit=1000&key=" + httplib::detail::encode_query_param(key));
    size_t finished_with_callback = 0;
    if (tasks.is_object() && tasks["tasks"].is_array()) {
      for (const json& t : tasks["tasks"]) {
        const std::string state = t.value("state", "");
        if (!t.value("callback_url", "").empty() && (state == "succeeded" || state == "failed")) ++finished_with_callback;
      }
    }
    json c = GetJson(admin, "/_emulator/callbacks?task_id=-");
    if (c.is_object()) {
      const json& st = c["stats"];
      if (st.value("submitted", uint64_t{0}) - submitted_before >= finished_with_callback &&
          st.value("queued", uint64_t{0}) == 0 && st.value("in_flight", uint64_t{0}) == 0) {
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

class Session::InProcess {
 public:
  ~InProcess() {
    if (app_) app_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  StatusOr<std::string> Start(double time_scale) {
    auto config = LoadConfig("");
    if (!config.ok()) return config.status();
    Config c = std::move(config).value();
    c.server.port = 0;
    c.clock.mode = ClockMode::kReal;
    c.clock.time_scale = time_scale;
    c.seed = 1;
    c.providers["evolink"].section["allow_private_callbacks"] = true;
    c.journal.capacity = 200000;
    c.log_level = "warn";
    SetLogLevel(LogLevel::kWarn);
    auto app = Application::Create(std::move(c));
    if (!app.ok()) return app.status();
    app_ = std::move(app).value();
    thread_ = std::thread([this] { app_->Run(); });
    return "http://127.0.0.1:" + std::to_string(app_->port());
  }

 private:
  std::unique_ptr<Application> app_;
  std::thread thread_;
};

Session::Session() = default;
Session::~Session() = default;

Status Session::StartTarget(Target* target) {
  if (options_.url.empty()) {
    target->emulator = std::make_unique<InProcess>();
    StatusOr<std::string> url = target->emulator->Start(target->time_scale);
    if (!url.ok()) return url.status();
    target->url = *url;
  } else {
    target->url = options_.url;
  }
  httplib::Client probe(target->url);
  probe.set_connection_timeout(2, 0);
  for (int i = 0; i < 200; ++i) {
    if (auto r = probe.Get("/_emulator/health"); r && r->status == 200) {
      json clock = options_.url.empty() ? json() : GetJson(probe, "/_emulator/clock");
      if (clock.is_object() && clock.value("time_scale", 0.0) != target->time_scale) {
        note_ = "the emulator at " + target->url + " runs at time scale " + clock.value("time_scale", json()).dump() +
                ", --timing " + options_.timing_mode + " expects " + json(target->time_scale).dump() +
                " (start it with --time-scale, or pass --time-scale to match)";
      }
      return Status::Ok();
    }
    if (!options_.url.empty() && i >= 10) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status(Code::kUnavailable, options_.url.empty() ? "the in-process emulator did not come up"
                                                         : "no emulator answers GET " + target->url + "/_emulator/health");
}

Status Session::Start(const Options& options) {
  options_ = options;
  key_prefix_ = "conform-" + RandomHex(6);
  main_.time_scale = callback_.time_scale = options.timing.run.time_scale;
  constexpr double kMaxCallbackTimeScale = 10;
  if (options.url.empty()) callback_.time_scale = std::min(options.timing.run.time_scale, kMaxCallbackTimeScale);
  if (Status s = StartTarget(&main_); !s.ok()) return s;
  if (callback_.time_scale == main_.time_scale) {
    callback_.url = main_.url;
    return Status::Ok();
  }
  return StartTarget(&callback_);
}

ScenarioResult Session::Run(const RunSpec& spec) {
  const ConformScenario& sc = *spec.scenario;
  ScenarioResult result;
  result.spec = spec;
  result.key = key_prefix_ + "-" + std::to_string(next_run_++) + "-" + spec.provider + "-" + sc.name;
  const std::string& key = result.key;
  const Target& target = sc.callback ? callback_ : main_;
  httplib::Client admin(target.url);
  admin.set_read_timeout(30, 0);

  std::string setup_error;
  if (auto r = admin.Post("/_emulator/reset", json{{"key", key}}.dump(), "application/json"); !r || r->status != 200) {
    setup_error = Refusal("POST /_emulator/reset", r);
  }
  if (setup_error.empty() && !sc.profile.is_null()) {
    auto r = admin.Put(("/_emulator/keys/" + key).c_str(), sc.profile.dump(), "application/json");
    if (!r || r->status / 100 != 2) setup_error = Refusal("PUT /_emulator/keys/{key}", r);
  }
  if (setup_error.empty() && !sc.rule.is_null()) {
    json rule = sc.rule;
    rule["key"] = key;
    rule["provider"] = spec.provider;
    auto r = admin.Post("/_emulator/scenarios/rules", rule.dump(), "application/json");
    if (!r || r->status / 100 != 2) setup_error = Refusal("POST /_emulator/scenarios/rules", r);
  }
  if (!setup_error.empty()) {
    result.checks = {{"runner_setup", Outcome::kFail, setup_error}};
    return result;
  }

  const Timing t = options_.timing.For(sc, target.time_scale);
  // xAI is served under /xai (its paths are Evolink's); its base URL takes the prefix, as a
  // client's base URL https://api.x.ai would be the host alone.
  static const std::map<std::string, std::string> kModel = {{"apikley", "grok-imagine/image-to-video"},
                                                            {"evolink", "grok-imagine-image-to-video-beta"},
                                                            {"xai", "grok-imagine-video"}};
  std::map<std::string, std::string> env = {
      {"IMAGINE_PROVIDER", spec.provider},
      {"IMAGINE_BASE_URL", spec.provider == "xai" ? target.url + "/xai" : target.url},
      {"IMAGINE_API_KEY", key},
      {"IMAGINE_MODEL", kModel.at(spec.provider)},
      {"IMAGINE_PROMPT", "a cat jumps over a fence"},
      {"IMAGINE_IMAGE_URL", "https://example.com/cat.png"},
      {"IMAGINE_POLL_INTERVAL_MS", std::to_string(t.poll_interval_ms)},
      {"IMAGINE_RETRY_BASE_MS", std::to_string(t.retry_base_ms)},
      {"IMAGINE_MAX_WAIT_S", std::to_string(t.max_wait_s)},
  };
  if (sc.callback) env["IMAGINE_CALLBACK_URL"] = "http://127.0.0.1:" + std::to_string(FreePort()) + "/callback";

  const uint64_t submitted_before = sc.callback ? CallbacksSubmitted(admin) : 0;
  result.run = RunClient(spec.command, env, t.timeout_s, spec.cwd);
  if (sc.callback) WaitForCallbacksToLand(admin, key, submitted_before);

  Evidence ev;
  ev.provider = spec.provider;
  ev.scenario = &sc;
  ev.run = &result.run;
  ev.timing = t;
  ev.client_has_receiver = spec.has_receiver;
  std::map<int64_t, json> by_seq;
  for (json& e : Journal(admin, "key=" + key /* keys are [a-z0-9_-] */)) {
    if (ev.task_id.empty() && e.value("kind", "") == "request") ev.task_id = CreatedTaskId(e, spec.provider);
    const int64_t seq = e["seq"].get<int64_t>();  // before the move: json's operator= takes its argument by value
    by_seq[seq] = std::move(e);
  }
  if (!ev.task_id.empty()) {
    ev.task = GetJson(admin, "/_emulator/tasks/" + ev.task_id);
    for (json& e : Journal(admin, "task_id=" + ev.task_id)) {
      const int64_t seq = e["seq"].get<int64_t>();
      by_seq[seq] = std::move(e);
    }
    ev.callbacks = GetJson(admin, "/_emulator/callbacks?task_id=" + ev.task_id)["attempts"];
  }
  if (!ev.callbacks.is_array()) ev.callbacks = json::array();
  for (auto& [seq, e] : by_seq) ev.journal.push_back(std::move(e));
  result.checks = Judge(ev);
  result.journal = std::move(ev.journal);
  result.callbacks = std::move(ev.callbacks);
  return result;
}

std::vector<ScenarioResult> RunAll(Session& session, const std::vector<RunSpec>& specs, int jobs,
                                   const std::function<void(size_t, const ScenarioResult&)>& done) {
  std::vector<ScenarioResult> results(specs.size());
  std::vector<bool> finished(specs.size(), false);
  std::mutex mu;  // guards finished
  std::condition_variable cv;
  // Runs start longest first (stuck tasks, callbacks), scenario by scenario across clients, so
  // the last runs to end are short ones and one heavy client never has every slot at once.
  std::vector<size_t> order(specs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto weight = [&](size_t i) {
    const ConformScenario& sc = *specs[i].scenario;
    return sc.expect == Expect::kGivesUp ? 2 : sc.callback ? 1 : 0;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (weight(a) != weight(b)) return weight(a) > weight(b);
    return std::less<const ConformScenario*>()(specs[a].scenario, specs[b].scenario);  // catalog order
  });
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  const int n = std::max(1, std::min<int>(jobs, static_cast<int>(specs.size())));
  for (int w = 0; w < n; ++w) {
    workers.emplace_back([&] {
      for (size_t k = next++; k < specs.size(); k = next++) {
        const size_t i = order[k];
        ScenarioResult r;
        try {
          r = session.Run(specs[i]);
        } catch (const std::exception& e) {  // an answer of an unexpected shape (a --url emulator of another version)
          r.spec = specs[i];
          r.checks = {{"runner_error", Outcome::kFail, std::string("the runner could not judge this run: ") + e.what()}};
        }
        std::lock_guard<std::mutex> lock(mu);
        results[i] = std::move(r);
        finished[i] = true;
        cv.notify_all();
      }
    });
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return finished[i]; });
    lock.unlock();
    if (done) done(i, results[i]);
  }
  for (std::thread& w : workers) w.join();
  return results;
}

}  // namespace imagine::conform
