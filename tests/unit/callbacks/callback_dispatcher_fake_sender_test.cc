// The CallbackDispatcher's retry and fault logic with a scripted WebhookSender: no sockets,
// no real waiting — time moves only when the virtual clock is advanced.
#include <doctest/doctest.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "engine/scheduler.h"
#include "callbacks/callback_dispatcher.h"

namespace imagine {
namespace {

constexpr int64_t kStartMs = 1700000000000;
constexpr std::chrono::seconds kWait(60);  // only ends a hang: a busy machine must not fail a case

// Answers each attempt with the next scripted result (the last one repeats) and records
// what it was asked to send.
class ScriptedSender final : public WebhookSender {
 public:
  struct Call {
    std::string url;
    WebhookHeaders headers;
    std::string body;
    std::chrono::microseconds timeout{0};
  };
  explicit ScriptedSender(std::vector<WebhookResult> script) : script_(std::move(script)) {}

  WebhookResult Post(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                     std::chrono::microseconds timeout, size_t /*max_body_bytes*/,
                     bool /*allow_private_hosts*/) const override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(Call{std::string(url), headers, body, timeout});
    return script_[std::min(calls_.size() - 1, script_.size() - 1)];
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  const std::vector<WebhookResult> script_;
  mutable std::mutex mu_;  // protects calls_
  mutable std::vector<Call> calls_;
};

WebhookResult Answer(int status) {
  WebhookResult r;
  r.status = status;
  return r;
}

WebhookResult Error(const char* error, bool permanent = false) {
  WebhookResult r;
  r.error = error;
  r.permanent = permanent;
  return r;
}

// A virtual clock, its scheduler and a dispatcher around a scripted sender.
struct Env {
  explicit Env(std::vector<WebhookResult> script)
      : clock(kStartMs), scheduler(&clock) {
    auto owned = std::make_unique<ScriptedSender>(std::move(script));
    sender = owned.get();
    dispatcher = std::make_unique<CallbackDispatcher>(CallbackOptions{}, &clock, &scheduler, std::move(owned));
  }
  ~Env() { dispatcher->Shutdown(); }
  // Advances in steps of `step_ms`, letting the workers finish what fell due at each step.
  void Run(int64_t total_ms, int64_t step_ms = 500) {
    REQUIRE(dispatcher->WaitIdle(kWait));
    for (int64_t t = 0; t < total_ms; t += step_ms) {
      REQUIRE(scheduler.Advance(step_ms).ok());
      REQUIRE(dispatcher->WaitIdle(kWait));
    }
  }
  std::vector<int64_t> Offsets() const {
    std::vector<int64_t> out;
    for (const CallbackAttempt& a : dispatcher->Attempts()) out.push_back(a.sent_at_ms - kStartMs);
    return out;
  }
  std::vector<std::string> Outcomes() const {
    std::vector<std::string> out;
    for (const CallbackAttempt& a : dispatcher->Attempts()) out.push_back(a.outcome);
    return out;
  }

  VirtualClock clock;
  Scheduler scheduler;
  const ScriptedSender* sender = nullptr;
  std::unique_ptr<CallbackDispatcher> dispatcher;
};

CallbackRequest Req(RetryPolicy policy, WebhookFaults faults = {}) {
  CallbackRequest r;
  r.task_id = "task-1";
  r.provider = "evolink";
  r.url = "https://receiver.test/cb";
  r.body = R"({"id":"task-1"})";
  r.policy = std::move(policy);
  r.faults = faults;
  return r;
}

// The threads this process has now (Linux: one entry per thread under /proc/self/task).
size_t ThreadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

}  // namespace

TEST_CASE("fake sender: the worker threads start at the first accepted Submit, not in the constructor") {
  VirtualClock clock(kStartMs);
  Scheduler scheduler(&clock);
  const size_t before = ThreadCount();
  CallbackOptions options;
  options.workers = 3;
  CallbackDispatcher dispatcher(options, &clock, &scheduler, std::make_unique<ScriptedSender>(
                                                                 std::vector<WebhookResult>{Answer(200)}));
  CHECK(ThreadCount() == before);  // a start-up that sends no callback pays for no thread
  REQUIRE(dispatcher.Submit(Req(EvolinkRetryPolicy())));
  CHECK(ThreadCount() == before + 3);
  REQUIRE(dispatcher.WaitIdle(kWait));
  CHECK(dispatcher.Attempts().size() == 1);
  REQUIRE(dispatcher.Submit(Req(EvolinkRetryPolicy())));
  CHECK(ThreadCount() == before + 3);  // started once
  REQUIRE(dispatcher.WaitIdle(kWait));
  CHECK(dispatcher.stats().delivered == 2);
  dispatcher.Shutdown();
  CHECK(ThreadCount() == before);
}

TEST_CASE("fake sender: a dispatcher shut down before any Submit starts no thread and refuses the Submit") {
  VirtualClock clock(kStartMs);
  Scheduler scheduler(&clock);
  const size_t before = ThreadCount();
  CallbackDispatcher dispatcher(CallbackOptions{}, &clock, &scheduler,
                                std::make_unique<ScriptedSender>(std::vector<WebhookResult>{Answer(200)}));
  dispatcher.Shutdown();
  CHECK_FALSE(dispatcher.Submit(Req(EvolinkRetryPolicy())));
  CHECK(ThreadCount() == before);
  CHECK(dispatcher.stats().rejected_shut_down == 1);
  CHECK(dispatcher.stats().submitted == 0);
}

TEST_CASE("fake sender: Evolink's policy retries a failing receiver at +1, +3 and +7 s, then gives up") {
  Env env({Answer(500)});
  REQUIRE(env.dispatcher->Submit(Req(EvolinkRetryPolicy())));
  env.Run(20000);
  CHECK(env.Offsets() == std::vector<int64_t>{0, 1000, 3000, 7000});
  CHECK(env.Outcomes() == std::vector<std::string>{"failed", "failed", "failed", "failed"});
  std::vector<bool> retry;
  for (const CallbackAttempt& a : env.dispatcher->Attempts()) retry.push_back(a.will_retry);
  CHECK(retry == std::vector<bool>{true, true, true, false});
  CHECK(env.dispatcher->stats().failed_deliveries == 1);
  CHECK(env.dispatcher->stats().pending == 0);
  // On a virtual clock the sender is given the policy's timeout as it is.
  for (const auto& call : env.sender->calls()) CHECK(call.timeout == std::chrono::seconds(10));
}

TEST_CASE("fake sender: retries stop at the first 2xx, and errors count as failures") {
  Env env({Error("timeout"), Answer(503), Answer(204)});
  REQUIRE(env.dispatcher->Submit(Req(EvolinkRetryPolicy())));
  env.Run(20000);
  CHECK(env.Offsets() == std::vector<int64_t>{0, 1000, 3000});
  CHECK(env.Outcomes() == std::vector<std::string>{"failed", "failed", "delivered"});
  CHECK(env.dispatcher->Attempts()[0].error == "timeout");
  CHECK(env.dispatcher->stats().delivered == 1);
  CHECK(env.sender->calls().size() == 3);
}

TEST_CASE("fake sender: a permanent error is not retried") {
  Env env({Error("invalid URL: callback URL has no host", /*permanent=*/true)});
  REQUIRE(env.dispatcher->Submit(Req(EvolinkRetryPolicy())));
  env.Run(20000);
  CHECK(env.Offsets() == std::vector<int64_t>{0});
  CHECK(env.Outcomes() == std::vector<std::string>{"failed"});
}

TEST_CASE("fake sender: fail_first, delay and duplicate act on the emulated clock") {
  WebhookFaults faults;
  faults.fail_first = 2;
  faults.delay_ms = 5000;
  faults.duplicate = true;
  Env env({Answer(200)});
  REQUIRE(env.dispatcher->Submit(Req(EvolinkRetryPolicy(), faults)));
  env.Run(4000);
  CHECK(env.sender->calls().empty());  // still delayed
  env.Run(30000);
  // Delivery 1: forced failures at +5 and +6 s, delivered at +8 s; delivery 2 starts then.
  CHECK(env.Offsets() == std::vector<int64_t>{5000, 6000, 8000, 8000, 9000, 11000});
  CHECK(env.Outcomes() == std::vector<std::string>{"forced_failure", "forced_failure", "delivered", "forced_failure",
                                                    "forced_failure", "delivered"});
  CHECK(env.dispatcher->stats().delivered == 2);
}

TEST_CASE("fake sender: drop records one attempt and sends nothing") {
  WebhookFaults faults;
  faults.drop = true;
  Env env({Answer(200)});
  REQUIRE(env.dispatcher->Submit(Req(EvolinkRetryPolicy(), faults)));
  env.Run(1000);
  CHECK(env.Outcomes() == std::vector<std::string>{"dropped"});
  CHECK(env.sender->calls().empty());
  CHECK(env.dispatcher->stats().dropped_by_fault == 1);
}

TEST_CASE("fake sender: an HMAC key signs every attempt with the emulated time") {
  Env env({Answer(500), Answer(200)});
  CallbackRequest r = Req(EvolinkRetryPolicy());
  r.hmac_key = "secret";
  REQUIRE(env.dispatcher->Submit(r));
  env.Run(5000);
  auto calls = env.sender->calls();
  REQUIRE(calls.size() == 2);
  auto header = [](const WebhookHeaders& h, const std::string& name) {
    for (const auto& [k, v] : h) {
      if (k == name) return v;
    }
    return std::string();
  };
  CHECK(header(calls[0].headers, "X-Webhook-Timestamp") == std::to_string(kStartMs / 1000));
  CHECK(header(calls[1].headers, "X-Webhook-Timestamp") == std::to_string(kStartMs / 1000 + 1));
  CHECK(header(calls[0].headers, "X-Webhook-Signature") != header(calls[1].headers, "X-Webhook-Signature"));
  CHECK(calls[0].body == R"({"id":"task-1"})");
}

}  // namespace imagine
