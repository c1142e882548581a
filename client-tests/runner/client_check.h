// Before the catalog runs: can the --client command start at all? A client whose program is
// not there (`--client my_client.py` without `./`: bash's exit 127) or cannot run (126)
// would fail every check of every scenario; the runner says it once instead, as a set-up
// error. Used by conform.cc in client mode; thread-compatible (runs one short bash).
#ifndef IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_CHECK_H_
#define IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_CHECK_H_

#include <string>

namespace imagine::conform {

// "" when the program `command` starts with (after any NAME=value words) is there and can be
// run from `cwd` ("" = the current directory): a path to an executable file, or a name bash
// finds (on PATH, a builtin, a keyword). Otherwise one sentence saying what is wrong and how
// to fix it. A command whose first word bash would expand or quote is not judged ("").
std::string ClientStartProblem(const std::string& command, const std::string& cwd);

}  // namespace imagine::conform

#endif  // IMAGINE_CLIENT_TESTS_RUNNER_CLIENT_CHECK_H_
