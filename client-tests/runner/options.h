// imagine-conform's command line: parsing (every bad value is one line of error), the help
// text that documents every option, the timing modes, and where the bundled clients are.
// Pure functions but LocateClientsDir (reads the file system); thread-safe.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_OPTIONS_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_OPTIONS_H_

#include <string>
#include <vector>

#include "common/status.h"
#include "runner/checks.h"

namespace imagine::conform {

// A session's timing: what the clients are told and how long the runner waits for them.
struct TimingPlan {
  // The emulator's clock, IMAGINE_POLL_INTERVAL_MS, IMAGINE_RETRY_BASE_MS and IMAGINE_MAX_WAIT_S
  // everywhere but where the client must give up (room for a slow machine); timeout_s unused.
  Timing run{100, 200, 100, 15, 0};
  int stuck_max_wait_s = 2;  // IMAGINE_MAX_WAIT_S where the client must give up (expect: gives_up)
  double grace_s = 8;        // the runner kills a client this long after its max wait

  // The timing of one run of `scenario` on an emulator running at `time_scale`.
  Timing For(const ConformScenario& scenario, double time_scale) const;
};

struct Options {
  enum class Mode { kClient, kSelfTest, kHelp, kVersion };
  Mode mode = Mode::kClient;
  std::vector<std::string> providers = {"apikley", "evolink"};
  std::string client;                // --client: the command line under test
  bool client_has_receiver = true;   // false: --no-callback-receiver
  std::vector<std::string> scenarios;  // --scenarios (empty = the whole catalog)
  std::vector<std::string> clients;    // --clients: self-test subset (empty = all)
  std::string clients_dir;           // --clients-dir ("" = next to the executable)
  std::string workdir;               // --workdir ("" = the caller's working directory)
  std::string junit;
  std::string url;                   // "" = start an emulator in-process
  std::string timing_mode = "fast";  // fast | relaxed
  TimingPlan timing;                 // the mode's values with the explicit overrides applied
  int jobs = 4;
  bool quiet = false;
  bool verbose = false;
};

// Parses argv. On a bad command line the status message is one line saying what is wrong.
StatusOr<Options> ParseOptions(int argc, char** argv);

// The --help text: every option, its argument and default.
std::string HelpText();

// The clients directory: `explicit_dir` when given, else <exe dir>/../share/imagine-emu/clients
// (installed), else <exe dir>/share/imagine-emu/clients (build tree). It must hold clients.yaml.
StatusOr<std::string> LocateClientsDir(const std::string& explicit_dir);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_OPTIONS_H_
