// A conformance session: the emulators the clients talk to (started in-process on ephemeral
// ports, or the one --url names) and the runs of clients through scenarios, many at once. Each
// run has its own API key, reset and armed on its own (POST /_emulator/reset {"key"}), so runs
// never see each other. Session::Run is thread-safe.
//
// Callback scenarios run on a second in-process emulator whose clock is slower (at most 10x real
// time): the emulator's callback timeout (10 s emulated) shrinks with the time scale, and at 100x
// a receiver on a busy machine would get 0.1 s to answer, at 10x 1 s.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_SESSION_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_SESSION_H_

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "runner/checks.h"
#include "runner/client_process.h"
#include "runner/conform_catalog.h"
#include "runner/options.h"

namespace imagine::conform {

// One client through one scenario on one provider.
struct RunSpec {
  std::string provider;
  const ConformScenario* scenario = nullptr;
  std::string command;
  std::string cwd;  // "" = the runner's working directory
  bool has_receiver = true;
};

struct ScenarioResult {
  RunSpec spec;
  std::string key;                      // the API key the client was given
  ClientRun run;
  std::vector<CheckResult> checks;
  std::vector<nlohmann::json> journal;  // what the client sent and got, by seq (for --verbose)
  nlohmann::json callbacks;             // the callback attempts for its task
};

class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts the in-process emulators (or checks the one at options.url answers).
  Status Start(const Options& options);
  const std::string& url() const { return main_.url; }
  const std::string& callback_url() const { return callback_.url; }  // callback scenarios' emulator
  double callback_time_scale() const { return callback_.time_scale; }
  // Something the user should know about the emulator (a --url one's clock speed), or "".
  const std::string& note() const { return note_; }

  // Runs one client through one scenario and judges it.
  ScenarioResult Run(const RunSpec& spec);

 private:
  class InProcess;
  // An emulator and the speed of its clock.
  struct Target {
    std::unique_ptr<InProcess> emulator;
    std::string url;
    double time_scale = 1;
  };
  Status StartTarget(Target* target);

  Options options_;
  Target main_, callback_;
  std::string note_;
  std::string key_prefix_;  // unique per session, so runs against a shared --url never collide
  std::atomic<int> next_run_{0};
};

// Runs every spec on `jobs` threads, the long scenarios first; calls `done(i)` for i = 0, 1, ...
// in spec order, each as soon as that run and all before it have finished (on the calling
// thread). Returns the results in spec order.
std::vector<ScenarioResult> RunAll(Session& session, const std::vector<RunSpec>& specs, int jobs,
                                   const std::function<void(size_t, const ScenarioResult&)>& done);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_SESSION_H_
