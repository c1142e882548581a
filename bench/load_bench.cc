// Benchmark (not a test): requests per second and latency percentiles of the emulator
// under N keep-alive connections. Starts the emulator in-process on an ephemeral port
// (virtual clock, default config, per-request logging off) and drives it from client
// threads in the same process — so on a small machine the figures are a floor: the load
// generator takes CPU from the server. Each run prints one line; the last line gives the
// median of the runs.
//
//   build/bench_load [--op query|create|credits] [--connections 32] [--seconds 3] [--runs 5]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "app/application.h"
#include "common/log.h"

namespace {

using Clock = std::chrono::steady_clock;

struct RunResult {
  double rps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  long errors = 0;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

RunResult RunOnce(int port, const std::string& op, int connections, double seconds, const std::string& task_id) {
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::vector<std::vector<double>> latencies(connections);
  std::vector<std::thread> threads;
  const std::string create_body = R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})";
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // as curl and most clients do; without it POSTs wait on delayed ACKs
      client.set_read_timeout(10, 0);
      httplib::Headers headers{{"Authorization", "Bearer bench-key"}};  // one key, many connections
      std::vector<double>& mine = latencies[c];
      mine.reserve(200000);
      while (!stop.load(std::memory_order_relaxed)) {
        auto t0 = Clock::now();
        httplib::Result r = op == "create"    ? client.Post("/v1/videos/generations", headers, create_body, "application/json")
                            : op == "credits" ? client.Get("/v1/credits", headers)
                                              : client.Get(("/v1/tasks/" + task_id).c_str(), headers);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!r || r->status != 200) errors.fetch_add(1, std::memory_order_relaxed);
        mine.push_back(ms);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  RunResult r;
  r.rps = static_cast<double>(all.size()) / seconds;
  r.p50_ms = Percentile(all, 0.50);
  r.p99_ms = Percentile(all, 0.99);
  r.errors = errors.load();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string op = "query";
  int connections = 32;
  double seconds = 3;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--op")) op = argv[i + 1];
    if (!std::strcmp(argv[i], "--connections")) connections = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
  }
  imagine::SetLogLevel(imagine::LogLevel::kOff);
  auto config = imagine::LoadConfig("");
  if (!config.ok()) return 1;
  config->server.port = 0;
  config->clock.mode = imagine::ClockMode::kVirtual;
  config->seed = 1;
  config->log_level = "off";
  config->accounts.default_profile.credits = 1e12;  // creates must not run out
  auto app = imagine::Application::Create(std::move(config).value());
  if (!app.ok()) {
    std::fprintf(stderr, "%s\n", app.status().ToString().c_str());
    return 1;
  }
  std::thread server([&] { (*app)->Run(); });
  const int port = (*app)->port();
  httplib::Client setup("127.0.0.1", port);
  for (int i = 0; i < 200 && !setup.Get("/_emulator/health"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto created = setup.Post("/v1/videos/generations", {{"Authorization", "Bearer bench-key"}},
                            R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})", "application/json");
  std::string task_id = nlohmann::json::parse(created->body)["id"];
  std::printf("bench_load: op=%s connections=%d %gs x %d runs, %u hardware threads\n", op.c_str(), connections, seconds,
              runs, std::thread::hardware_concurrency());
  std::vector<double> rps, p50, p99;
  for (int run = 0; run < runs; ++run) {
    RunResult r = RunOnce(port, op, connections, seconds, task_id);
    std::printf("  run %d: %8.0f req/s  p50 %6.3f ms  p99 %6.3f ms  non-200 %ld\n", run + 1, r.rps, r.p50_ms, r.p99_ms,
                r.errors);
    rps.push_back(r.rps);
    p50.push_back(r.p50_ms);
    p99.push_back(r.p99_ms);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("median: %.0f req/s, p50 %.3f ms, p99 %.3f ms\n", median(rps), median(p50), median(p99));
  long rss_kib = -1;
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      if (std::sscanf(line, "VmRSS: %ld kB", &rss_kib) == 1) break;
    }
    std::fclose(f);
  }
  std::printf("stored tasks: %zu, process RSS: %.1f MiB (load generator included)\n", (*app)->engine().task_count(),
              rss_kib / 1024.0);
  (*app)->Stop();
  server.join();
  return 0;
}
