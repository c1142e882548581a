// EmulatorProcess: starts the real imagine-emu binary on an ephemeral loopback port for
// an integration test, reads the bound port from its start-up line, and stops it
// (SIGTERM, then SIGKILL after 30 s) when the object goes out of scope. One per test case;
// not shared between threads.
//
//   EmulatorProcess emu({"--clock", "virtual", "--seed", "1"});
//   auto res = emu.Post("/api/v1/jobs/createTask", body, "key-1");
//   emu.Advance(20);
#ifndef IMAGINE_TESTS_SUPPORT_EMULATOR_PROCESS_H_
#define IMAGINE_TESTS_SUPPORT_EMULATOR_PROCESS_H_

#include <httplib.h>
#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace imagine::testing {

struct Reply {
  int status = 0;  // 0 when the request failed at the transport level
  std::string body;
  std::string content_type;
  httplib::Headers headers;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class EmulatorProcess {
 public:
  // Starts the binary with `args` plus "--port 0" (unless args set --port) and
  // "--self-check", with `env` added to the environment. Fails the current test (doctest
  // REQUIRE) if it does not print its listening line within 60 s. On Stop() (and so at
  // scope exit) it CHECKs that no response broke the provider's own response schemas.
  // `binary`: another build of the emulator (e.g. one with a test-tree provider added).
  explicit EmulatorProcess(std::vector<std::string> args = {"--clock", "virtual", "--seed", "1"},
                           std::map<std::string, std::string> env = {}, std::string binary = IMAGINE_EMU_BINARY);
  ~EmulatorProcess();

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  Reply Get(const std::string& path, const std::string& key = "") const;
  // POST with Content-Type application/json unless `content_type` says otherwise.
  Reply Post(const std::string& path, const std::string& body, const std::string& key = "",
             const std::string& content_type = "application/json") const;
  Reply Request(const std::string& method, const std::string& path, const std::string& body,
                const httplib::Headers& headers, const std::string& content_type) const;
  // POST /_emulator/clock/advance.
  void Advance(double seconds) const;
  // Sends SIGTERM (or `sig`) and waits; returns the exit status as from waitpid (or -1).
  int Stop(int sig = 15);
  const std::string& startup_line() const { return startup_line_; }
  // The port of a provider served on a port of its own (--listen NAME=0), from the start-up
  // line "imagine-emu serves NAME on http://HOST:PORT ..." before the listening line; fails
  // the current test (REQUIRE) when there is none.
  int ProviderPort(const std::string& provider) const;
  pid_t pid() const { return pid_; }
  // Everything the process wrote to stdout and stderr so far; after Stop(), everything it
  // wrote (Stop waits for the reader to reach end of file).
  std::string output() const;
  // The process's resident set size in KiB (VmRSS), or -1.
  long RssKib() const;

 private:
  struct Output {
    std::mutex mu;  // protects text and closed
    std::condition_variable cv;  // closed became true
    std::string text;
    bool closed = false;  // the reader saw end of file: every byte the process wrote is in text
  };
  pid_t pid_ = -1;
  int port_ = 0;
  std::string admin_token_;  // from --admin-token, for the harness's own health query
  std::string startup_line_;
  std::shared_ptr<Output> output_ = std::make_shared<Output>();
};

// Runs the binary to completion with `args` and returns {exit code, stdout+stderr}.
// Kills it after `timeout_s` (a cap for a hang, not an expectation of speed).
std::pair<int, std::string> RunToExit(const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env = {}, int timeout_s = 60,
                                      const std::string& binary = IMAGINE_EMU_BINARY);

// Writes `text` to a fresh file under ScratchDir() (removed when the test process ends) and
// returns its path.
std::string WriteTempFile(const std::string& text, const std::string& suffix = ".yaml");

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_EMULATOR_PROCESS_H_
