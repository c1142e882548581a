// Runs a client command line (through bash -c, or directly when it is a simple command naming a
// program by its path, which is all bash would do with it) in a given directory with extra
// environment variables and a timeout, capturing stdout and stderr apart (each up to
// kMaxCapturedBytes). The client runs in its own process group, so a timeout kills it and
// everything it started. Safe to call from several threads at once: the child inherits no
// descriptor of the runner's but its own stdin, stdout and stderr.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_PROCESS_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_PROCESS_H_

#include <cstddef>
#include <map>
#include <string>

namespace imagine::conform {

inline constexpr size_t kMaxCapturedBytes = 4 << 20;

struct ClientRun {
  int exit_code = -1;      // -1 when killed or not started
  int signal = 0;          // the signal that ended it (not the runner's timeout kill)
  bool timed_out = false;  // killed by the runner's timeout
  std::string out;         // stdout
  std::string err;         // stderr
  double seconds = 0;      // real time taken
};

ClientRun RunClient(const std::string& command, const std::map<std::string, std::string>& env, double timeout_s,
                    const std::string& cwd);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_PROCESS_H_
