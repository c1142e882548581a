#include "runner/options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

namespace imagine::conform {
namespace {

const std::map<std::string, TimingPlan>& TimingModes() {
  static const std::map<std::string, TimingPlan> kModes = {
      // The emulator 100x faster than real time: a 15-20 s generation takes 0.2 s. For clients
      // that take their timings from the IMAGINE_* variables.
      {"fast", {{100, 200, 100, 15, 0}, 2, 8}},
      // Ordinary client timings: polls a second apart, retries from 1 s. For a client that wraps
      // an SDK with its own timings (it must still honour IMAGINE_MAX_WAIT_S).
      {"relaxed", {{20, 1000, 1000, 60, 0}, 20, 30}},
  };
  return kModes;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream list(text);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::optional<long> ParseInt(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string ExecutableDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

}  // namespace

Timing TimingPlan::For(const ConformScenario& scenario, double scale) const {
  Timing t = run;
  t.time_scale = scale;
  if (scenario.expect == Expect::kGivesUp) t.max_wait_s = stuck_max_wait_s;
  t.timeout_s = t.max_wait_s + grace_s;
  return t;
}

std::string HelpText() {
  return R"(usage: imagine-conform --client "COMMAND" [options]
       imagine-conform --self-test [options]

Runs a client of the Apikley, Evolink or xAI API through every scenario of the conformance catalog
against an emulator it starts on an ephemeral port, and says, check by check, where the client
misbehaves. The contract (what the client is told, what it must do) is client-tests/README.md.
Exit status: 0 no check failed, 1 some check failed, 2 a bad command line or set-up (one line on stderr).

What to run:
  --client "COMMAND"       the client under test, run through bash -c once per scenario, in the
                           caller's working directory (or --workdir)
  --self-test              run the bundled reference and broken clients (clients.yaml in the
                           clients directory) and check that each fails exactly its expected checks
  --provider P             apikley, evolink, xai, both (apikley and evolink) or all (default: both)
  --scenarios A,B          run only these scenarios of the catalog (default: all)
  --clients A,B            --self-test: run only these clients of clients.yaml (default: all)
  --workdir DIR            --client: run the client in DIR (default: the current directory)
  --clients-dir DIR        --self-test: the bundled clients (default: ../share/imagine-emu/clients
                           next to this executable, else share/imagine-emu/clients beside it)
  --no-callback-receiver   the client opens no callback receiver: skip the callback checks

Timing (what the client is told, and how long the runner waits for it):
  --timing MODE            fast (default): the emulator runs 100x real time; IMAGINE_POLL_INTERVAL_MS
                           200, IMAGINE_RETRY_BASE_MS 100, IMAGINE_MAX_WAIT_S 2 in the stuck
                           scenario and 15 elsewhere. relaxed: for a client that keeps its SDK's own
                           timings: 20x, polls and retries from 1000 ms, max wait 20 (stuck) / 60 s.
                           Callback scenarios run at most 10x real time either way
  --time-scale X           emulated seconds per real second (fast: 100, relaxed: 20)
  --poll-interval-ms N     IMAGINE_POLL_INTERVAL_MS, the client's wait between two status queries
  --retry-base-ms N        IMAGINE_RETRY_BASE_MS, the client's first retry delay after 429/455/5xx
  --stuck-wait-s N         IMAGINE_MAX_WAIT_S in the stuck scenario, where the client must give up
  --max-wait-s N           IMAGINE_MAX_WAIT_S in every other scenario (whole seconds)
  --grace-s S              kill a client still running S seconds after its max wait (fast: 8,
                           relaxed: 30)

Where and how:
  --url URL                use a running emulator (its clock speed and callbacks are its own; it
                           must allow http:// callbacks) instead of starting one
  --jobs N                 run N scenarios at once (default: the number of cores, at least 4)

Output:
  --junit FILE             also write JUnit XML: one testsuite per provider and scenario, one
                           testcase per check, the client's stdout and stderr as system-out/system-err
  --quiet                  hide skipped checks
  --verbose                show every request the client sent with its answer, and its output
  --help                   this text
  --version                print "imagine-conform <version>"
)";
}

StatusOr<Options> ParseOptions(int argc, char** argv) {
  Options o;
  o.jobs = std::max(4, static_cast<int>(std::thread::hardware_concurrency()));
  std::optional<double> time_scale, grace_s;
  std::optional<long> poll_ms, retry_ms, stuck_wait_s, max_wait_s;
  bool self_test = false;

  using Setter = std::function<Status(const std::string&)>;
  auto integer = [](std::optional<long>* out, long min, long max) -> Setter {
    return [=](const std::string& v) {
      std::optional<long> n = ParseInt(v);
      if (!n || *n < min || *n > max) {
        return InvalidArgument("needs a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                               " (got \"" + v + "\")");
      }
      *out = n;
      return Status::Ok();
    };
  };
  auto number = [](std::optional<double>* out, double max) -> Setter {
    return [=](const std::string& v) {
      std::optional<double> n = ParseDouble(v);
      if (!n || *n <= 0 || *n > max) return InvalidArgument("needs a number above 0 (got \"" + v + "\")");
      *out = n;
      return Status::Ok();
    };
  };
  auto text = [](std::string* out) -> Setter {
    return [=](const std::string& v) {
      if (v.empty()) return InvalidArgument("needs a value");
      *out = v;
      return Status::Ok();
    };
  };
  auto list = [](std::vector<std::string>* out) -> Setter {
    return [=](const std::string& v) {
      *out = SplitList(v);
      if (out->empty()) return InvalidArgument("needs a comma-separated list (got \"" + v + "\")");
      return Status::Ok();
    };
  };
  std::optional<long> jobs;
  const std::map<std::string, Setter> with_value = {
      {"--client", text(&o.client)},
      {"--provider",
       [&](const std::string& v) {
         if (v == "both") {
           o.providers = {"apikley", "evolink"};
         } else if (v == "all") {
           o.providers = {"apikley", "evolink", "xai"};
         } else if (v == "apikley" || v == "evolink" || v == "xai") {
           o.providers = {v};
         } else {
           return InvalidArgument("must be apikley, evolink, xai, both or all (got \"" + v + "\")");
         }
         return Status::Ok();
       }},
      {"--scenarios", list(&o.scenarios)},
      {"--clients", list(&o.clients)},
      {"--clients-dir", text(&o.clients_dir)},
      {"--workdir", text(&o.workdir)},
      {"--junit", text(&o.junit)},
      {"--url",
       [&](const std::string& v) {
         if (v.rfind("http://", 0) != 0 || v.size() <= 7) return InvalidArgument("must be an http:// URL (got \"" + v + "\")");
         o.url = v;
         while (o.url.size() > 7 && o.url.back() == '/') o.url.pop_back();
         return Status::Ok();
       }},
      {"--timing",
       [&](const std::string& v) {
         if (TimingModes().count(v) == 0) return InvalidArgument("must be fast or relaxed (got \"" + v + "\")");
         o.timing_mode = v;
         return Status::Ok();
       }},
      {"--time-scale", number(&time_scale, 1e6)},
      {"--poll-interval-ms", integer(&poll_ms, 1, 600000)},
      {"--retry-base-ms", integer(&retry_ms, 1, 600000)},
      {"--stuck-wait-s", integer(&stuck_wait_s, 1, 3600)},
      {"--max-wait-s", integer(&max_wait_s, 1, 3600)},
      {"--grace-s", number(&grace_s, 3600)},
      {"--jobs", integer(&jobs, 1, 256)},
  };
  const std::map<std::string, std::function<void()>> flags = {
      {"--self-test", [&] { self_test = true; }},
      {"--no-callback-receiver", [&] { o.client_has_receiver = false; }},
      {"--quiet", [&] { o.quiet = true; }},
      {"--verbose", [&] { o.verbose = true; }},
      {"--help", [&] { o.mode = Options::Mode::kHelp; }},
      {"-h", [&] { o.mode = Options::Mode::kHelp; }},
      {"--version", [&] { o.mode = Options::Mode::kVersion; }},
  };

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> inline_value;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (auto f = flags.find(arg); f != flags.end()) {
      if (inline_value) return InvalidArgument(arg + " takes no value");
      f->second();
      continue;
    }
    auto s = with_value.find(arg);
    if (s == with_value.end()) {
      return InvalidArgument(std::string(arg.rfind("-", 0) == 0 ? "unknown option " : "unexpected argument ") + "\"" +
                             arg + "\"");
    }
    if (!inline_value && i + 1 >= argc) return InvalidArgument(arg + " needs a value");
    const std::string value = inline_value ? *inline_value : argv[++i];
    if (Status st = s->second(value); !st.ok()) return InvalidArgument(arg + " " + st.message());
  }
  if (o.mode == Options::Mode::kHelp || o.mode == Options::Mode::kVersion) return o;

  if (self_test && !o.client.empty()) return InvalidArgument("give --client or --self-test, not both");
  if (!self_test && o.client.empty()) return InvalidArgument("give --client \"COMMAND\" or --self-test");
  o.mode = self_test ? Options::Mode::kSelfTest : Options::Mode::kClient;
  if (self_test && !o.workdir.empty()) return InvalidArgument("--workdir is for --client (self-test clients run in the clients directory)");
  if (!self_test && !o.clients.empty()) return InvalidArgument("--clients is for --self-test");
  if (!self_test && !o.clients_dir.empty()) return InvalidArgument("--clients-dir is for --self-test");
  if (jobs) o.jobs = static_cast<int>(*jobs);

  o.timing = TimingModes().at(o.timing_mode);
  if (time_scale) o.timing.run.time_scale = *time_scale;
  if (poll_ms) o.timing.run.poll_interval_ms = static_cast<int>(*poll_ms);
  if (retry_ms) o.timing.run.retry_base_ms = static_cast<int>(*retry_ms);
  if (max_wait_s) o.timing.run.max_wait_s = static_cast<int>(*max_wait_s);
  if (stuck_wait_s) o.timing.stuck_max_wait_s = static_cast<int>(*stuck_wait_s);
  if (grace_s) o.timing.grace_s = *grace_s;
  if (!o.workdir.empty() && !IsDirectory(o.workdir)) return InvalidArgument("--workdir " + o.workdir + " is not a directory");
  return o;
}

StatusOr<std::string> LocateClientsDir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) {
    if (!IsFile(explicit_dir + "/clients.yaml")) {
      return InvalidArgument("--clients-dir " + explicit_dir + " holds no clients.yaml");
    }
    return explicit_dir;
  }
  const std::string exe_dir = ExecutableDir();
  std::vector<std::string> tried;
  for (const std::string& dir : {exe_dir + "/../share/imagine-emu/clients", exe_dir + "/share/imagine-emu/clients"}) {
    if (IsFile(dir + "/clients.yaml")) return dir;
    tried.push_back(dir);
  }
  return InvalidArgument("no bundled clients (clients.yaml) in " + tried[0] + " or " + tried[1] +
                         "; build the conform_clients target or give --clients-dir");
}

}  // namespace imagine::conform
