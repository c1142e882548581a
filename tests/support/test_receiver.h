// TestReceiver: a real webhook receiver for the callbacks tests — an httplib::Server (or
// SSLServer) bound to 127.0.0.1 on an ephemeral port, on its own thread, whose answers
// each test scripts (statuses in turn, a hang until released, a response body). Test-only.
// Thread-safe: handlers record under mu_; the test reads copies.
#ifndef IMAGINE_TESTS_UNIT_CALLBACKS_TEST_RECEIVER_H_
#define IMAGINE_TESTS_UNIT_CALLBACKS_TEST_RECEIVER_H_

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace imagine::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;  // path and query as received
  std::string body;
  httplib::Headers headers;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);  // httplib::Headers compares names case-insensitively
    return it == headers.end() ? std::string() : it->second;
  }
};

// Polls `done` every 2 ms until it holds (true), or for at most `limit` (false). For waiting on
// other threads and processes; the limit only ends a run that hangs, so it is generous: a busy
// machine must never make a passing case fail.
inline bool PollUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(60000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

template <typename ServerT = httplib::Server>
class TestReceiver {
 public:
  template <typename... Args>
  explicit TestReceiver(Args&&... args) : server_(std::forward<Args>(args)...) {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
    server_.Put(".*", [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });  // uploads
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    PollUntil([this] { return server_.is_running(); });
  }
  ~TestReceiver() {
    Release();
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  TestReceiver(const TestReceiver&) = delete;
  TestReceiver& operator=(const TestReceiver&) = delete;

  bool ok() const { return port_ > 0 && server_.is_valid(); }
  int port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const {
    return std::string(kHttps ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Answers with `statuses` in turn, then with `then` for every later request.
  void Script(std::vector<int> statuses, int then = 200) {
    std::lock_guard<std::mutex> lock(mu_);
    script_ = std::move(statuses);
    then_ = then;
  }
  void SetResponseBody(std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    response_body_ = std::move(body);
  }
  // Holds every later request until Release() (the destructor releases too), then answers.
  // What a test sees while a receiver hangs never depends on how fast the machine is.
  void Hang() {
    std::lock_guard<std::mutex> lock(mu_);
    hanging_ = true;
    released_ = false;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
      hanging_ = false;
    }
    cv_.notify_all();
  }

  std::vector<ReceivedRequest> Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  size_t completed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return completed_;
  }

 private:
  static constexpr bool kHttps = !std::is_same_v<ServerT, httplib::Server>;

  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu_);
    requests_.push_back(ReceivedRequest{req.method, req.target, req.body, req.headers});
    size_t index = requests_.size() - 1;
    if (hanging_) cv_.wait(lock, [this] { return released_; });
    int status = index < script_.size() ? script_[index] : then_;
    std::string body = response_body_;
    ++completed_;
    lock.unlock();
    res.status = status;
    res.set_content(body, "application/json");
  }

  ServerT server_;
  int port_ = -1;
  std::thread thread_;

  mutable std::mutex mu_;  // protects the fields below
  std::condition_variable cv_;  // released_ changed
  std::vector<int> script_;
  int then_ = 200;
  std::string response_body_ = R"({"code":200,"msg":"success"})";
  bool hanging_ = false;
  bool released_ = false;
  std::vector<ReceivedRequest> requests_;
  size_t completed_ = 0;
};

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_UNIT_CALLBACKS_TEST_RECEIVER_H_
