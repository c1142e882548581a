// Issue 14 leftovers: a callback host's name lookup runs under the attempt's deadline
// (timeout_s covers DNS too), on a bounded number of helper threads.
#include "callbacks/host_resolver.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "callbacks/callback_dispatcher.h"
#include "callbacks/webhook_sender.h"
#include "engine/clock.h"
#include "engine/scheduler.h"
#include "support/test_receiver.h"

namespace imagine {
namespace {

using testing::PollUntil;
using testing::TestReceiver;
using SteadyClock = std::chrono::steady_clock;

// A lookup that blocks until the test opens it (at most 10 s, so that a resolver that
// waited for it would still return, with an answer instead of a timeout), then answers
// 127.0.0.1 — or `error` when one is set.
struct Gate {
  std::mutex mu;  // protects open
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> calls{0};
  std::atomic<int> answered{0};
  std::string error;  // set before the first lookup

  void Open() {
    {
      std::lock_guard<std::mutex> lock(mu);
      open = true;
    }
    cv.notify_all();
  }
};

LookupFunction GatedLookup(const std::shared_ptr<Gate>& gate) {
  return [gate](const std::string&, int port, std::vector<ResolvedAddress>* out) -> std::string {
    ++gate->calls;
    {
      std::unique_lock<std::mutex> lock(gate->mu);
      gate->cv.wait_for(lock, std::chrono::seconds(10), [&] { return gate->open; });
    }
    ++gate->answered;
    if (!gate->error.empty()) return gate->error;
    ResolvedAddress a;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&a.addr);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.len = sizeof(sockaddr_in);
    out->push_back(a);
    return "";
  };
}

SteadyClock::time_point In(int ms) { return SteadyClock::now() + std::chrono::milliseconds(ms); }

}  // namespace

TEST_CASE("issue 14: a lookup that hangs ends the attempt at its deadline as \"timeout\"") {
  auto gate = std::make_shared<Gate>();
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  HttpWebhookSender sender(WebhookSenderOptions{}, GatedLookup(gate));
  const std::string url = "http://hook.test:" + std::to_string(rx.port()) + "/cb";
  WebhookResult r = sender.Post(url, {}, "{}", std::chrono::milliseconds(200), 1024, true);
  CHECK(r.error == "timeout");
  CHECK(r.status == 0);
  CHECK(gate->calls == 1);
  CHECK(gate->answered == 0);  // Post returned while the lookup was still blocked
  CHECK(rx.received() == 0);
  gate->Open();
  REQUIRE(PollUntil([&] { return gate->answered == 1; }));
  // A lookup that answers in time is used: the receiver gets the callback.
  r = sender.Post(url, {}, "{}", std::chrono::milliseconds(5000), 1024, true);
  CHECK(r.error == "");
  CHECK(r.status == 200);
  CHECK(rx.received() == 1);
}

TEST_CASE("HostResolver: helper threads are bounded, numeric hosts skip them, errors pass through") {
  auto gate = std::make_shared<Gate>();
  HostResolver resolver(GatedLookup(gate), 2);
  for (int i = 0; i < 3; ++i) {
    INFO("lookup " << i);
    Resolution r = resolver.Resolve("slow.test", 443, In(50));
    CHECK(r.timed_out);
    CHECK(r.addresses.empty());
  }
  CHECK(gate->calls == 2);  // the third waited for a free thread until its deadline
  CHECK(resolver.LookupsInFlight() == 2);
  // Numeric hosts are parsed inline, even with every thread taken.
  Resolution numeric = resolver.Resolve("127.1", 80, In(50));
  CHECK_FALSE(numeric.timed_out);
  CHECK(numeric.error == "");
  REQUIRE(numeric.addresses.size() == 1);
  CHECK(reinterpret_cast<const sockaddr_in*>(&numeric.addresses[0].addr)->sin_addr.s_addr == htonl(0x7F000001));
  CHECK(resolver.Resolve("::1", 80, In(50)).addresses.size() == 1);
  CHECK(gate->calls == 2);
  gate->Open();
  REQUIRE(PollUntil([&] { return resolver.LookupsInFlight() == 0; }));  // abandoned lookups end
  Resolution named = resolver.Resolve("fast.test", 443, In(5000));
  CHECK_FALSE(named.timed_out);
  CHECK(named.error == "");
  CHECK(named.addresses.size() == 1);
  CHECK(gate->calls == 3);

  auto failing = std::make_shared<Gate>();
  failing->error = "Name or service not known";
  failing->Open();
  HostResolver bad(GatedLookup(failing));
  Resolution r = bad.Resolve("nowhere.test", 80, In(5000));
  CHECK_FALSE(r.timed_out);
  CHECK(r.error == "Name or service not known");
  CHECK(r.addresses.empty());
}

TEST_CASE("issue 14: a callback whose host lookup hangs is recorded as a timeout in the attempt log") {
  auto gate = std::make_shared<Gate>();
  VirtualClock clock(1700000000000);
  Scheduler scheduler(&clock);
  CallbackDispatcher dispatcher(CallbackOptions{}, &clock, &scheduler,
                                std::make_unique<HttpWebhookSender>(WebhookSenderOptions{}, GatedLookup(gate)));
  CallbackRequest req;
  req.task_id = "task-dns";
  req.provider = "evolink";
  req.url = "http://hook.test:1/cb";
  req.body = "{}";
  req.policy = RetryPolicy{200, {}};
  req.key = "key-dns";
  REQUIRE(dispatcher.Submit(req));
  REQUIRE(dispatcher.WaitIdle(std::chrono::seconds(5)));
  std::vector<CallbackAttempt> attempts = dispatcher.Attempts("task-dns");
  REQUIRE(attempts.size() == 1);
  CHECK(attempts[0].error == "timeout");
  CHECK(attempts[0].status == 0);
  CHECK(attempts[0].outcome == "failed");
  CHECK(gate->answered == 0);
  gate->Open();
  REQUIRE(PollUntil([&] { return gate->answered == 1; }));
  dispatcher.Shutdown();
  scheduler.Shutdown();
}

}  // namespace imagine
