// Issue 14 §2/§3: callbacks never reach the emulator's own port nor (when not allowed)
// private addresses whatever the URL's host spells, one deadline cuts a trickling receiver,
// in-flight attempts are visible, and keys share workers and queue slots fairly.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "callbacks/callback_destination.h"
#include "callbacks/callback_dispatcher.h"
#include "callbacks/webhook_sender.h"
#include "engine/clock.h"
#include "engine/scheduler.h"
#include "support/test_receiver.h"

namespace imagine {
namespace {

using testing::PollUntil;
using testing::TestReceiver;

// Accepts connections and answers each with a response trickled one byte per 20 ms.
class TrickleServer {
 public:
  TrickleServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~TrickleServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  size_t bytes_sent() const { return sent_; }
  const std::string& response() const { return response_; }

 private:
  void Run() {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    (void)::recv(c, buf, sizeof buf, 0);
    for (size_t i = 0; i < response_.size() && !stop_; ++i) {
      if (::send(c, &response_[i], 1, MSG_NOSIGNAL) != 1) break;
      ++sent_;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::close(c);
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> sent_{0};
  const std::string response_ = "HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + std::string(400, 'x');
  std::thread thread_;
};

CallbackRequest Req(const std::string& task_id, const std::string& url, const std::string& key,
                    WebhookFaults faults = {}) {
  CallbackRequest r;
  r.task_id = task_id;
  r.provider = "apikley";
  r.url = url;
  r.body = "{}";
  r.policy = RetryPolicy{10000, {}};
  r.faults = faults;
  r.key = key;
  return r;
}

}  // namespace

TEST_CASE("issue 14: timeout_s is one deadline for the whole attempt, a trickling receiver is cut") {
  TrickleServer server;
  HttpWebhookSender sender(WebhookSenderOptions{});
  WebhookResult r = sender.Post("http://127.0.0.1:" + std::to_string(server.port()) + "/cb", {}, "{}",
                                std::chrono::milliseconds(300), 1024, true);
  CHECK(r.error == "timeout");
  CHECK(r.status == 0);
  // Each byte came well within any per-read timeout; the attempt still ended before the
  // receiver finished its response (over 8 s of trickling).
  CHECK(server.bytes_sent() < server.response().size());
}

TEST_CASE("issue 14: callbacks never reach the emulator's own port, whatever the host spells") {
  TestReceiver<> rx;  // stands in for the emulator's listener
  REQUIRE(rx.ok());
  const std::string port = std::to_string(rx.port());
  HttpWebhookSender sender(WebhookSenderOptions{true, "", {rx.port()}});
  for (const std::string host : {"127.0.0.1", "localhost", "127.1", "2130706433", "[::ffff:127.0.0.1]", "0.0.0.0"}) {
    INFO("host: " << host);
    WebhookResult r = sender.Post("http://" + host + ":" + port + "/_emulator/reset", {}, "{}",
                                  std::chrono::milliseconds(10000), 1024, /*allow_private_hosts=*/true);
    CHECK(r.error == kConnectionRefused);  // the same words as a closed port
  }
  CHECK(rx.received() == 0);
  // Another local port is fine when private hosts are allowed.
  HttpWebhookSender other(WebhookSenderOptions{true, "", {rx.port() == 1 ? 2 : 1}});
  CHECK(other.Post(rx.Url(), {}, "{}", std::chrono::milliseconds(10000), 1024, true).status == 200);
  CHECK(rx.received() == 1);
}

TEST_CASE("issue 14: private receivers are refused after resolving when they are not allowed") {
  TestReceiver<> rx;
  REQUIRE(rx.ok());
  const std::string port = std::to_string(rx.port());
  HttpWebhookSender sender(WebhookSenderOptions{});
  // "*" passed the old lexical check and getaddrinfo gave loopback; "localhost" and numeric
  // spellings resolve to loopback too.
  for (const std::string host : {"*", "localhost", "127.0.0.1", "127.1", "0x7f.1", "[::1]", "[::ffff:7f00:1]"}) {
    INFO("host: " << host);
    WebhookResult r = sender.Post("http://" + host + ":" + port + "/x", {}, "{}", std::chrono::milliseconds(10000), 1024,
                                  /*allow_private_hosts=*/false);
    CHECK(r.status == 0);
    CHECK((r.error == kConnectionRefused || r.error.rfind("could not resolve host", 0) == 0));
  }
  CHECK(rx.received() == 0);
  // The closed-port wording is the same, so the log cannot be used to scan ports.
  WebhookResult closed = sender.Post("http://127.0.0.1:1/x", {}, "{}", std::chrono::milliseconds(10000), 1024, true);
  CHECK(closed.error == kConnectionRefused);
}

TEST_CASE("IsForbiddenAddress: private only when not allowed, own ports on any local address") {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(0x0A000001);  // 10.0.0.1
  std::string why;
  CHECK(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&a), 80, DestinationRules{false, {}}, &why));
  CHECK(why.find("private") != std::string::npos);
  CHECK_FALSE(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&a), 80, DestinationRules{true, {8080}}, &why));
  a.sin_addr.s_addr = htonl(0x7F000001);
  CHECK(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&a), 8080, DestinationRules{true, {8080}}, &why));
  CHECK(why.find("own listening address") != std::string::npos);
  CHECK_FALSE(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&a), 8081, DestinationRules{true, {8080}}, &why));
  a.sin_addr.s_addr = htonl(0x08080808);  // 8.8.8.8: not local, not private
  CHECK_FALSE(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&a), 8080, DestinationRules{false, {8080}}, &why));
}

TEST_CASE("issue 22: IsForbiddenAddress refuses the same ranges as IsPrivateHost, at the address level") {
  struct Row {
    const char* address;
    bool is_private;
  };
  const Row rows[] = {
      {"100.100.100.200", true}, {"100.64.0.1", true},  {"198.18.0.1", true},   {"198.19.255.254", true},
      {"240.0.0.1", true},       {"255.255.255.255", true}, {"::127.0.0.1", true}, {"::10.0.0.1", true},
      {"::ffff:100.64.0.1", true}, {"::ffff:198.18.0.1", true}, {"127.0.0.1", true}, {"::1", true},
      {"::8.8.8.8", true},
      {"100.128.0.1", false},    {"198.20.0.1", false}, {"8.8.8.8", false},     {"2001:db8::1", false},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.address));
    sockaddr_storage storage{};
    if (std::string(row.address).find(':') != std::string::npos) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(&storage);
      a6->sin6_family = AF_INET6;
      REQUIRE(inet_pton(AF_INET6, row.address, &a6->sin6_addr) == 1);
    } else {
      auto* a4 = reinterpret_cast<sockaddr_in*>(&storage);
      a4->sin_family = AF_INET;
      REQUIRE(inet_pton(AF_INET, row.address, &a4->sin_addr) == 1);
    }
    std::string why;
    CHECK(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&storage), 80, DestinationRules{false, {}}, &why) ==
          row.is_private);
    CHECK_FALSE(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&storage), 80, DestinationRules{true, {}}, &why));
  }
  // The emulator's own port on loopback, spelled IPv4-compatible, is its own listening address.
  sockaddr_in6 compat{};
  compat.sin6_family = AF_INET6;
  REQUIRE(inet_pton(AF_INET6, "::127.0.0.1", &compat.sin6_addr) == 1);
  std::string why;
  CHECK(IsForbiddenAddress(reinterpret_cast<sockaddr*>(&compat), 8080, DestinationRules{true, {8080}}, &why));
  CHECK(why == "127.0.0.1:8080 is the emulator's own listening address");
}

TEST_CASE("issue 14: one key's hanging receivers hold at most half the workers, in-flight attempts are listed") {
  TestReceiver<> slow;
  TestReceiver<> good;
  REQUIRE(slow.ok());
  REQUIRE(good.ok());
  slow.Hang();
  VirtualClock clock(1700000000000);
  Scheduler scheduler(&clock);
  CallbackOptions options;  // 4 workers
  CallbackDispatcher dispatcher(options, &clock, &scheduler);
  for (int i = 0; i < 8; ++i) REQUIRE(dispatcher.Submit(Req("slow-" + std::to_string(i), slow.Url(), "flooder")));
  REQUIRE(PollUntil([&] { return slow.received() == 2; }));
  REQUIRE(dispatcher.Submit(Req("good-1", good.Url(), "patient")));
  REQUIRE(PollUntil([&] { return good.completed() == 1; }));  // a free worker took it at once
  // The receiver answered; the worker records the attempt a moment later.
  REQUIRE(PollUntil([&] { return dispatcher.InFlight("good-1").empty(); }));
  CHECK(slow.received() == 2);  // the flooder's other six wait in its own queue
  CHECK(dispatcher.stats().queued == 6);
  // good-1's attempt leaves the in-flight list just after its receiver answered.
  REQUIRE(PollUntil([&] { return dispatcher.InFlight().size() == 2; }));
  std::vector<InFlightAttempt> in_flight = dispatcher.InFlight();
  REQUIRE(in_flight.size() == 2);
  CHECK(in_flight[0].task_id.rfind("slow-", 0) == 0);
  CHECK(in_flight[0].deadline_us == 10000 * 1000);
  CHECK(dispatcher.InFlight("good-1").empty());
  slow.Release();
  REQUIRE(dispatcher.WaitIdle(std::chrono::seconds(60)));
  CHECK(slow.received() == 8);
  dispatcher.Shutdown();
  scheduler.Shutdown();
}

TEST_CASE("issue 14: a full queue refuses the key holding its share, not the next key") {
  VirtualClock clock(1700000000000);
  Scheduler scheduler(&clock);
  CallbackOptions options;
  options.queue_capacity = 10;
  CallbackDispatcher dispatcher(options, &clock, &scheduler);
  WebhookFaults delayed;
  delayed.delay_ms = 2592000000;  // 30 days: the slot stays taken
  for (int i = 0; i < 10; ++i) {
    REQUIRE(dispatcher.Submit(Req("f-" + std::to_string(i), "http://127.0.0.1:1/", "flooder", delayed)));
  }
  CHECK_FALSE(dispatcher.Submit(Req("f-10", "http://127.0.0.1:1/", "flooder", delayed)));
  CHECK(dispatcher.stats().rejected_queue_full == 1);
  // Another key is below its share (10 / 2 keys = 5): accepted, up to that share.
  for (int i = 0; i < 5; ++i) CHECK(dispatcher.Submit(Req("n-" + std::to_string(i), "http://127.0.0.1:1/", "next", delayed)));
  CHECK_FALSE(dispatcher.Submit(Req("n-5", "http://127.0.0.1:1/", "next", delayed)));
  // A third key still gets in (10 / 3 = 3).
  CHECK(dispatcher.Submit(Req("t-0", "http://127.0.0.1:1/", "third", delayed)));
  CHECK(dispatcher.stats().pending == 16);
  CHECK(dispatcher.stats().rejected_queue_full == 2);
  dispatcher.Shutdown();
  scheduler.Shutdown();
}

}  // namespace imagine
