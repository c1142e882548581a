// The conformance checks: each named, each judged from what the client did — its exit
// code and output, and the emulator's journal (what it actually sent and when) — with a
// one-line reason when it fails or does not apply. Pure functions; thread-safe.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CHECKS_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CHECKS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/client_process.h"
#include "runner/conform_catalog.h"

namespace imagine::conform {

// Everything the judge looks at for one scenario run.
struct Evidence {
  std::string provider;  // "apikley" | "evolink"
  const ConformScenario* scenario = nullptr;
  const ClientRun* run = nullptr;
  bool client_has_receiver = true;
  std::vector<nlohmann::json> journal;  // the key's and its tasks' journal entries, by seq
  std::string task_id;                  // the task the client created, "" if none
  nlohmann::json task;                  // GET /_emulator/tasks/{id}, or null
  nlohmann::json callbacks;             // GET /_emulator/callbacks?task_id= attempts
  int64_t min_poll_gap_ms = 1000;       // emulated ms between two status queries
  int64_t min_retry_gap_ms = 30;        // real ms before the first retry of a retryable error
};

enum class Outcome { kPass, kFail, kSkip };
struct CheckResult {
  std::string name;
  Outcome outcome = Outcome::kSkip;
  std::string reason;  // why it failed or was skipped
};

// The check names, in report order.
const std::vector<std::string>& CheckNames();

// Judges every check for one run.
std::vector<CheckResult> Judge(const Evidence& evidence);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CHECKS_H_
