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
// With --rate R the load is an open loop at R requests per second in total (load_client.h
// DriveAtRate, as wrk2 does): latency is measured from each request's intended send time, and
// each line adds p99.9 and max. The closed loop (the default) sends each connection's next
// request when its answer is in.
//
// With --mix invalid the load is only creates the emulator refuses with a validation error
// (a missing prompt, an aspect ratio outside its enum; 400 in each provider's envelope) and
// the emulator's answers must all be 4xx; --mix both runs the emulator under each load in
// every round and prints the ratio of the mixed p99 to the invalid-only p99.
//
//   build/bench_load [--connections 32] [--seconds 10] [--runs 3] [--warmup 1] [--threads N (server.threads)]
//                  [--rate R] [--mix mixed|invalid|both]
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
#include "load_client.h"

namespace {

using bench::Clock;
using bench::Connect;
using bench::ResponseLength;
using bench::Result;

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

std::string Request(const std::string& method, const std::string& target, const std::string& body) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer bench-key\r\n";
  if (!body.empty()) r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
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

double g_rate = 0;            // --rate: requests per second, open loop ("0" = closed loop)
std::string g_mix = "mixed";  // --mix: mixed, invalid or both

// Runs the load on `port`: closed loop, or open loop at --rate.
Result Drive(int port, const std::vector<std::string>& requests, int connections, double warmup_s, double seconds,
             int expect_class) {
  if (g_rate > 0) return bench::DriveAtRate(port, requests, connections, g_rate, warmup_s, seconds, expect_class);
  return bench::DriveClosedLoop(port, requests, connections, warmup_s, seconds, expect_class);
}

// Requests the emulator refuses with a validation error (400 in each provider's envelope):
// a missing prompt and a value outside its enum, over both providers' create routes.
std::vector<std::string> InvalidLoad() {
  return {Request("POST", "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video"})"),
          Request("POST", "/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{}})"),
          Request("POST", "/v1/videos/generations", R"({"model":"grok-imagine-text-to-video","prompt":"a cat","aspect_ratio":"7:5"})"),
          Request("POST", "/api/v1/jobs/createTask", R"({"model":"grok-imagine/text-to-video","input":{"prompt":"a cat","aspect_ratio":"7:5"}})")};
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

// One server, started, loaded and stopped. `invalid`: the load is InvalidLoad() (the emulator
// must answer 4xx), else MixedLoad (2xx).
Result RunOne(bool emulator, int server_cpu, int connections, double warmup_s, double seconds, bool invalid = false) {
  Child child = StartServer(emulator, server_cpu);
  Result r;
  if (child.port > 0) {
    r = Drive(child.port, invalid ? InvalidLoad() : MixedLoad(child.port, emulator), connections, warmup_s, seconds,
              invalid && emulator ? 4 : 2);
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
      Result r = RunOne(v > 0, server_cpu, connections, warmup, seconds, g_mix == "invalid");
      std::printf("  run %d %-40s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms", run, v == 0 ? "baseline" : binaries[v - 1].c_str(),
                  r.rps, r.p50_ms, r.p99_ms);
      if (g_rate > 0) std::printf("  p99.9 %7.3f ms  max %7.3f ms", r.p999_ms, r.max_ms);
      std::printf("  peak RSS %6.1f MiB  %s %ld\n", r.rss_mib, g_mix == "invalid" ? "non-4xx" : "non-2xx", r.bad);
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
    std::printf("median %-40s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms", v == 0 ? "baseline" : binaries[v - 1].c_str(),
                med(results[v], &Result::rps), med(results[v], &Result::p50_ms), med(results[v], &Result::p99_ms));
    if (g_rate > 0) std::printf("  p99.9 %7.3f ms  max %7.3f ms", med(results[v], &Result::p999_ms), med(results[v], &Result::max_ms));
    std::printf("  peak RSS %6.1f MiB\n", med(results[v], &Result::rss_mib));
  }
  const double rps0 = med(results[1], &Result::rps), p99_0 = med(results[1], &Result::p99_ms);
  for (size_t v = 2; v <= binaries.size(); ++v) {
    std::printf("ratio %s/%s: throughput %.2fx, p99 %.2fx\n", binaries[v - 1].c_str(), binaries[0].c_str(),
                rps0 > 0 ? med(results[v], &Result::rps) / rps0 : 0.0,
                p99_0 > 0 ? med(results[v], &Result::p99_ms) / p99_0 : 0.0);
  }
  std::printf("%s: %ld\n", g_mix == "invalid" ? "non-4xx answers to invalid requests" : "non-2xx answers to valid requests", bad);
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
    if (!std::strcmp(argv[i], "--rate")) g_rate = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--mix")) g_mix = argv[i + 1];
  }
  if (g_mix != "mixed" && g_mix != "invalid" && g_mix != "both") {
    std::fprintf(stderr, "bench_load: --mix is mixed, invalid or both\n");
    return 2;
  }
  if (!binaries.empty()) return CompareBinaries(binaries, connections, warmup, seconds, runs);
  signal(SIGPIPE, SIG_IGN);
  if (external > 0) {  // drive a server started elsewhere (e.g. taskset -c 0 imagine-emu) with the emulator's mix
    for (int run = 1; run <= runs; ++run) {
      Result r = Drive(external, g_mix == "invalid" ? InvalidLoad() : MixedLoad(external, true), connections, warmup,
                       seconds, g_mix == "invalid" ? 4 : 2);
      std::printf("  run %d external  %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  max %7.3f ms  unexpected %ld\n",
                  run, r.rps, r.p50_ms, r.p99_ms, r.p999_ms, r.max_ms, r.bad);
    }
    return 0;
  }
  std::vector<int> cpus = AllowedCpus();
  const int server_cpu = cpus.size() >= 2 ? cpus[0] : -1;
  if (cpus.size() >= 2) PinTo(cpus[1]);
  const std::string load = g_mix == "mixed"     ? "50% creates / 50% queries over both providers"
                           : g_mix == "invalid" ? "invalid creates only (the emulator answers 400)"
                                                : "mixed (50% creates / 50% queries) and invalid-only";
  const std::string mode = g_rate > 0 ? "open loop at " + std::to_string(static_cast<long>(g_rate)) +
                                            " req/s (latency from each request's intended send time)"
                                      : "closed loop";
  std::printf("bench_load: %d keep-alive connections, %s, %s, %gs (+%gs warm-up) x %d runs, %s\n", connections,
              load.c_str(), mode.c_str(), seconds, warmup, runs,
              cpus.size() >= 2 ? ("server pinned to cpu " + std::to_string(cpus[0]) + ", load to cpu " + std::to_string(cpus[1])).c_str()
                               : "one cpu: not pinned");
  // The servers of each round: the baseline (with the load the emulator gets first), then the
  // emulator under each load asked for, then the emulator with a state directory.
  struct Variant {
    std::string name;
    bool emulator, invalid, state;
    std::vector<Result> results;
  };
  std::vector<Variant> variants;
  variants.push_back({"baseline", false, g_mix == "invalid", false, {}});
  if (g_mix != "invalid") variants.push_back({"emulator", true, false, false, {}});
  if (g_mix != "mixed") variants.push_back({g_mix == "both" ? "invalid" : "emulator", true, true, false, {}});
  if (!g_state_fsync.empty()) variants.push_back({"state-" + g_state_fsync, true, false, true, {}});
  auto print = [](const char* prefix, const std::string& name, const Result& r, bool with_bad) {
    std::printf("%s %-12s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms", prefix, name.c_str(), r.rps, r.p50_ms, r.p99_ms);
    if (g_rate > 0) std::printf("  p99.9 %7.3f ms  max %7.3f ms", r.p999_ms, r.max_ms);
    std::printf("  peak RSS %6.1f MiB", r.rss_mib);
    if (with_bad) std::printf("  %s %ld", g_mix == "mixed" ? "non-2xx" : "unexpected", r.bad);
    std::printf("\n");
  };
  long bad = 0;
  for (int run = 1; run <= runs; ++run) {
    for (Variant& v : variants) {
      char dir[] = "/tmp/bench_load_state_XXXXXX";
      g_state_dir = v.state && mkdtemp(dir) != nullptr ? dir : "";
      Result r = RunOne(v.emulator, server_cpu, connections, warmup, seconds, v.invalid);
      if (!g_state_dir.empty()) std::filesystem::remove_all(g_state_dir);
      print(("  run " + std::to_string(run)).c_str(), v.name, r, true);
      std::fflush(stdout);
      v.results.push_back(r);
      if (v.emulator) bad += r.bad;
    }
  }
  auto med = [](const std::vector<Result>& v, double Result::*field) {
    std::vector<double> x;
    for (const Result& r : v) x.push_back(r.*field);
    return Median(x);
  };
  auto median_of = [&](const Variant& v) {
    Result m;
    for (double Result::*f : {&Result::rps, &Result::p50_ms, &Result::p99_ms, &Result::p999_ms, &Result::max_ms,
                              &Result::rss_mib}) {
      m.*f = med(v.results, f);
    }
    return m;
  };
  for (const Variant& v : variants) {
    if (!v.state) print("median", v.name, median_of(v), false);
  }
  const Result b = median_of(variants[0]), e = median_of(variants[1]);
  std::printf("ratio %s/baseline: throughput %.2fx, p99 %.2fx; %s: %ld\n", variants[1].name.c_str(),
              b.rps > 0 ? e.rps / b.rps : 0.0, b.p99_ms > 0 ? e.p99_ms / b.p99_ms : 0.0,
              g_mix == "mixed" ? "non-2xx answers to valid requests" : "answers of the wrong class", bad);
  if (g_mix == "both") {
    const Result inv = median_of(variants[2]);
    std::printf("ratio invalid/baseline: throughput %.2fx, p99 %.2fx\n", b.rps > 0 ? inv.rps / b.rps : 0.0,
                b.p99_ms > 0 ? inv.p99_ms / b.p99_ms : 0.0);
    std::printf("ratio mixed/invalid-only p99: %.2fx (emulator %.3f ms / %.3f ms)\n",
                inv.p99_ms > 0 ? e.p99_ms / inv.p99_ms : 0.0, e.p99_ms, inv.p99_ms);
  }
  if (!g_state_fsync.empty()) {
    const Result st = median_of(variants.back());
    print("median", variants.back().name, st, false);
    std::printf("ratio %s/emulator: throughput %.2fx, p99 %.2fx\n", variants.back().name.c_str(),
                e.rps > 0 ? st.rps / e.rps : 0.0, e.p99_ms > 0 ? st.p99_ms / e.p99_ms : 0.0);
  }
  return bad == 0 ? 0 : 1;
}
