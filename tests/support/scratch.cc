#include "support/scratch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace imagine::testing {
namespace {

// Starts `sh` holding the read end of a pipe whose write end only this process keeps
// (close-on-exec, so no child inherits it). When this process ends, however it ends, the
// kernel closes the write end, `cat` sees end of file and the directory is removed.
void StartGuardian(const std::string& dir) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    // New session: a terminal's or CTest's signal to this test's process group does not stop
    // the guardian before it has cleaned up.
    setsid();
    dup2(fds[0], 0);  // dup2 clears close-on-exec on the copy
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    // A parent already gone (a test that ends within microseconds) has closed its write end:
    // `cat` below ends at once and the directory is still removed (this line used to _exit(0)
    // here and left the directory behind; scripts/repeat-tests found one in each of 3 runs).
    // A process the test started (an emulator being killed with it, a conformance client of a
    // killed runner) may still finish one last write as the test ends: remove again 2 s later.
    // (scripts/repeat-tests 3 once found a test's directory back after the first removal.)
    const char* script = "cat >/dev/null; rm -rf -- \"$0\"; sleep 2; rm -rf -- \"$0\"";
    execl("/bin/sh", "sh", "-c", script, dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  if (pid < 0) close(fds[1]);
  // fds[1] stays open for the life of this process, on purpose.
}

std::string MakeScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  std::string tmpl = base + "/imagine-test-" + std::to_string(getpid()) + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("cannot make a scratch directory under " + base);
  std::string dir(buf.data());
  StartGuardian(dir);
  return dir;
}

}  // namespace

const std::string& ScratchDir() {
  static const std::string dir = MakeScratchDir();
  return dir;
}

std::string ScratchPath(const std::string& prefix, const std::string& suffix) {
  static std::atomic<unsigned> counter{0};
  return ScratchDir() + "/" + prefix + std::to_string(counter.fetch_add(1)) + suffix;
}

std::string ScratchSubdir(const std::string& prefix) {
  std::string path = ScratchPath(prefix, "");
  if (mkdir(path.c_str(), 0700) != 0) throw std::runtime_error("cannot make " + path);
  return path;
}

pid_t SpawnChild(const std::function<void()>& in_child) {
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Killed when the thread that forked ends; every test forks from its main thread, which
    // lives as long as the process.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before the line above
    in_child();
    _exit(127);
  }
  return pid;
}

}  // namespace imagine::testing
