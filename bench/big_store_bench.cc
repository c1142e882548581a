// Benchmark (not a test): what the control API's store scans cost with a big store.
// Fills an engine (virtual clock, journal attached as in the server) with N tasks, most
// finished and the newest still running, then times the calls behind
// GET /_emulator/tasks?state=… (Engine::ListTasks, one page of 50) and the task gauges
// of GET /_emulator/metrics (Engine::CountByState). Prints the median of R calls each.
//
//   build/bench_big_store [--tasks 1000000] [--calls 9]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_engine.h"
#include "engine/engine.h"
#include "engine/journal.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

template <typename Fn>
double MedianMs(int calls, Fn fn) {
  std::vector<double> ms;
  for (int i = 0; i < calls; ++i) {
    auto t0 = SteadyClock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Lifts the store's bound where the build has one (the same file builds against older trees).
template <typename O>
auto LiftBound(O& o, size_t n, int) -> decltype(o.max_stored_tasks = n, void()) {
  o.max_stored_tasks = n;
}
template <typename O>
void LiftBound(O&, size_t, long) {}

}  // namespace

int main(int argc, char** argv) {
  size_t tasks = 1'000'000;
  int calls = 9;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tasks") == 0) tasks = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::max(1, std::stoi(argv[i + 1]));
  }
  const imagine::ModelOptions model = imagine::bench::FreeModel("grok-imagine/text-to-video");
  const imagine::AccountOptions accounts = imagine::bench::UnlimitedCredits();
  imagine::EngineOptions options;
  options.seed = 3;
  LiftBound(options, tasks + 1, 0);
  imagine::Journal journal(imagine::JournalOptions{});
  imagine::Engine engine(options, std::make_unique<imagine::VirtualClock>(1'750'000'000'000), accounts);
  engine.SetJournal(&journal);
  const imagine::IdFactory make_id = [](imagine::Random& r, int64_t) { return r.Chars(32, "0123456789abcdef", 16); };
  const size_t created = imagine::bench::CreateTasks(engine, tasks, [&](size_t i) {
    imagine::bench::BenchTask t;
    t.spec.provider = imagine::InternProvider(i % 2 == 0 ? "apikley" : "evolink");
    t.spec.owner_key = "key-" + std::to_string(i % 100);
    t.spec.model = &model;
    t.spec.reported_model = model.name;
    t.spec.request_json = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"a cat"}})";
    t.make_id = &make_id;
    return t;
  });
  if (created != tasks) return 1;
  (void)engine.scheduler().Advance(5'000);  // the newest ~20 000 are still running
  std::printf("stored tasks: %zu\n", engine.task_count());
  for (const char* name : {"succeeded", "generating", "failed"}) {
    imagine::Engine::TaskFilter f;
    f.state = std::string(name) == "succeeded"    ? imagine::TaskState::kSucceeded
              : std::string(name) == "generating" ? imagine::TaskState::kGenerating
                                                  : imagine::TaskState::kFailed;
    size_t total = 0;
    double ms = MedianMs(calls, [&] { (void)engine.ListTasks(f, &total); });
    std::printf("ListTasks state=%-10s limit=50: median %8.2f ms (total %zu)\n", name, ms, total);
  }
  {
    imagine::Engine::TaskFilter f;
    f.key = "key-7";
    size_t total = 0;
    double ms = MedianMs(calls, [&] { (void)engine.ListTasks(f, &total); });
    std::printf("ListTasks key=key-7          limit=50: median %8.2f ms (total %zu)\n", ms, total);
  }
  size_t succeeded = 0;
  double ms = MedianMs(calls, [&] {
    auto counts = engine.CountByState(engine.NowMs());
    succeeded = counts[imagine::TaskState::kSucceeded];
  });
  std::printf("CountByState (metrics gauges):       median %8.2f ms (succeeded %zu)\n", ms, succeeded);
  return 0;
}
