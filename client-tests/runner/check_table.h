// The conformance checks as a table: one named function per check, in report order, each
// judging one run from its Evidence and the shared Facts (journal_reading.h), and marked as
// a cause (how the client behaved) or an outcome (what it ended with): when a cause fails,
// the outcomes that fail with it are its consequences and are reported as such (checks.cc).
// Adding a check is one function and one row. Pure functions; thread-safe.
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CHECK_TABLE_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CHECK_TABLE_H_

#include <map>
#include <string>
#include <vector>

#include "runner/checks.h"
#include "runner/journal_reading.h"

namespace imagine::conform {

// The results judged so far in this run, by name (a check may read an earlier row's).
using Judged = std::map<std::string, CheckResult>;

struct NamedCheck {
  enum class Role { kCause, kOutcome, kOther };
  const char* name;
  Role role;
  // Called only when the client sent a create (created_task is the premise of every check).
  CheckResult (*judge)(const Evidence& ev, const Facts& facts, const Judged& earlier);
};

// Every check, in report order.
const std::vector<NamedCheck>& CheckTable();

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CHECK_TABLE_H_
