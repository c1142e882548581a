#include "engine/scheduler.h"
#include "callbacks/callback_dispatcher.h"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "support/test_cert.h"
#include "support/test_net.h"
#include "support/test_receiver.h"

namespace imagine {
namespace {

using testing::ClosedPort;
using testing::ExpectedSignature;
using testing::PollUntil;
using testing::ReceivedRequest;
using testing::TestReceiver;
using testing::TestCert;
using testing::SelfSignedCert;

constexpr int64_t kStartMs = 1700000000000;  // 2023-11-14T22:13:20Z, a whole second
constexpr std::chrono::seconds kWait(60);  // only ends a hang: a busy machine must not fail a case

// Writes to a receiver that hung up must not kill the test binary (server/main.cc ignores
// SIGPIPE the same way).
const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

// A virtual clock, its scheduler and a dispatcher, destroyed in the right order.
// Declare receivers before an Env so that the dispatcher stops first.
struct Env {
  explicit Env(CallbackOptions options = {})
      : clock(kStartMs), scheduler(&clock), dispatcher(std::move(options), &clock, &scheduler) {}
  void Advance(int64_t ms) { REQUIRE(scheduler.Advance(ms).ok()); }
  void Idle() { REQUIRE(dispatcher.WaitIdle(kWait)); }
  std::vector<CallbackAttempt> Attempts(std::string_view task_id = {}) { return dispatcher.Attempts(task_id); }

  VirtualClock clock;
  Scheduler scheduler;
  CallbackDispatcher dispatcher;
};

CallbackRequest Req(const std::string& task_id, const std::string& url, RetryPolicy policy = ApikleyRetryPolicy(),
                    WebhookFaults faults = {}) {
  CallbackRequest r;
  r.task_id = task_id;
  r.provider = "evolink";
  r.url = url;
  r.body = R"({"id":")" + task_id + R"(","status":"completed"})";
  r.policy = std::move(policy);
  r.faults = faults;
  r.key = "key-of-" + task_id;  // one key per task unless a test shares one (fairness tests)
  return r;
}

std::vector<int64_t> Offsets(const std::vector<CallbackAttempt>& attempts) {
  std::vector<int64_t> out;
  for (const CallbackAttempt& a : attempts) out.push_back(a.sent_at_ms - kStartMs);
  return out;
}

std::vector<std::string> Outcomes(const std::vector<CallbackAttempt>& attempts) {
  std::vector<std::string> out;
  for (const CallbackAttempt& a : attempts) out.push_back(a.outcome);
  return out;
}

std::vector<std::string> Bodies(const std::vector<ReceivedRequest>& requests) {
  std::vector<std::string> out;
  for (const ReceivedRequest& r : requests) out.push_back(r.body);
  return out;
}

}  // namespace

TEST_CASE("a callback arrives with its payload and only the provider's headers") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.SetResponseBody(std::string(3000, 'r'));
  Env env;
  std::mutex observed_mu;
  std::vector<CallbackAttempt> observed;
  size_t recorded_when_observed = 0;
  env.dispatcher.SetObserver([&](const CallbackAttempt& a) {
    size_t recorded = env.dispatcher.Attempts(a.task_id).size();  // would deadlock if a lock were held
    std::lock_guard<std::mutex> lock(observed_mu);
    observed.push_back(a);
    recorded_when_observed = recorded;
  });

  CallbackRequest r = Req("task-1", rx.Url("/hook?src=unit&a=b+c"));
  r.body = R"({"code":200,"msg":"Playground task completed successfully.","data":{"taskId":"task-1"}})";
  REQUIRE(env.dispatcher.Submit(r));
  env.Idle();

  std::vector<ReceivedRequest> got = rx.Requests();
  REQUIRE(got.size() == 1);
  CHECK(got[0].method == "POST");
  CHECK(got[0].target == "/hook?src=unit&a=b+c");
  CHECK(got[0].body == r.body);
  CHECK(got[0].Header("Content-Type") == "application/json");
  CHECK(got[0].Header("User-Agent") == "imagine-emu-callbacks/1");
  for (const auto& header : got[0].headers) {
    const std::string& name = header.first;  // not a structured binding: clang 14 cannot capture those
    CAPTURE(name);
    CHECK_FALSE((name.size() > 2 && (name[0] == 'X' || name[0] == 'x') && name[1] == '-'));  // no X-Emulator-*, no signature
  }

  std::vector<CallbackAttempt> attempts = env.Attempts("task-1");
  REQUIRE(attempts.size() == 1);
  const CallbackAttempt& a = attempts[0];
  CHECK(a.seq == 1);
  CHECK(a.task_id == "task-1");
  CHECK(a.provider == "evolink");
  CHECK(a.url == r.url);
  CHECK(a.delivery == 1);
  CHECK(a.attempt == 1);
  CHECK(a.sent_at_ms == kStartMs);
  CHECK(a.request_headers == std::vector<std::pair<std::string, std::string>>{
                                 {"Content-Type", "application/json"}, {"User-Agent", "imagine-emu-callbacks/1"}});
  CHECK(a.request_body == r.body);
  CHECK(a.status == 200);
  CHECK(a.response_body == std::string(1024, 'r'));  // truncated
  CHECK(a.latency_us > 0);
  CHECK(a.error == "");
  CHECK(a.outcome == "delivered");
  CHECK_FALSE(a.will_retry);
  CHECK(env.Attempts("other-task").empty());

  CallbackDispatcher::Stats s = env.dispatcher.stats();
  CHECK(s.submitted == 1);
  CHECK(s.delivered == 1);
  CHECK(s.failed_deliveries == 0);
  CHECK(s.attempts == 1);
  CHECK(s.queued == 0);
  CHECK(s.pending == 0);

  std::lock_guard<std::mutex> lock(observed_mu);
  REQUIRE(observed.size() == 1);
  CHECK(observed[0].seq == 1);
  CHECK(observed[0].outcome == "delivered");
  CHECK(recorded_when_observed == 1);
}

TEST_CASE("Evolink's policy: a 500 receiver sees attempts at +0, +1, +3, +7 s and no more") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.Script({}, 500);
  Env env;
  REQUIRE(env.dispatcher.Submit(Req("task-500", rx.Url(), EvolinkRetryPolicy())));
  env.Idle();
  REQUIRE(env.Attempts().size() == 1);
  CHECK(env.Attempts()[0].status == 500);
  CHECK(env.Attempts()[0].outcome == "failed");
  CHECK(env.Attempts()[0].will_retry);

  // No retry fires before the clock gets there.
  env.Advance(999);
  env.Idle();
  CHECK(env.Attempts().size() == 1);
  CHECK(rx.received() == 1);

  env.Advance(1);
  env.Idle();
  CHECK(env.Attempts().size() == 2);
  env.Advance(2000);
  env.Idle();
  CHECK(env.Attempts().size() == 3);
  env.Advance(4000);
  env.Idle();
  CHECK(env.Attempts().size() == 4);
  env.Advance(60000);
  env.Idle();

  std::vector<CallbackAttempt> attempts = env.Attempts();
  REQUIRE(attempts.size() == 4);
  CHECK(rx.received() == 4);
  CHECK(Offsets(attempts) == std::vector<int64_t>{0, 1000, 3000, 7000});
  for (size_t i = 0; i < attempts.size(); ++i) {
    CAPTURE(i);
    CHECK(attempts[i].attempt == static_cast<int>(i + 1));
    CHECK(attempts[i].delivery == 1);
    CHECK(attempts[i].will_retry == (i < 3));
  }
  CHECK(env.dispatcher.stats().failed_deliveries == 1);
  CHECK(env.dispatcher.stats().delivered == 0);
  CHECK(env.dispatcher.stats().pending == 0);
  CHECK(env.scheduler.pending() == 0);
}

TEST_CASE("retries stop at the first 2xx") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.Script({500, 503}, 200);
  Env env;
  REQUIRE(env.dispatcher.Submit(Req("task-3rd", rx.Url(), EvolinkRetryPolicy())));
  env.Idle();
  env.Advance(1000);
  env.Idle();
  env.Advance(2000);
  env.Idle();
  env.Advance(60000);
  env.Idle();
  std::vector<CallbackAttempt> attempts = env.Attempts();
  CHECK(Outcomes(attempts) == std::vector<std::string>{"failed", "failed", "delivered"});
  CHECK(Offsets(attempts) == std::vector<int64_t>{0, 1000, 3000});
  CHECK(rx.received() == 3);
  CHECK(env.dispatcher.stats().delivered == 1);
  CHECK(env.dispatcher.stats().failed_deliveries == 0);
}

TEST_CASE("Apikley's policy makes a single attempt") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.Script({}, 500);
  Env env;
  CallbackRequest r = Req("task-kie", rx.Url(), ApikleyRetryPolicy());
  r.provider = "apikley";
  REQUIRE(env.dispatcher.Submit(r));
  env.Idle();
  env.Advance(60000);
  env.Idle();
  std::vector<CallbackAttempt> attempts = env.Attempts();
  REQUIRE(attempts.size() == 1);
  CHECK(attempts[0].provider == "apikley");
  CHECK(attempts[0].outcome == "failed");
  CHECK_FALSE(attempts[0].will_retry);
  CHECK(rx.received() == 1);
  CHECK(env.dispatcher.stats().failed_deliveries == 1);
  CHECK(env.scheduler.pending() == 0);
}

TEST_CASE("a receiver slower than the timeout fails with \"timeout\" and is retried") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.Hang();
  Env env;
  REQUIRE(env.dispatcher.Submit(Req("task-slow", rx.Url(), RetryPolicy{200, {1000}})));
  env.Idle();
  std::vector<CallbackAttempt> attempts = env.Attempts();
  REQUIRE(attempts.size() == 1);
  CHECK(attempts[0].error == "timeout");
  CHECK(attempts[0].status == 0);
  CHECK(attempts[0].outcome == "failed");
  CHECK(attempts[0].will_retry);
  CHECK(attempts[0].latency_us >= 150000);

  env.Advance(1000);
  env.Idle();
  attempts = env.Attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[1].error == "timeout");
  CHECK_FALSE(attempts[1].will_retry);
  CHECK(env.dispatcher.stats().failed_deliveries == 1);
}

TEST_CASE("unreachable receivers give one-line errors") {
  Env env;
  SUBCASE("a closed port is a connection error") {
    int port = ClosedPort();
    REQUIRE(port > 0);
    REQUIRE(env.dispatcher.Submit(Req("task-closed", "http://127.0.0.1:" + std::to_string(port) + "/hook")));
    env.Idle();
    std::vector<CallbackAttempt> attempts = env.Attempts();
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].error == "connection refused");
    CHECK(attempts[0].status == 0);
    CHECK(attempts[0].outcome == "failed");
  }
  SUBCASE("an invalid URL fails at once and is not retried") {
    REQUIRE(env.dispatcher.Submit(Req("task-url", "ftp://127.0.0.1/hook", EvolinkRetryPolicy())));
    env.Idle();
    std::vector<CallbackAttempt> attempts = env.Attempts();
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].error == "invalid URL: callback URL must start with http:// or https://");
    CHECK(attempts[0].outcome == "failed");
    CHECK_FALSE(attempts[0].will_retry);
    CHECK(env.scheduler.pending() == 0);
  }
}

TEST_CASE("HTTPS receivers: certificates are verified unless told otherwise") {
  const SelfSignedCert& cert = TestCert();
  REQUIRE_MESSAGE(cert.ok, "openssl req failed (is the openssl CLI installed?)");
  TestReceiver<httplib::SSLServer> rx(cert.cert.c_str(), cert.key.c_str());
  REQUIRE(rx.ok());
  CallbackOptions options;

  SUBCASE("verification off: delivered") {
    options.verify_tls = false;
    Env env(options);
    REQUIRE(env.dispatcher.Submit(Req("task-tls", rx.Url())));
    env.Idle();
    REQUIRE(env.Attempts().size() == 1);
    CHECK(env.Attempts()[0].error == "");
    CHECK(env.Attempts()[0].status == 200);
    CHECK(env.Attempts()[0].outcome == "delivered");
    CHECK(rx.received() == 1);
  }
  SUBCASE("verification on without the CA: TLS error, nothing received") {
    Env env(options);
    REQUIRE(env.dispatcher.Submit(Req("task-tls", rx.Url())));
    env.Idle();
    REQUIRE(env.Attempts().size() == 1);
    const CallbackAttempt a = env.Attempts()[0];
    CAPTURE(a.error);
    CHECK(a.error.rfind("TLS: certificate verify failed", 0) == 0);
    CHECK(a.error.find('\n') == std::string::npos);
    CHECK(a.status == 0);
    CHECK(a.outcome == "failed");
    CHECK(rx.received() == 0);
  }
  SUBCASE("verification on with ca_file = the certificate: delivered") {
    options.ca_file = cert.cert;
    CHECK(CheckCallbackOptions(options).ok());
    Env env(options);
    REQUIRE(env.dispatcher.Submit(Req("task-tls", rx.Url())));
    env.Idle();
    REQUIRE(env.Attempts().size() == 1);
    CHECK(env.Attempts()[0].error == "");
    CHECK(env.Attempts()[0].outcome == "delivered");
    CHECK(rx.received() == 1);
  }
}

TEST_CASE("with an HMAC key every attempt carries Kie's timestamp and signature") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.Script({500}, 200);
  Env env;
  env.Advance(1500);  // emulated now = 1700000001.5 s
  CallbackRequest r = Req("task-hmac", rx.Url(), EvolinkRetryPolicy());
  r.provider = "apikley";
  r.hmac_key = "kie-webhook-secret";
  REQUIRE(env.dispatcher.Submit(r));
  env.Idle();
  env.Advance(1000);
  env.Idle();

  std::vector<ReceivedRequest> got = rx.Requests();
  REQUIRE(got.size() == 2);
  const char* expected_ts[] = {"1700000001", "1700000002"};
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].Header("X-Webhook-Timestamp") == expected_ts[i]);
    CHECK(got[i].Header("X-Webhook-Signature") ==
          ExpectedSignature(std::string("task-hmac.") + expected_ts[i], "kie-webhook-secret"));
  }
  CHECK(got[0].Header("X-Webhook-Signature") != got[1].Header("X-Webhook-Signature"));
  std::vector<CallbackAttempt> attempts = env.Attempts();
  REQUIRE(attempts.size() == 2);
  REQUIRE(attempts[0].request_headers.size() == 4);
  CHECK(attempts[0].request_headers[2] == std::make_pair(std::string("X-Webhook-Timestamp"), std::string("1700000001")));
  CHECK(attempts[0].request_headers[3].first == "X-Webhook-Signature");
  CHECK(attempts[0].request_headers[3].second == got[0].Header("X-Webhook-Signature"));
}

TEST_CASE("webhook faults") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  Env env;
  WebhookFaults faults;

  SUBCASE("duplicate: a second delivery after the first") {
    faults.duplicate = true;
    REQUIRE(env.dispatcher.Submit(Req("task-dup", rx.Url(), ApikleyRetryPolicy(), faults)));
    env.Idle();
    std::vector<CallbackAttempt> attempts = env.Attempts();
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].delivery == 1);
    CHECK(attempts[1].delivery == 2);
    CHECK(attempts[1].attempt == 1);
    CHECK(Outcomes(attempts) == std::vector<std::string>{"delivered", "delivered"});
    CHECK(rx.received() == 2);
    CHECK(rx.Requests()[0].body == rx.Requests()[1].body);
    CHECK(env.dispatcher.stats().submitted == 1);
    CHECK(env.dispatcher.stats().delivered == 2);
  }
  SUBCASE("duplicate: the copy waits until the first delivery's retries are over") {
    faults.duplicate = true;
    rx.Script({500}, 200);
    REQUIRE(env.dispatcher.Submit(Req("task-dup", rx.Url(), RetryPolicy{10000, {1000}}, faults)));
    env.Idle();
    CHECK(env.Attempts().size() == 1);
    env.Advance(1000);
    env.Idle();
    std::vector<CallbackAttempt> attempts = env.Attempts();
    REQUIRE(attempts.size() == 3);
    CHECK(attempts[0].delivery == 1);
    CHECK(attempts[1].delivery == 1);
    CHECK(attempts[2].delivery == 2);
    CHECK(Outcomes(attempts) == std::vector<std::string>{"failed", "delivered", "delivered"});
    CHECK(Offsets(attempts) == std::vector<int64_t>{0, 1000, 1000});
  }
  SUBCASE("delay: nothing until the clock is advanced by the delay") {
    faults.delay_ms = 5000;
    REQUIRE(env.dispatcher.Submit(Req("task-delay", rx.Url(), ApikleyRetryPolicy(), faults)));
    env.Idle();
    CHECK(env.Attempts().empty());
    CHECK(env.dispatcher.stats().waiting == 1);
    env.Advance(4999);
    env.Idle();
    CHECK(env.Attempts().empty());
    CHECK(rx.received() == 0);
    env.Advance(1);
    env.Idle();
    REQUIRE(env.Attempts().size() == 1);
    CHECK(env.Attempts()[0].sent_at_ms == kStartMs + 5000);
    CHECK(env.Attempts()[0].outcome == "delivered");
    CHECK(rx.received() == 1);
  }
  SUBCASE("drop: no request, one \"dropped\" record, no retries") {
    faults.drop = true;
    REQUIRE(env.dispatcher.Submit(Req("task-drop", rx.Url(), EvolinkRetryPolicy(), faults)));
    env.Idle();
    env.Advance(60000);
    env.Idle();
    std::vector<CallbackAttempt> attempts = env.Attempts();
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].outcome == "dropped");
    CHECK(attempts[0].status == 0);
    CHECK(attempts[0].request_headers.empty());
    CHECK_FALSE(attempts[0].will_retry);
    CHECK(rx.received() == 0);
    CallbackDispatcher::Stats s = env.dispatcher.stats();
    CHECK(s.dropped_by_fault == 1);
    CHECK(s.attempts == 1);
    CHECK(s.delivered == 0);
    CHECK(s.failed_deliveries == 0);
    CHECK(s.pending == 0);
  }
  SUBCASE("out_of_order: three tasks submitted at one instant arrive in reverse order") {
    faults.out_of_order = true;
    for (const char* id : {"task-a", "task-b", "task-c"}) {
      REQUIRE(env.dispatcher.Submit(Req(id, rx.Url(), ApikleyRetryPolicy(), faults)));
    }
    env.Idle();
    CHECK(rx.received() == 0);  // the batch closes on a timer at this same instant
    env.Advance(0);
    env.Idle();
    CHECK(Bodies(rx.Requests()) == std::vector<std::string>{Req("task-c", "").body, Req("task-b", "").body,
                                                            Req("task-a", "").body});
    std::vector<CallbackAttempt> attempts = env.Attempts();
    REQUIRE(attempts.size() == 3);
    CHECK(attempts[0].task_id == "task-c");
    CHECK(attempts[2].task_id == "task-a");
  }
  SUBCASE("fail_first=2: attempts 1-2 forced failures despite 200, attempt 3 delivered") {
    faults.fail_first = 2;
    REQUIRE(env.dispatcher.Submit(Req("task-ff", rx.Url(), EvolinkRetryPolicy(), faults)));
    env.Idle();
    env.Advance(1000);
    env.Idle();
    env.Advance(2000);
    env.Idle();
    env.Advance(60000);
    env.Idle();
    std::vector<CallbackAttempt> attempts = env.Attempts();
    REQUIRE(attempts.size() == 3);
    CHECK(Outcomes(attempts) == std::vector<std::string>{"forced_failure", "forced_failure", "delivered"});
    CHECK(attempts[0].status == 200);
    CHECK(attempts[1].status == 200);
    CHECK(attempts[0].will_retry);
    CHECK(Offsets(attempts) == std::vector<int64_t>{0, 1000, 3000});
    CHECK(rx.received() == 3);
    CHECK(env.dispatcher.stats().delivered == 1);
  }
}

TEST_CASE("a full queue makes Submit return false, counted") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  CallbackOptions options;
  options.queue_capacity = 3;
  Env env(options);
  WebhookFaults faults;
  faults.delay_ms = 10000;  // keep the submissions pending on the clock
  for (int i = 0; i < 3; ++i) {
    REQUIRE(env.dispatcher.Submit(Req("task-q" + std::to_string(i), rx.Url(), ApikleyRetryPolicy(), faults)));
  }
  CHECK_FALSE(env.dispatcher.Submit(Req("task-q3", rx.Url())));
  CallbackDispatcher::Stats s = env.dispatcher.stats();
  CHECK(s.rejected_queue_full == 1);
  CHECK(s.submitted == 3);
  CHECK(s.pending == 3);
  CHECK(s.waiting == 3);

  env.Advance(10000);
  env.Idle();
  CHECK(rx.received() == 3);
  CHECK(env.dispatcher.stats().pending == 0);
  CHECK(env.dispatcher.Submit(Req("task-q4", rx.Url())));  // room again
  env.Idle();
  CHECK(rx.received() == 4);
}

TEST_CASE("receivers that hang do not block Submit") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  rx.Hang();
  Env env;  // 4 workers
  for (int i = 0; i < 4; ++i) REQUIRE(env.dispatcher.Submit(Req("task-h" + std::to_string(i), rx.Url())));
  REQUIRE(PollUntil([&] { return rx.received() == 4; }));  // every worker is stuck in a receiver

  int accepted = 0;
  for (int i = 4; i < 50; ++i) {
    if (env.dispatcher.Submit(Req("task-h" + std::to_string(i), rx.Url()))) ++accepted;
  }
  CHECK(accepted == 46);
  CHECK(rx.completed() == 0);  // all 46 calls returned while the receivers still hung
  CHECK(env.dispatcher.stats().queued == 46);
  CHECK(env.dispatcher.stats().in_flight == 4);

  rx.Release();
  REQUIRE(env.dispatcher.WaitIdle(kWait));
  CHECK(rx.received() == 50);
  CHECK(env.dispatcher.stats().delivered == 50);
}

TEST_CASE("the attempt log is a ring buffer") {
  CallbackOptions options;
  options.max_recorded_attempts = 2;
  Env env(options);
  WebhookFaults faults;
  faults.drop = true;  // no network needed
  for (int i = 0; i < 3; ++i) {
    REQUIRE(env.dispatcher.Submit(Req("task-r" + std::to_string(i), "http://127.0.0.1:1/", {}, faults)));
    env.Idle();
  }
  std::vector<CallbackAttempt> attempts = env.Attempts();
  REQUIRE(attempts.size() == 2);
  CHECK(attempts[0].seq == 2);
  CHECK(attempts[1].seq == 3);
  CHECK(env.dispatcher.stats().attempts == 3);
  CHECK(env.dispatcher.stats().attempts_evicted == 1);
}

TEST_CASE("Shutdown abandons pending deliveries, cancels its timers and refuses new ones") {
  Env env;
  WebhookFaults faults;
  faults.delay_ms = 10000;
  REQUIRE(env.dispatcher.Submit(Req("task-s1", "http://127.0.0.1:1/", {}, faults)));
  faults.out_of_order = true;
  REQUIRE(env.dispatcher.Submit(Req("task-s2", "http://127.0.0.1:1/", {}, faults)));
  CHECK(env.scheduler.pending() == 2);
  env.dispatcher.Shutdown();
  CHECK(env.scheduler.pending() == 0);
  CHECK(env.dispatcher.stats().abandoned == 2);
  CHECK_FALSE(env.dispatcher.Submit(Req("task-s3", "http://127.0.0.1:1/")));
  CHECK(env.dispatcher.stats().rejected_shut_down == 1);
  env.Advance(20000);
  CHECK(env.Attempts().empty());
  CHECK(env.dispatcher.WaitIdle(std::chrono::milliseconds(0)));
  env.dispatcher.Shutdown();  // idempotent
}

TEST_CASE("on a sped-up real clock, retries follow time_scale and timeouts stay real time") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  RealClock clock(1000.0, kStartMs);  // 1 real ms = 1 emulated s
  Scheduler scheduler(&clock);
  CallbackDispatcher dispatcher(CallbackOptions{}, &clock, &scheduler);

  SUBCASE("retries at +1, +3, +7 emulated seconds fire on the scheduler's own thread") {
    rx.Script({}, 500);
    REQUIRE(dispatcher.Submit(Req("task-real", rx.Url(), EvolinkRetryPolicy())));
    REQUIRE(PollUntil([&] { return dispatcher.stats().failed_deliveries == 1; }));
    std::vector<CallbackAttempt> attempts = dispatcher.Attempts();
    REQUIRE(attempts.size() == 4);
    CHECK(attempts[1].sent_at_ms - attempts[0].sent_at_ms >= 1000);
    CHECK(attempts[2].sent_at_ms - attempts[1].sent_at_ms >= 2000);
    CHECK(attempts[3].sent_at_ms - attempts[2].sent_at_ms >= 4000);
  }
  SUBCASE("a 300 ms timeout is 300 real ms at 1000x (it used to shrink to 0.3 ms)") {
    rx.Hang();
    REQUIRE(dispatcher.Submit(Req("task-real-slow", rx.Url(), RetryPolicy{300, {}})));
    REQUIRE(PollUntil([&] { return dispatcher.stats().failed_deliveries == 1; }));
    std::vector<CallbackAttempt> attempts = dispatcher.Attempts();
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].error == "timeout");
    CHECK(attempts[0].latency_us >= 290000);
    rx.Release();
  }
  dispatcher.Shutdown();
  scheduler.Shutdown();
}

}  // namespace imagine
