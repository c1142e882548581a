#include "support/emulator_process.h"

#include "support/scratch.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace imagine::testing {
namespace {

extern "C" char** environ;

// fork+exec of the binary with stdout and stderr on one pipe; returns the read end. The child
// dies with this process (SpawnChild). argv and the environment are built before the fork: the
// child only calls async-signal-safe functions.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, int* out_fd) {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  std::vector<std::string> argv_text = {binary};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (env.count(entry.substr(0, entry.find('='))) == 0) env_text.push_back(entry);
  }
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int write_end = fds[1];
  pid_t pid = SpawnChild([&] {
    dup2(write_end, 1);
    dup2(write_end, 2);
    execve(argv[0], argv.data(), envp.data());
  });
  close(fds[1]);
  REQUIRE(pid >= 0);
  *out_fd = fds[0];
  return pid;
}

// Reads from `fd` until `done(text)` or EOF or `timeout_ms`.
std::string ReadUntil(int fd, int timeout_ms, const std::function<bool(const std::string&)>& done) {
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  while (!done(text)) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) break;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

int WaitWithTimeout(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

}  // namespace

EmulatorProcess::EmulatorProcess(std::vector<std::string> args, std::map<std::string, std::string> env,
                                 std::string binary) {
  bool has_port = false;
  for (const std::string& a : args) has_port = has_port || a == "--port" || a.rfind("--port=", 0) == 0;
  if (!has_port && env.count("IMAGINE_EMU_PORT") == 0) {
    args.push_back("--port");
    args.push_back("0");
  }
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--admin-token") admin_token_ = args[i + 1];
  }
  args.push_back("--self-check");
  int fd = -1;
  pid_ = Spawn(binary, args, env, &fd);
  // The listening line, after any log lines before it (a restored state directory says so first).
  startup_line_ = ReadUntil(fd, 60000, [](const std::string& t) {
    const size_t at = t.find(" listening on ");
    return at != std::string::npos && t.find('\n', at) != std::string::npos;
  });
  // Keep draining the pipe so the child never blocks on a full pipe (kept for output()).
  output_->text = startup_line_;
  std::thread([fd, out = output_] {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      std::lock_guard<std::mutex> lock(out->mu);
      if (out->text.size() < (8u << 20)) out->text.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    std::lock_guard<std::mutex> lock(out->mu);
    out->closed = true;
    out->cv.notify_all();
  }).detach();
  std::smatch m;
  bool found = std::regex_search(startup_line_, m, std::regex("listening on http://[^:]+:([0-9]+)"));
  INFO("start-up output: " << startup_line_);
  REQUIRE(found);
  port_ = std::stoi(m[1]);
}

EmulatorProcess::~EmulatorProcess() { Stop(); }

int EmulatorProcess::ProviderPort(const std::string& provider) const {
  std::smatch m;
  const bool found =
      std::regex_search(startup_line_, m, std::regex("serves " + provider + " on http://[^ ]+:([0-9]+)"));
  INFO("start-up output: " << startup_line_);
  REQUIRE(found);
  return std::stoi(m[1]);
}

std::string EmulatorProcess::output() const {
  std::lock_guard<std::mutex> lock(output_->mu);
  return output_->text;
}

long EmulatorProcess::RssKib() const {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/status").c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib;
}

int EmulatorProcess::Stop(int sig) {
  if (pid_ <= 0) return -1;
  nlohmann::json health = Get("/_emulator/health", admin_token_).json();
  std::string warnings;
  {
    std::istringstream lines(output());
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find("self-check:") != std::string::npos) warnings += line + "\n";
    }
  }
  INFO("self-check of every response: " << health.dump() << "\n" << warnings);
  CHECK(health["self_check"]["violations"] == 0);
  kill(pid_, sig);
  int status = WaitWithTimeout(pid_, 30000);
  pid_ = -1;
  // The process is gone; its last lines may still be in the pipe. Wait for the reader to drain
  // it, so output() after Stop() is whole (the cap only ends a hang).
  std::unique_lock<std::mutex> lock(output_->mu);
  output_->cv.wait_for(lock, std::chrono::seconds(60), [this] { return output_->closed; });
  return status;
}

Reply EmulatorProcess::Request(const std::string& method, const std::string& path, const std::string& body,
                               const httplib::Headers& headers, const std::string& content_type) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(10, 0);
  httplib::Result r(nullptr, httplib::Error::Unknown);
  if (method == "GET") {
    r = client.Get(path.c_str(), headers);
  } else if (method == "POST") {
    r = client.Post(path.c_str(), headers, body, content_type.c_str());
  } else if (method == "PUT") {
    r = client.Put(path.c_str(), headers, body, content_type.c_str());
  } else if (method == "DELETE") {
    r = client.Delete(path.c_str(), headers, body, content_type.c_str());
  }
  Reply reply;
  if (!r) return reply;
  reply.status = r->status;
  reply.body = r->body;
  reply.content_type = r->get_header_value("Content-Type");
  reply.headers = r->headers;
  return reply;
}

Reply EmulatorProcess::Get(const std::string& path, const std::string& key) const {
  httplib::Headers h;
  if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
  return Request("GET", path, "", h, "");
}

Reply EmulatorProcess::Post(const std::string& path, const std::string& body, const std::string& key,
                            const std::string& content_type) const {
  httplib::Headers h;
  if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
  return Request("POST", path, body, h, content_type);
}

void EmulatorProcess::Advance(double seconds) const {
  Reply r = Post("/_emulator/clock/advance", nlohmann::json{{"seconds", seconds}}.dump());
  REQUIRE(r.status == 200);
}

std::pair<int, std::string> RunToExit(const std::vector<std::string>& args,
                                      const std::map<std::string, std::string>& env, int timeout_s,
                                      const std::string& binary) {
  int fd = -1;
  pid_t pid = Spawn(binary, args, env, &fd);
  std::string out = ReadUntil(fd, timeout_s * 1000, [](const std::string&) { return false; });
  close(fd);
  int status = WaitWithTimeout(pid, 2000);
  int code = status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return {code, out};
}

std::string WriteTempFile(const std::string& text, const std::string& suffix) {
  const std::string path = ScratchPath("file-", suffix);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  REQUIRE(out.good());
  return path;
}

}  // namespace imagine::testing
