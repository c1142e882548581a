// imagine-emu: parses the command line, loads the config, starts the emulator and
// serves until SIGINT or SIGTERM.
#include <signal.h>
#include <sys/random.h>
#include <unistd.h>  // environ

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "app/application.h"
#include "app/command_line.h"
#include "common/log.h"
#include "engine/clock.h"

#include <nlohmann/json.hpp>

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "imagine-emu: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace imagine;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (OnlyAsksForVersion(args, environ)) {  // nothing to read or check: no flag table, no schema
    std::cout << "imagine-emu " << IMAGINE_VERSION << "\n";
    return 0;
  }
  auto cl = ParseCommandLine(args, [](const char* name) { return std::getenv(name); });
  if (!cl.ok()) return Fail(cl.status().message());
  if (cl->help) {
    std::cout << UsageText();
    return 0;
  }
  if (cl->version) {
    std::cout << "imagine-emu " << IMAGINE_VERSION << "\n";
    return 0;
  }
  auto config = LoadCommandLineConfig(*cl);  // the config file, then the variables and flags
  if (!config.ok()) return Fail(config.status().message());
  if (config->seed == 0) {
    // One getrandom(2) call: std::random_device's set-up probes the CPU with cpuid (a VM exit).
    uint32_t fresh = 0;
    if (getrandom(&fresh, sizeof fresh, 0) != sizeof fresh) fresh = std::random_device{}();
    config->seed = fresh | 1u;
  }
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(config->log_level, &level);
  SetLogLevel(level);

  // Block the stop signals in every thread; one watcher thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto app = Application::Create(std::move(config).value());
  if (!app.ok()) return Fail(app.status().message());
  Application* running = app->get();

  // The watcher waits for a stop signal, then keeps asking the server to stop until Run()
  // has returned: a signal that arrives before the server is listening is not lost.
  std::atomic<bool> run_returned{false};
  std::thread watcher([&stop_signals, &run_returned, running] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (!run_returned.load()) {
      Log(LogLevel::kInfo, std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", stopping");
    }
    while (!run_returned.load()) {
      running->Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  const Config& c = running->config();
  const std::string url = "http://" + (c.server.host.find(':') != std::string::npos ? "[" + c.server.host + "]" : c.server.host) +
                          ":" + std::to_string(running->port());
  const char* clock = c.clock.mode == ClockMode::kVirtual ? "virtual" : "real";
  // A provider on a port of its own says so first: the listening line stays the last of
  // the start-up lines, so whoever waits for it has every port.
  for (const auto& [provider, own_port] : running->provider_ports()) {
    const std::string own_url = url.substr(0, url.rfind(':') + 1) + std::to_string(own_port);
    const std::string served = "imagine-emu serves " + provider + " on " + own_url + " (at its root path and under /" +
                               provider + ")";
    if (c.log_json) {
      nlohmann::ordered_json j;
      j["ts"] = WallNowMs();
      j["level"] = "info";
      j["msg"] = served;
      j["provider"] = provider;
      j["url"] = own_url;
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::printf("%s\n", served.c_str());
    }
  }
  const std::string line = std::string("imagine-emu ") + IMAGINE_VERSION + " listening on " + url + " (public url " +
                           running->public_url() + ", clock " + clock + ", seed " + std::to_string(c.seed) + ")";
  if (c.log_json) {  // the start-up line follows --log-format, with its parts as fields
    nlohmann::ordered_json j;
    j["ts"] = WallNowMs();
    j["level"] = "info";
    j["msg"] = line;
    j["url"] = url;
    j["public_url"] = running->public_url();
    j["version"] = IMAGINE_VERSION;
    j["clock"] = clock;
    j["seed"] = c.seed;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
  running->Run();
  run_returned.store(true);
  pthread_kill(watcher.native_handle(), SIGTERM);  // wakes the watcher if no signal came (it is blocked)
  watcher.join();
  Status reports = running->WriteReports();
  if (!reports.ok()) {
    Log(LogLevel::kError, reports.message());
    return 1;
  }
  if (!c.proxy.drift_report.empty()) {
    Log(LogLevel::kInfo, "drift report: " + std::to_string(running->proxy().drift.Findings().size()) +
                             " finding(s) written to " + c.proxy.drift_report + " and " + c.proxy.drift_report + ".xml");
  }
  Log(LogLevel::kInfo, "stopped");
  return 0;
}
