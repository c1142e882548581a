// Benchmark (not a test): the emulator against a trivial cpp-httplib server under the
// same keep-alive load, in one run. Each server runs in a forked child process pinned to
// one CPU, the load generator (one thread, epoll, raw sockets, like wrk) on another when
// there are two or more. The load: N keep-alive connections, 50 % creates / 50 % status
// queries over both providers (Evolink create, Evolink task query, Apikley createTask,
// Apikley recordInfo), validation on, rate limits and credits lifted, real clock. The
// baseline answers every request with a fixed JSON body (TCP_NODELAY, 64 threads), as a
// ten-line cpp-httplib server does. Each run prints one line per server: req/s, p50, p99,
// the child's peak RSS (VmHWM) and non-2xx answers (must be 0); the last lines give the
// medians and the emulator's ratio to the baseline.
//
// With --state-fsync P a third server runs in each round: the emulator with a fresh
// state directory (--state-dir, state.fsync P), and the last line gives its ratio to the
// emulator without one.
//
// With --binary PATH (repeatable) each round runs those imagine-emu binaries instead of the
// emulator built into this program (same config, --port 0, pinned the same way): keep a copy
// of an older build/imagine-emu and compare it with the new one in one run. The last lines
// then give each binary's medians and its ratios to the first binary.
//
//   build/bench_load [--connections 32] [--seconds 10] [--runs 3] [--warmup 1] [--threads N (server.threads)]
//                  [--state-fsync always|batch|off] [--port P: drive a server already listening on 127.0.0.1:P instead]
//                  [--binary OLD --binary NEW]
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/application.h"
#include "common/log.h"

namespace {

using Clock = std::chrono::steady_clock;

// Lifts what would refuse valid creates under load: rate limits, credits, concurrency.
constexpr const char* kBenchConfig = R"(
log_level: off
accounts:
  keys:
    bench-key: {credits: 1000000000000}
apikley:
  rate_limits: {}
)";

std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  }
  return cpus;
}

void PinTo(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

[[noreturn]] void RunBaseline(int port_pipe) {
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  const std::string body = R"({"code":200,"msg":"success","data":{"taskId":"task_0123456789abcdef","state":"waiting"}})";
  auto answer = [&body](const httplib::Request&, httplib::Response& res) { res.set_content(body, "application/json"); };
  server.Get(".*", answer);
  server.Post(".*", answer);
  int port = server.bind_to_any_port("127.0.0.1");
  if (write(port_pipe, &port, sizeof port) != sizeof port) _exit(1);
  close(port_pipe);
  server.listen_after_bind();
  _exit(0);
}

std::string g_config = kBenchConfig;  // plus --threads
std::string g_state_fsync;            // --state-fsync: "" = no state-directory run
std::string g_state_dir;              // the next emulator child's state directory ("" = none)
std::string g_binary;                 // the next emulator child's binary ("" = this program's own emulator)

[[noreturn]] void RunEmulator(int port_pipe) {
  imagine::SetLogLevel(imagine::LogLevel::kOff);
  char path[] = "/tmp/bench_load_XXXXXX.yaml";
  int fd = mkstemps(path, 5);
  if (fd < 0 || write(fd, g_config.data(), g_config.size()) < 0) _exit(1);
  close(fd);
  auto config = imagine::LoadConfig(path);
  unlink(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    _exit(1);
  }
  config->server.port = 0;
  if (!g_state_dir.empty()) {
    config->state.dir = g_state_dir;
    if (!imagine::ParseFsyncPolicy(g_state_fsync, &config->state.fsync)) _exit(1);
  }
  auto app = imagine::Application::Create(std::move(config).value());
  if (!app.ok()) {
    std::fprintf(stderr, "%s\n", app.status().ToString().c_str());
    _exit(1);
  }
  int port = (*app)->port();
  if (write(port_pipe, &port, sizeof port) != sizeof port) _exit(1);
  close(port_pipe);
  (*app)->Run();
  _exit(0);
}

struct Child {
  pid_t pid = -1;
  int port = -1;
};

// Execs `g_binary` with the bench config on an ephemeral port, pinned to `cpu`, and reads
// the port from its "listening on http://HOST:PORT" line.
Child StartBinary(int cpu) {
  char path[] = "/tmp/bench_load_XXXXXX.yaml";
  int fd = mkstemps(path, 5);
  if (fd < 0 || write(fd, g_config.data(), g_config.size()) < 0) return {};
  close(fd);
  int out[2];
  if (pipe(out) != 0) return {};
  std::fflush(stdout);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    PinTo(cpu);
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(g_binary.c_str(), g_binary.c_str(), "--config", path, "--port", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char ch;
  while (line.find('\n') == std::string::npos && read(out[0], &ch, 1) == 1) line.push_back(ch);
  close(out[0]);  // later output goes nowhere (log_level: off prints none)
  unlink(path);
  const size_t at = line.find("listening on http://");
  const size_t colon = at == std::string::npos ? at : line.find(':', at + 20);
  c.port = colon == std::string::npos ? -1 : std::atoi(line.c_str() + colon + 1);
  return c;
}

Child StartServer(bool emulator, int cpu) {
  if (emulator && !g_binary.empty()) return StartBinary(cpu);
  int fds[2];
  if (pipe(fds) != 0) return {};
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    PinTo(cpu);
    if (emulator) RunEmulator(fds[1]);
    RunBaseline(fds[1]);
  }
  close(fds[1]);
  Child c;
  c.pid = pid;
  if (read(fds[0], &c.port, sizeof c.port) != sizeof c.port) c.port = -1;
  close(fds[0]);
  return c;
}

long PeakRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  return fd;
}

std::string Request(const std::string& method, const std::string& target, const std::string& body) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer bench-key\r\n";
  if (!body.empty()) r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

// Length of the complete response at the front of `in` (0 while incomplete); its status in `status`.
size_t ResponseLength(const std::string& in, int* status) {
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  *status = in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
  size_t length = 0;
  for (size_t p = in.find("\r\n"); p < end; p = in.find("\r\n", p + 2)) {
    if (strncasecmp(in.c_str() + p + 2, "Content-Length:", 15) == 0) length = std::strtoul(in.c_str() + p + 17, nullptr, 10);
  }
  return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

// One blocking exchange (set-up only).
std::string Exchange(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "";
  std::string in;
  int status = 0;
  size_t n = 0;
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buf[16384];
    while ((n = ResponseLength(in, &status)) == 0) {
      ssize_t got = recv(fd, buf, sizeof buf, 0);
      if (got <= 0) break;
      in.append(buf, static_cast<size_t>(got));
    }
  }
  close(fd);
  size_t end = in.find("\r\n\r\n");
  return n == 0 || end == std::string::npos ? "" : in.substr(end + 4, n - end - 4);
}

struct Result {
  double rps = 0, p50_ms = 0, p99_ms = 0, rss_mib = 0;
  long bad = 0;  // non-2xx answers and failed exchanges
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Drives `connections` keep-alive connections, each sending the next of `requests` (round
// robin) as soon as its previous answer is complete.
Result Drive(int port, const std::vector<std::string>& requests, int connections, double warmup_s, double seconds) {
  struct Conn {
    int fd = -1;
    size_t next = 0, sent = 0;
    std::string in;
    Clock::time_point t0;
  };
  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(connections));
  Result r;
  auto send_next = [&](Conn& c) {
    const std::string& req = requests[c.next % requests.size()];
    c.t0 = Clock::now();
    ssize_t n = send(c.fd, req.data(), req.size(), MSG_NOSIGNAL);
    c.sent = n > 0 ? static_cast<size_t>(n) : 0;
  };
  for (size_t i = 0; i < conns.size(); ++i) {
    conns[i].fd = Connect(port);
    conns[i].next = i;
    if (conns[i].fd < 0) {
      ++r.bad;
      continue;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    send_next(conns[i]);
  }
  std::vector<double> latencies;
  latencies.reserve(2000000);
  const auto start = Clock::now();
  const auto measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup_s));
  const auto end = measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  long answered = 0;
  char buf[65536];
  epoll_event events[256];
  while (Clock::now() < end) {
    int n = epoll_wait(ep, events, 256, 100);
    for (int e = 0; e < n; ++e) {
      Conn& c = conns[events[e].data.u64];
      ssize_t got = recv(c.fd, buf, sizeof buf, 0);
      if (got <= 0) {
        ++r.bad;
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        c.fd = Connect(port);  // the server closed: reconnect and go on
        if (c.fd < 0) continue;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = events[e].data.u64;
        epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
        c.in.clear();
        send_next(c);
        continue;
      }
      c.in.append(buf, static_cast<size_t>(got));
      int status = 0;
      size_t len = ResponseLength(c.in, &status);
      if (len == 0) continue;
      const auto now = Clock::now();
      if (now >= measure_from) {
        latencies.push_back(std::chrono::duration<double, std::milli>(now - c.t0).count());
        ++answered;
        if (status < 200 || status > 299) ++r.bad;
      }
      c.in.erase(0, len);
      ++c.next;
      send_next(c);
    }
  }
  for (Conn& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }
  close(ep);
  r.rps = static_cast<double>(answered) / seconds;
  r.p50_ms = Percentile(latencies, 0.50);
  r.p99_ms = Percentile(latencies, 0.99);
  return r;
}

std::vector<std::string> MixedLoad(int port, bool emulator) {
  std::string evolink_id = "task_0123456789abcdef", apikley_id = "task_0123456789abcdef";
  const std::string evolink_create = R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})";
  const std::string apikley_create = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"a cat"}})";
  if (emulator) {
    auto e = nlohmann::json::parse(Exchange(port, Request("POST", "/v1/videos/generations", evolink_create)), nullptr, false);
    auto a = nlohmann::json::parse(Exchange(port, Request("POST", "/api/v1/jobs/createTask", apikley_create)), nullptr, false);
    if (e.is_object() && e.contains("id")) evolink_id = e["id"];
    if (a.is_object() && a.contains("data") && a["data"].is_object()) apikley_id = a["data"].value("taskId", apikley_id);
  }
  return {Request("POST", "/v1/videos/generations", evolink_create), Request("GET", "/v1/tasks/" + evolink_id, ""),
          Request("POST", "/api/v1/jobs/createTask", apikley_create),
          Request("GET", "/api/v1/jobs/recordInfo?taskId=" + apikley_id, "")};
}

Result RunOne(bool emulator, int server_cpu, int connections, double warmup_s, double seconds) {
  Child child = StartServer(emulator, server_cpu);
  Result r;
  if (child.port > 0) {
    r = Drive(child.port, MixedLoad(child.port, emulator), connections, warmup_s, seconds);
    r.rss_mib = static_cast<double>(PeakRssKib(child.pid)) / 1024.0;
  } else {
    r.bad = -1;
  }
  if (child.pid > 0) {
    kill(child.pid, SIGKILL);
    waitpid(child.pid, nullptr, 0);
  }
  return r;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// --binary: the baseline and each binary, round after round; medians and ratios to the first.
int CompareBinaries(const std::vector<std::string>& binaries, int connections, double warmup, double seconds,
                    int runs) {
  std::vector<int> cpus = AllowedCpus();
  const int server_cpu = cpus.size() >= 2 ? cpus[0] : -1;
  if (cpus.size() >= 2) PinTo(cpus[1]);
  std::printf("bench_load: %d keep-alive connections, %gs (+%gs warm-up) x %d runs, binaries:", connections, seconds,
              warmup, runs);
  for (const std::string& b : binaries) std::printf(" %s", b.c_str());
  std::printf("\n");
  std::vector<std::vector<Result>> results(binaries.size() + 1);
  long bad = 0;
  for (int run = 1; run <= runs; ++run) {
    for (size_t v = 0; v <= binaries.size(); ++v) {
      g_binary = v == 0 ? "" : binaries[v - 1];
      Result r = RunOne(v > 0, server_cpu, connections, warmup, seconds);
      std::printf("  run %d %-40s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  peak RSS %6.1f MiB  non-2xx %ld\n", run,
                  v == 0 ? "baseline" : binaries[v - 1].c_str(), r.rps, r.p50_ms, r.p99_ms, r.rss_mib, r.bad);
      std::fflush(stdout);
      results[v].push_back(r);
      if (v > 0) bad += r.bad;
    }
  }
  auto med = [](const std::vector<Result>& v, double Result::*field) {
    std::vector<double> x;
    for (const Result& r : v) x.push_back(r.*field);
    return Median(x);
  };
  for (size_t v = 0; v <= binaries.size(); ++v) {
    std::printf("median %-40s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  peak RSS %6.1f MiB\n",
                v == 0 ? "baseline" : binaries[v - 1].c_str(), med(results[v], &Result::rps),
                med(results[v], &Result::p50_ms), med(results[v], &Result::p99_ms), med(results[v], &Result::rss_mib));
  }
  const double rps0 = med(results[1], &Result::rps), p99_0 = med(results[1], &Result::p99_ms);
  for (size_t v = 2; v <= binaries.size(); ++v) {
    std::printf("ratio %s/%s: throughput %.2fx, p99 %.2fx\n", binaries[v - 1].c_str(), binaries[0].c_str(),
                rps0 > 0 ? med(results[v], &Result::rps) / rps0 : 0.0,
                p99_0 > 0 ? med(results[v], &Result::p99_ms) / p99_0 : 0.0);
  }
  std::printf("non-2xx answers to valid requests: %ld\n", bad);
  return bad == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int connections = 32;
  double seconds = 10, warmup = 1;
  int runs = 3;
  int external = 0;
  std::vector<std::string> binaries;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--connections")) connections = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--warmup")) warmup = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--port")) external = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) g_config += std::string("server: {threads: ") + argv[i + 1] + "}\n";
    if (!std::strcmp(argv[i], "--state-fsync")) g_state_fsync = argv[i + 1];
    if (!std::strcmp(argv[i], "--binary")) binaries.push_back(argv[i + 1]);
  }
  if (!binaries.empty()) return CompareBinaries(binaries, connections, warmup, seconds, runs);
  signal(SIGPIPE, SIG_IGN);
  if (external > 0) {  // drive a server started elsewhere (e.g. taskset -c 0 imagine-emu) with the emulator's mix
    for (int run = 1; run <= runs; ++run) {
      Result r = Drive(external, MixedLoad(external, true), connections, warmup, seconds);
      std::printf("  run %d external  %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  non-2xx %ld\n", run, r.rps, r.p50_ms,
                  r.p99_ms, r.bad);
    }
    return 0;
  }
  std::vector<int> cpus = AllowedCpus();
  const int server_cpu = cpus.size() >= 2 ? cpus[0] : -1;
  if (cpus.size() >= 2) PinTo(cpus[1]);
  std::printf("bench_load: %d keep-alive connections, 50%% creates / 50%% queries over both providers, %gs (+%gs warm-up) x %d runs, %s\n",
              connections, seconds, warmup, runs,
              cpus.size() >= 2 ? ("server pinned to cpu " + std::to_string(cpus[0]) + ", load to cpu " + std::to_string(cpus[1])).c_str()
                               : "one cpu: not pinned");
  std::vector<Result> base, emu, state;
  long bad = 0;
  for (int run = 1; run <= runs; ++run) {
    for (int variant = 0; variant < (g_state_fsync.empty() ? 2 : 3); ++variant) {
      const bool emulator = variant > 0;
      char dir[] = "/tmp/bench_load_state_XXXXXX";
      g_state_dir = variant == 2 && mkdtemp(dir) != nullptr ? dir : "";
      Result r = RunOne(emulator, server_cpu, connections, warmup, seconds);
      if (!g_state_dir.empty()) std::filesystem::remove_all(g_state_dir);
      const std::string name = variant == 0 ? "baseline" : variant == 1 ? "emulator" : "state-" + g_state_fsync;
      std::printf("  run %d %-12s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  peak RSS %6.1f MiB  non-2xx %ld\n", run,
                  name.c_str(), r.rps, r.p50_ms, r.p99_ms, r.rss_mib, r.bad);
      std::fflush(stdout);
      (variant == 0 ? base : variant == 1 ? emu : state).push_back(r);
      if (emulator) bad += r.bad;
    }
  }
  auto med = [](const std::vector<Result>& v, double Result::*field) {
    std::vector<double> x;
    for (const Result& r : v) x.push_back(r.*field);
    return Median(x);
  };
  for (const auto* set : {&base, &emu}) {
    std::printf("median %-9s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  peak RSS %6.1f MiB\n",
                set == &emu ? "emulator" : "baseline", med(*set, &Result::rps), med(*set, &Result::p50_ms),
                med(*set, &Result::p99_ms), med(*set, &Result::rss_mib));
  }
  const double b = med(base, &Result::rps);
  std::printf("ratio emulator/baseline: throughput %.2fx, p99 %.2fx; non-2xx answers to valid requests: %ld\n",
              b > 0 ? med(emu, &Result::rps) / b : 0.0,
              med(base, &Result::p99_ms) > 0 ? med(emu, &Result::p99_ms) / med(base, &Result::p99_ms) : 0.0, bad);
  if (!state.empty()) {
    std::printf("median %-9s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  peak RSS %6.1f MiB\n",
                ("state-" + g_state_fsync).c_str(), med(state, &Result::rps), med(state, &Result::p50_ms),
                med(state, &Result::p99_ms), med(state, &Result::rss_mib));
    const double e = med(emu, &Result::rps);
    std::printf("ratio state-%s/emulator: throughput %.2fx, p99 %.2fx\n", g_state_fsync.c_str(),
                e > 0 ? med(state, &Result::rps) / e : 0.0,
                med(emu, &Result::p99_ms) > 0 ? med(state, &Result::p99_ms) / med(emu, &Result::p99_ms) : 0.0);
  }
  return bad == 0 ? 0 : 1;
}
