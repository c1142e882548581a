// What imagine-conform prints and writes: the table (per scenario, its checks and, on a
// failure, the last lines of the client's stderr and stdout), the --verbose request log, the
// score line and JUnit XML. Pure formatting but WriteJunit; thread-compatible.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_REPORT_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_REPORT_H_

#include <cstdio>
#include <string>
#include <vector>

#include "runner/session.h"

namespace imagine::conform {

struct Score {
  int passed = 0, failed = 0, skipped = 0;
  void Add(const std::vector<CheckResult>& checks);
  std::string ToString() const;  // "N passed, N failed, N skipped"
};

// The last `max_lines` lines of `text`, each cut to a readable width, indented for the table;
// "" when the text is empty.
std::string Tail(const std::string& label, const std::string& text, size_t max_lines);

// One scenario's block of the table.
std::string FormatScenario(const ScenarioResult& r, bool quiet, bool verbose);

// Writes the JUnit XML for `results`; false (with *error set) when the file cannot be written.
bool WriteJunit(const std::string& path, const std::string& client, const std::vector<ScenarioResult>& results,
                std::string* error);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_REPORT_H_
