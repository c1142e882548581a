// imagine-conform: runs a client under test through the conformance catalog against an
// emulator (started in-process on an ephemeral port, or --url of a running one) and says,
// check by check, where it misbehaves. --self-test runs the bundled clients of clients.yaml
// and compares the checks each fails with the checks it is expected to fail.
//
//   cd ~/myapp && imagine-conform --provider apikley --client "python3 my_client.py" --junit out.xml
//   imagine-conform --self-test --provider evolink
#include <signal.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <string>

#include "runner/client_check.h"
#include "runner/conform_catalog.h"
#include "runner/options.h"
#include "runner/report.h"
#include "runner/self_test.h"
#include "runner/session.h"

namespace imagine::conform {
namespace {

// Every usage or set-up error: one line on stderr, exit status 2.
int BadUsage(const std::string& why) {
  std::fprintf(stderr, "imagine-conform: %s (see imagine-conform --help)\n", why.c_str());
  return 2;
}

// A client that cannot run at all: said once, before any scenario, exit status 2.
int SetUpError(const std::string& why) {
  std::fprintf(stderr, "imagine-conform: set-up error: --client cannot start: %s\n", why.c_str());
  return 2;
}

int RunClientMode(const Options& o, Session& session, const std::vector<ConformScenario>& catalog) {
  std::vector<RunSpec> specs;
  for (const std::string& provider : o.providers) {
    for (const ConformScenario* sc : ScenariosFor(catalog, provider, o.scenarios)) {
      specs.push_back({provider, sc, o.client, o.workdir, o.client_has_receiver});
    }
  }
  if (specs.empty()) return BadUsage("no scenario of --scenarios applies to the chosen provider");
  const Timing& t = o.timing.run;
  std::printf("imagine-conform: %s against %s (timing %s: time scale %g, poll %d ms, retry base %d ms, max wait %d s, "
              "stuck %d s; %d at a time)\n",
              o.client.c_str(), session.url().c_str(), o.timing_mode.c_str(), t.time_scale, t.poll_interval_ms,
              t.retry_base_ms, t.max_wait_s, o.timing.stuck_max_wait_s, o.jobs);
  if (session.callback_url() != session.url()) {
    std::printf("imagine-conform: callback scenarios against %s (time scale %g)\n", session.callback_url().c_str(),
                session.callback_time_scale());
  }
  std::fflush(stdout);
  Score score;
  std::vector<ScenarioResult> results = RunAll(session, specs, o.jobs, [&](size_t, const ScenarioResult& r) {
    score.Add(r.checks);
    std::printf("%s", FormatScenario(r, o.quiet, o.verbose).c_str());
    std::fflush(stdout);
  });
  std::printf("%s\n", score.ToString().c_str());
  if (!o.junit.empty()) {
    std::string error;
    if (!WriteJunit(o.junit, o.client, results, &error)) return BadUsage(error);
  }
  return score.failed == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  StatusOr<Options> parsed = ParseOptions(argc, argv);
  if (!parsed.ok()) return BadUsage(parsed.status().message());
  const Options& o = *parsed;
  if (o.mode == Options::Mode::kHelp) {
    std::printf("%s", HelpText().c_str());
    return 0;
  }
  if (o.mode == Options::Mode::kVersion) {
    std::printf("imagine-conform %s\n", IMAGINE_VERSION);
    return 0;
  }
  auto catalog = EmbeddedCatalog();
  if (!catalog.ok()) return BadUsage(catalog.status().message());
  for (const std::string& name : o.scenarios) {
    bool known = false;
    std::string all;
    for (const ConformScenario& sc : *catalog) {
      known |= sc.name == name;
      all += (all.empty() ? "" : ", ") + sc.name;
    }
    if (!known) return BadUsage("--scenarios: no scenario " + name + " (the catalog has " + all + ")");
  }
  std::string clients_dir;
  if (o.mode == Options::Mode::kSelfTest) {
    StatusOr<std::string> dir = LocateClientsDir(o.clients_dir);
    if (!dir.ok()) return BadUsage(dir.status().message());
    clients_dir = *dir;
  }
  if (!o.junit.empty() && !std::ofstream(o.junit, std::ios::app)) return BadUsage("--junit: cannot write " + o.junit);
  if (o.mode != Options::Mode::kSelfTest) {
    if (std::string problem = ClientStartProblem(o.client, o.workdir); !problem.empty()) return SetUpError(problem);
  }

  Session session;
  if (Status s = session.Start(o); !s.ok()) return BadUsage(s.message());
  if (!session.note().empty()) std::fprintf(stderr, "imagine-conform: note: %s\n", session.note().c_str());
  if (o.mode == Options::Mode::kSelfTest) return SelfTest(o, session, *catalog, clients_dir);
  return RunClientMode(o, session, *catalog);
}

}  // namespace
}  // namespace imagine::conform

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  try {
    return imagine::conform::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "imagine-conform: internal error: %s\n", e.what());
    return 2;
  }
}
