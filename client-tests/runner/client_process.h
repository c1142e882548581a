// Runs a client command line (through /bin/bash -c) with extra environment variables and
// a timeout, capturing stdout and stderr apart. The client runs in its own process group,
// so a timeout kills it and everything it started. Not thread-safe per call; calls on
// different threads are independent.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_PROCESS_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_PROCESS_H_

#include <map>
#include <string>

namespace imagine::conform {

struct ClientRun {
  int exit_code = -1;      // -1 when killed
  bool timed_out = false;  // killed by the runner's timeout
  std::string out;         // stdout
  std::string err;         // stderr
  double seconds = 0;      // real time taken
};

ClientRun RunClient(const std::string& command, const std::map<std::string, std::string>& env, double timeout_s,
                    const std::string& cwd);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_PROCESS_H_
