// The conformance checks: each named, each judged from what the client did — its exit
// code and output, and the emulator's journal (what it actually sent and when) — with a
// one-line reason when it fails or does not apply. A check with nothing to judge is a skip
// with its reason, never a pass; a failure that follows from an earlier one (a client that
// never retried gets no result) is blamed on the cause only. The checks themselves are the
// rows of check_table.cc; this is their driver. Pure functions; thread-safe.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CHECKS_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CHECKS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/client_process.h"
#include "runner/conform_catalog.h"

namespace imagine::conform {

// What the client was told and allowed in one run.
struct Timing {
  double time_scale = 100;     // emulated seconds per real second
  int poll_interval_ms = 200;  // IMAGINE_POLL_INTERVAL_MS
  int retry_base_ms = 100;     // IMAGINE_RETRY_BASE_MS
  int max_wait_s = 15;         // IMAGINE_MAX_WAIT_S
  double timeout_s = 18;       // the runner kills the client after this
};

// Everything the judge looks at for one scenario run.
struct Evidence {
  std::string provider;  // "apikley" | "evolink"
  const ConformScenario* scenario = nullptr;
  const ClientRun* run = nullptr;
  Timing timing;
  bool client_has_receiver = true;
  std::vector<nlohmann::json> journal;  // the key's and its task's journal entries, by seq
  std::string task_id;                  // the task the client created, "" if none
  nlohmann::json task;                  // GET /_emulator/tasks/{id} right after the client ended, or null
  nlohmann::json callbacks;             // GET /_emulator/callbacks?task_id= attempts
};

enum class Outcome { kPass, kFail, kSkip };
struct CheckResult {
  std::string name;
  Outcome outcome = Outcome::kSkip;
  std::string reason;  // why it failed or was skipped
};

const char* OutcomeName(Outcome o);  // "pass" | "FAIL" | "skip"

// The check names, in report order.
const std::vector<std::string>& CheckNames();

// Judges every check for one run, in report order.
std::vector<CheckResult> Judge(const Evidence& evidence);

// The task id in a create's answer, or "" when the create was refused.
std::string CreatedTaskId(const nlohmann::json& journal_entry, const std::string& provider);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CHECKS_H_
