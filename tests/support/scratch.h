// Scratch space and child processes of one test process, cleaned up whatever way the process
// ends. Test-only.
//
// Every temporary file and directory a test makes lives under ScratchDir(): one directory per
// test process, `$TMPDIR/imagine-test-<pid>-XXXXXX` (TMPDIR defaults to /tmp). A small
// guardian process (`sh`, started with the directory) waits for the test process to end —
// normally, by an abort, or by SIGKILL from CTest's timeout — and then removes the directory.
// Child processes started with SpawnChild() get SIGKILL when the test process dies
// (PR_SET_PDEATHSIG), so no emulator outlives the test that started it.
#ifndef IMAGINE_TESTS_SUPPORT_SCRATCH_H_
#define IMAGINE_TESTS_SUPPORT_SCRATCH_H_

#include <sys/types.h>

#include <functional>
#include <string>

namespace imagine::testing {

// This process's scratch directory, made (with its guardian) on first use. Thread-safe.
const std::string& ScratchDir();

// A new empty directory under ScratchDir(), its name starting with `prefix`.
std::string ScratchSubdir(const std::string& prefix);

// A path under ScratchDir() that does not exist yet: `prefix` + a unique part + `suffix`.
std::string ScratchPath(const std::string& prefix, const std::string& suffix);

// fork() whose child (in which `in_child` runs, then typically exec) is killed when this
// process dies. Returns the child's pid, or -1. `in_child` must only call async-signal-safe
// functions (it runs between fork and exec in a multi-threaded process).
pid_t SpawnChild(const std::function<void()>& in_child);

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_SCRATCH_H_
