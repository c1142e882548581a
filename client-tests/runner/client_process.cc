#include "runner/client_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <vector>

extern char** environ;

namespace imagine::conform {
namespace {

// The runner's environment with `env` laid over it, as execve wants it.
std::vector<std::string> MergedEnvironment(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    if (env.count(entry.substr(0, entry.find('='))) == 0) out.push_back(std::move(entry));
  }
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// A command bash would run as one simple command naming its program by a path
// ("./reference_cpp", "IMAGINE_CLIENT_FAULT=x ./broken_cpp"): sets the program and its
// arguments, and the NAME=value words before it. False for anything else (quotes, escapes,
// expansions, operators, or a program looked up on PATH, which could be a builtin).
bool SimpleCommand(const std::string& command, std::vector<std::string>* words,
                   std::map<std::string, std::string>* assignments) {
  if (command.find_first_of("'\"\\$`|&;<>(){}[]*?~#!\n\t") != std::string::npos) return false;
  std::istringstream in(command);
  std::string w;
  while (in >> w) {
    const size_t eq = w.find('=');
    const bool assignment = words->empty() && eq != std::string::npos && eq > 0 &&
                            std::all_of(w.begin(), w.begin() + eq, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) &&
                            !std::isdigit(static_cast<unsigned char>(w[0]));
    if (assignment) {
      (*assignments)[w.substr(0, eq)] = w.substr(eq + 1);
    } else {
      words->push_back(w);
    }
  }
  return !words->empty() && words->front().find('/') != std::string::npos;
}

// Starts `path` with `argv` as a client: stdin from /dev/null, stdout and stderr into the
// pipes, nothing else inherited, in `cwd`, in its own process group, with SIGPIPE at its
// default. posix_spawn, not fork: the runner is a big multi-threaded process, and copying its
// page tables for every client (then breaking copy-on-write pages while 16 clients start)
// costs more CPU than the clients themselves. Returns 0 or an errno.
int Spawn(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& env,
          const std::string& cwd, int out_fd, int err_fd, pid_t* pid) {
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);  // the runner ignores SIGPIPE; the client must not inherit that
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group, so a timeout kills all it started
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const int error = posix_spawn(pid, path.c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return error;
}

}  // namespace

ClientRun RunClient(const std::string& command, const std::map<std::string, std::string>& env, double timeout_s,
                    const std::string& cwd) {
  ClientRun run;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return run;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return run;
  }
  // A simple command is started directly (bash would only exec it), anything else by bash -c.
  std::vector<std::string> words;
  std::map<std::string, std::string> with_assignments = env;
  std::map<std::string, std::string> assignments;
  const bool direct = SimpleCommand(command, &words, &assignments);
  for (const auto& [k, v] : assignments) with_assignments[k] = v;

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int spawn_error = direct ? Spawn(words.front(), words, MergedEnvironment(with_assignments), cwd, out_pipe[1], err_pipe[1], &pid)
                           : ENOEXEC;
  if (spawn_error == ENOEXEC) {  // not simple, or a script without "#!": bash runs it
    spawn_error = Spawn("/bin/bash", {"bash", "-c", command}, MergedEnvironment(env), cwd, out_pipe[1], err_pipe[1], &pid);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_error != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    // As bash would say it: 127 for a program that is not there, 126 for one that cannot run.
    run.exit_code = spawn_error == ENOENT ? 127 : 126;
    run.err = "imagine-conform: cannot start " + (direct ? words.front() : std::string("/bin/bash")) +
              (cwd.empty() ? "" : " in " + cwd) + ": " + std::strerror(spawn_error) + "\n";
    return run;
  }
  const auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  // Once the client has exited, whatever it left running gets this long to close its output.
  constexpr auto kGrace = std::chrono::milliseconds(200);
  std::chrono::steady_clock::time_point exited_at{};
  bool exited = false;
  int status = 0;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      exited_at = now;
    }
    if (exited && now - exited_at > kGrace) break;
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
    if (left <= 0) {
      run.timed_out = !exited;
      break;
    }
    if (poll(fds, 2, std::min(left, 50)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string& sink = i == 0 ? run.out : run.err;
      if (sink.size() < kMaxCapturedBytes) sink.append(buf, std::min(static_cast<size_t>(n), kMaxCapturedBytes - sink.size()));
    }
  }
  kill(-pid, SIGKILL);  // on a timeout the client, and always anything it left running in its group
  while (!exited && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  for (pollfd& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  if (!run.timed_out && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (!run.timed_out && WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace imagine::conform
