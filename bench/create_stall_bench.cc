// Benchmark (not a test): how long single creates take as one key's store grows, to show
// stop-the-world growth (a map that rehashes every running task in one insert, a queue
// that copies itself). Creates N tasks (default 300 000) of one key through the engine, all
// still running (journal attached: each holds its state-report timer and its reservation),
// timing each CreateTask, and prints per store-size band the p50, p99, p99.9 and max in
// microseconds and how many creates took over 1 ms. Numbers only: nothing is asserted.
// Each figure is given twice: wall time, and the thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
// which leaves out the time the thread was preempted: on a busy machine the wall-clock
// maximum is the machine's, the CPU-time one the engine's.
// With --reset, the key's tasks are then reset (POST /_emulator/reset with its key) while a
// second thread keeps creating tasks of another key: it prints how long the reset took and
// the creates made meanwhile (their wall-clock p99 and max, which count waiting on a lock).
//
//   build/bench_create_stall [--tasks 300000] [--runs 3] [--reset 1]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_engine.h"
#include "engine/engine.h"
#include "engine/journal.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

double At(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * double(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  size_t tasks = 300'000, runs = 3;
  bool reset = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tasks") == 0) tasks = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--reset") == 0) reset = std::strcmp(argv[i + 1], "0") != 0;
  }
  const std::vector<size_t> bands = {10'000, 100'000, 300'000, 1'000'000};
  for (size_t run = 0; run < runs; ++run) {
    const imagine::ModelOptions model = imagine::bench::FreeModel("grok-imagine-text-to-video");
    imagine::EngineOptions options;
    options.seed = 7;
    imagine::Journal journal(imagine::JournalOptions{});
    imagine::Engine engine(options, std::make_unique<imagine::VirtualClock>(1'750'000'000'000),
                           imagine::bench::UnlimitedCredits());
    engine.SetJournal(&journal);
    const imagine::IdFactory make_id = [](imagine::Random& r, int64_t) {
      return r.Chars(32, "0123456789abcdef", 16);
    };
    // A create of `key` with its own prompt (each task's request differs, as a client's would).
    auto Spec = [&model](const char* key, const std::string& prompt) {
      imagine::NewTask spec;
      spec.provider = imagine::InternProvider("evolink");
      spec.owner_key = key;
      spec.model = &model;
      spec.reported_model = model.name;
      spec.request_json = R"({"model":"grok-imagine-text-to-video","prompt":")" + prompt + R"("})";
      return spec;
    };
    std::vector<double> wall_us, cpu_us;
    wall_us.reserve(tasks);
    cpu_us.reserve(tasks);
    auto cpu_now = [] {
      timespec ts;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
    };
    for (size_t i = 0; i < tasks; ++i) {
      imagine::NewTask spec = Spec("bench-key", "a cat " + std::to_string(i));
      const double cpu_start = cpu_now();
      const auto start = SteadyClock::now();
      const bool ok = engine.CreateTask(std::move(spec), make_id).ok();
      wall_us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
      cpu_us.push_back(cpu_now() - cpu_start);
      if (!ok) {
        std::fprintf(stderr, "create %zu failed\n", i);
        return 1;
      }
    }
    for (const bool cpu : {false, true}) {
      std::vector<double>& micros = cpu ? cpu_us : wall_us;
      const char* what = cpu ? "cpu " : "wall";
      std::vector<size_t> order(micros.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      const size_t top = std::min<size_t>(8, order.size());
      std::partial_sort(order.begin(), order.begin() + top, order.end(),
                        [&](size_t a, size_t b) { return micros[a] > micros[b]; });
      std::printf("run %zu %s  slowest creates (store size: us):", run + 1, what);
      for (size_t i = 0; i < top; ++i) std::printf(" %zu: %.0f", order[i], micros[order[i]]);
      std::printf("\n");
      size_t from = 0;
      for (size_t to : bands) {
        const size_t end = std::min(to, micros.size());
        if (end <= from) break;
        std::vector<double> band(micros.begin() + from, micros.begin() + end);
        const size_t over_1ms = std::count_if(band.begin(), band.end(), [](double us) { return us > 1000; });
        const double max = *std::max_element(band.begin(), band.end());
        const double p50 = At(band, 0.5), p99 = At(band, 0.99), p999 = At(band, 0.999);
        std::printf("run %zu %s  tasks %7zu-%-7zu  p50 %6.1f us  p99 %7.1f us  p99.9 %8.1f us  max %8.1f us  over 1 ms %zu\n",
                    run + 1, what, from, end, p50, p99, p999, max, over_1ms);
        from = end;
      }
    }
    if (reset) {
      // Another key's creates, timed, for as long as the reset of bench-key lasts.
      std::atomic<bool> resetting{true};
      std::vector<double> during_us;
      double during_cpu_max = 0;  // the slowest create's own CPU time: the rest of its wall time was waiting
      std::thread creator([&] {
        for (size_t i = 0; resetting.load(); ++i) {
          imagine::NewTask spec = Spec("other-key", "a dog " + std::to_string(i));
          const auto start = SteadyClock::now();
          const double cpu_start = cpu_now();
          (void)engine.CreateTask(std::move(spec), make_id);
          during_us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
          during_cpu_max = std::max(during_cpu_max, cpu_now() - cpu_start);
        }
      });
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the creator is under way
      const auto start = SteadyClock::now();
      const auto removed = engine.Reset("bench-key", false);
      const double reset_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      resetting.store(false);
      creator.join();
      // The control: as long again with no reset, to tell the machine's own preemptions apart.
      std::vector<double> control_us;
      const auto control_end = SteadyClock::now() + std::chrono::duration<double, std::milli>(reset_ms + 20);
      for (size_t i = 0; SteadyClock::now() < control_end; ++i) {
        imagine::NewTask spec = Spec("other-key", "a fox " + std::to_string(i));
        const auto t0 = SteadyClock::now();
        (void)engine.CreateTask(std::move(spec), make_id);
        control_us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
      }
      std::printf("run %zu control, no reset: creates %zu, p99 %.1f us, max %.1f us, over 1 ms %zu\n", run + 1,
                  control_us.size(), At(control_us, 0.99), *std::max_element(control_us.begin(), control_us.end()),
                  static_cast<size_t>(std::count_if(control_us.begin(), control_us.end(), [](double us) { return us > 1000; })));
      const size_t n = during_us.size();
      const double max = n == 0 ? 0 : *std::max_element(during_us.begin(), during_us.end());
      const size_t over_1ms = std::count_if(during_us.begin(), during_us.end(), [](double us) { return us > 1000; });
      std::printf("run %zu reset of %zu running tasks: %.1f ms; other key's creates meanwhile %zu, p50 %.1f us, p99 %.1f us, "
                  "max %.1f us (the most CPU one took: %.1f us), over 1 ms %zu\n",
                  run + 1, removed.ok() ? *removed : 0, reset_ms, n, At(during_us, 0.5), At(during_us, 0.99), max,
                  during_cpu_max, over_1ms);
    }
    std::fflush(stdout);
  }
  return 0;
}
