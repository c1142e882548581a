// MakeCallbackAttempt (server/callbacks/callback_attempt.h): one attempt with a scripted
// sender — the request it builds, how the answer is classified, whether a retry is allowed
// and after how long, and the in-flight listing while it is sent. No threads, no sockets.
#include "callbacks/callback_attempt.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "callbacks/webhook_signature.h"

namespace imagine {
namespace {

// Answers with one result and remembers what it was asked to send; while sending it also
// reads the in-flight list it was given.
class OneAnswerSender final : public WebhookSender {
 public:
  explicit OneAnswerSender(WebhookResult answer, const InFlightAttempts* in_flight = nullptr)
      : answer_(std::move(answer)), in_flight_(in_flight) {}

  WebhookResult Post(std::string_view url, const WebhookHeaders& headers, const std::string& body,
                     std::chrono::microseconds timeout, size_t max_body_bytes,
                     bool allow_private_hosts) const override {
    ++calls;
    last_url = std::string(url);
    last_headers = headers;
    last_body = body;
    last_timeout = timeout;
    last_max_body_bytes = max_body_bytes;
    last_allow_private_hosts = allow_private_hosts;
    if (in_flight_ != nullptr) listed_while_sending = in_flight_->List();
    return answer_;
  }

  mutable int calls = 0;
  mutable std::string last_url, last_body;
  mutable WebhookHeaders last_headers;
  mutable std::chrono::microseconds last_timeout{0};
  mutable size_t last_max_body_bytes = 0;
  mutable bool last_allow_private_hosts = false;
  mutable std::vector<InFlightAttempt> listed_while_sending;

 private:
  const WebhookResult answer_;
  const InFlightAttempts* in_flight_;
};

WebhookResult Answer(int status, const char* error = "", bool permanent = false) {
  WebhookResult r;
  r.status = status;
  r.error = error;
  r.permanent = permanent;
  r.body = "ok";
  r.latency_us = 42;
  return r;
}

CallbackRequest Request(std::vector<int64_t> retry_delays_ms = {1000, 2000}) {
  CallbackRequest r;
  r.task_id = "task-1";
  r.provider = "evolink";
  r.url = "https://receiver.test/cb";
  r.body = R"({"id":"task-1"})";
  r.policy = RetryPolicy{10000, std::move(retry_delays_ms)};
  r.key = "key-1";
  return r;
}

}  // namespace

TEST_CASE("MakeCallbackAttempt classifies the answer and decides the retry from the policy") {
  struct Row {
    const char* what;
    WebhookResult answer;
    int attempt;
    int fail_first;
    const char* outcome;
    bool failed;
    bool retry_allowed;
    int64_t retry_delay_ms;
  };
  const Row rows[] = {
      {"200", Answer(200), 1, 0, "delivered", false, false, 0},
      {"204", Answer(204), 1, 0, "delivered", false, false, 0},
      {"299", Answer(299), 1, 0, "delivered", false, false, 0},
      {"302", Answer(302), 1, 0, "failed", true, true, 1000},
      {"500 first", Answer(500), 1, 0, "failed", true, true, 1000},
      {"500 second", Answer(500), 2, 0, "failed", true, true, 2000},
      {"500 with no retry left", Answer(500), 3, 0, "failed", true, false, 0},
      {"timeout", Answer(0, "timeout"), 1, 0, "failed", true, true, 1000},
      {"an error despite a status", Answer(200, "connection reset"), 1, 0, "failed", true, true, 1000},
      {"permanent", Answer(0, "invalid URL: x", true), 1, 0, "failed", true, false, 0},
      {"fail_first forces a 200", Answer(200), 2, 2, "forced_failure", true, true, 2000},
      {"fail_first spent", Answer(200), 3, 2, "delivered", false, false, 0},
      {"fail_first on a 500", Answer(500), 1, 2, "failed", true, true, 1000},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    CallbackRequest r = Request();
    r.faults.fail_first = row.fail_first;
    OneAnswerSender sender(row.answer);
    AttemptResult result = MakeCallbackAttempt(r, AttemptPlan{1, row.attempt, 5000}, sender, nullptr);
    CHECK(sender.calls == 1);
    CHECK(result.attempt.outcome == row.outcome);
    CHECK(result.failed == row.failed);
    CHECK(result.retry_allowed == row.retry_allowed);
    CHECK(result.retry_delay_ms == row.retry_delay_ms);
    CHECK(result.attempt.status == row.answer.status);
    CHECK(result.attempt.error == row.answer.error);
    CHECK(result.attempt.seq == 0);          // the record numbers it
    CHECK_FALSE(result.attempt.will_retry);  // the dispatcher decides it
  }
}

TEST_CASE("MakeCallbackAttempt records what it sent and what came back") {
  CallbackRequest r = Request();
  r.allow_private_hosts = false;
  OneAnswerSender sender(Answer(200));
  AttemptResult result = MakeCallbackAttempt(r, AttemptPlan{2, 3, 1700000000000}, sender, nullptr);
  const CallbackAttempt& a = result.attempt;
  CHECK(a.task_id == "task-1");
  CHECK(a.provider == "evolink");
  CHECK(a.url == r.url);
  CHECK(a.delivery == 2);
  CHECK(a.attempt == 3);
  CHECK(a.sent_at_ms == 1700000000000);
  CHECK(a.request_headers == WebhookHeaders{{"Content-Type", "application/json"},
                                            {"User-Agent", "imagine-emu-callbacks/1"}});
  CHECK(a.request_body == r.body);
  CHECK(a.response_body == "ok");
  CHECK(a.latency_us == 42);
  CHECK(sender.last_url == r.url);
  CHECK(sender.last_headers == a.request_headers);
  CHECK(sender.last_body == r.body);
  CHECK(sender.last_timeout == std::chrono::seconds(10));
  CHECK(sender.last_max_body_bytes == kMaxRecordedResponseBytes);
  CHECK_FALSE(sender.last_allow_private_hosts);
}

TEST_CASE("MakeCallbackAttempt signs with the attempt's emulated second, rounded down") {
  struct Row {
    int64_t sent_at_ms;
    const char* timestamp;
  };
  const Row rows[] = {{1700000001999, "1700000001"}, {0, "0"}, {-1, "-1"}, {-1000, "-1"}, {-1001, "-2"}};
  for (const Row& row : rows) {
    CAPTURE(row.sent_at_ms);
    CallbackRequest r = Request();
    r.hmac_key = "secret";
    OneAnswerSender sender(Answer(200));
    AttemptResult result = MakeCallbackAttempt(r, AttemptPlan{1, 1, row.sent_at_ms}, sender, nullptr);
    REQUIRE(result.attempt.request_headers.size() == 4);
    CHECK(result.attempt.request_headers[2] == std::make_pair(std::string("X-Webhook-Timestamp"), std::string(row.timestamp)));
    CHECK(result.attempt.request_headers[3] ==
          std::make_pair(std::string("X-Webhook-Signature"), KieWebhookSignature("task-1", row.timestamp, "secret")));
  }
}

TEST_CASE("MakeCallbackAttempt clamps the timeout to between 1 ms and 1 day, and a negative retry delay to 0") {
  struct Row {
    int64_t timeout_ms;
    std::chrono::microseconds expected;
  };
  const Row rows[] = {{0, std::chrono::milliseconds(1)},
                      {-5, std::chrono::milliseconds(1)},
                      {300, std::chrono::milliseconds(300)},
                      {int64_t{1} << 40, std::chrono::hours(24)}};
  for (const Row& row : rows) {
    CAPTURE(row.timeout_ms);
    CallbackRequest r = Request({-5});
    r.policy.timeout_ms = row.timeout_ms;
    OneAnswerSender sender(Answer(500));
    AttemptResult result = MakeCallbackAttempt(r, AttemptPlan{1, 1, 0}, sender, nullptr);
    CHECK(sender.last_timeout == row.expected);
    CHECK(result.retry_allowed);
    CHECK(result.retry_delay_ms == 0);
  }
}

TEST_CASE("MakeCallbackAttempt with the drop fault sends nothing and allows no retry") {
  CallbackRequest r = Request();
  r.faults.drop = true;
  OneAnswerSender sender(Answer(200));
  InFlightAttempts in_flight;
  AttemptResult result = MakeCallbackAttempt(r, AttemptPlan{1, 1, 7}, sender, &in_flight);
  CHECK(sender.calls == 0);
  CHECK(result.attempt.outcome == "dropped");
  CHECK(result.attempt.request_headers.empty());
  CHECK(result.attempt.request_body.empty());
  CHECK(result.attempt.sent_at_ms == 7);
  CHECK_FALSE(result.failed);
  CHECK_FALSE(result.retry_allowed);
}

TEST_CASE("MakeCallbackAttempt is listed in flight while it sends, and no longer once answered") {
  InFlightAttempts in_flight;
  OneAnswerSender sender(Answer(200), &in_flight);
  CallbackRequest r = Request();
  r.policy.timeout_ms = 2500;
  MakeCallbackAttempt(r, AttemptPlan{2, 1, 1234}, sender, &in_flight);
  REQUIRE(sender.listed_while_sending.size() == 1);
  const InFlightAttempt& listed = sender.listed_while_sending[0];
  CHECK(listed.task_id == "task-1");
  CHECK(listed.provider == "evolink");
  CHECK(listed.url == r.url);
  CHECK(listed.delivery == 2);
  CHECK(listed.attempt == 1);
  CHECK(listed.sent_at_ms == 1234);
  CHECK(listed.deadline_us == 2500000);
  CHECK(listed.elapsed_us >= 0);
  CHECK(in_flight.List().empty());
}

TEST_CASE("InFlightAttempts lists attempts in start order, filtered by task") {
  InFlightAttempts in_flight;
  InFlightAttempts::Id a = in_flight.Begin(InFlightAttempt{"t1", "evolink", "u1", 1, 1, 0, 0, 10});
  InFlightAttempts::Id b = in_flight.Begin(InFlightAttempt{"t2", "apikley", "u2", 1, 1, 0, 0, 20});
  in_flight.Begin(InFlightAttempt{"t1", "evolink", "u1", 2, 1, 0, 0, 30});
  std::vector<InFlightAttempt> all = in_flight.List();
  REQUIRE(all.size() == 3);
  CHECK(all[0].deadline_us == 10);
  CHECK(all[1].deadline_us == 20);
  CHECK(all[2].deadline_us == 30);
  CHECK(in_flight.List("t1").size() == 2);
  in_flight.End(a);
  in_flight.End(a);  // twice: ignored
  CHECK(in_flight.List("t1").size() == 1);
  in_flight.End(b);
  CHECK(in_flight.List("t2").empty());
}

}  // namespace imagine
