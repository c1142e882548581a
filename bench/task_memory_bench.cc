// Benchmark (not a test): bytes per stored task. Creates N tasks (default 1 000 000)
// through the engine on a virtual clock, as the server does (journal attached, so every
// running task holds its state-report timer), lets them all finish, and prints the memory
// they hold: the RSS delta and the malloc in-use delta (mallinfo2) divided by N. Each run
// is a fresh process-like engine; the last line gives the median of the runs.
//
//   build/bench_task_memory [--tasks 1000000] [--runs 3] [--keys 100]
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench_engine.h"
#include "engine/engine.h"
#include "engine/journal.h"

namespace {

long RssBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096L;
}

size_t MallocInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

const char kHexDigits[] = "0123456789abcdef";

struct RunResult {
  double rss_per_task = 0;
  double heap_per_task = 0;
  size_t stored = 0;
};

RunResult RunOnce(size_t tasks, size_t keys) {
  const imagine::ModelOptions i2v = imagine::bench::FreeModel("grok-imagine/image-to-video");
  const imagine::ModelOptions t2v = imagine::bench::FreeModel("grok-imagine-text-to-video");
  const imagine::AccountOptions accounts = imagine::bench::UnlimitedCredits();
  imagine::EngineOptions options;
  options.seed = 7;
  options.public_url = "http://127.0.0.1:8080";

  malloc_trim(0);
  const long rss0 = RssBytes();
  const size_t heap0 = MallocInUse();
  RunResult result;
  {
    imagine::Journal journal(imagine::JournalOptions{});  // the server's defaults: 10 000 entries
    auto engine = std::make_unique<imagine::Engine>(options, std::make_unique<imagine::VirtualClock>(1'750'000'000'000),
                                                    accounts);
    engine->SetJournal(&journal);
    std::vector<std::string> key_names;
    for (size_t k = 0; k < keys; ++k) key_names.push_back("sk-bench-" + std::to_string(100000 + k) + "-abcdefghijklmnop");
    const imagine::IdFactory apikley_id = [](imagine::Random& r, int64_t) { return r.Chars(32, kHexDigits, 16); };
    const imagine::IdFactory evolink_id = [](imagine::Random& r, int64_t now) {
      return "task-unified-" + std::to_string(now / 1000) + "-" + r.Chars(8, "abcdefghijklmnopqrstuvwxyz0123456789", 36);
    };
    const size_t heap_before_create = MallocInUse();
    const long rss_before_create = RssBytes();
    imagine::bench::CreateTasks(*engine, tasks, [&](size_t i) {
      imagine::bench::BenchTask t;
      const bool apikley = i % 2 == 0;
      t.spec.provider = imagine::InternProvider(apikley ? "apikley" : "evolink");
      t.spec.owner_key = key_names[i % keys];
      t.spec.model = apikley ? &i2v : &t2v;
      t.spec.reported_model = t.spec.model->name;
      if (apikley) {
        t.spec.request_json = R"({"model":"grok-imagine/image-to-video","input":{"image_urls":["https://example.com/img/)" +
                              std::to_string(i) + R"(.png"],"prompt":"a cat walks along the beach at sunset","mode":"normal"}})";
      } else {
        t.spec.request_json = R"({"model":"grok-imagine-text-to-video","prompt":"a cat walks along the beach at sunset )" +
                              std::to_string(i) + R"(","duration":6,"quality":"480p"})";
      }
      t.make_id = apikley ? &apikley_id : &evolink_id;
      return t;
    });
    (void)engine->scheduler().Advance(3'600'000);  // everything finishes; timers fire and go
    // Settle the accounts' reservations as a balance query would.
    for (const std::string& k : key_names) (void)engine->accounts().BalanceOf(k, engine->NowMs());
    result.stored = engine->task_count();
    const size_t n = std::max<size_t>(1, result.stored);
    result.heap_per_task = double(MallocInUse() - heap_before_create) / double(n);
    result.rss_per_task = double(RssBytes() - rss_before_create) / double(n);
    std::printf("tasks %zu  stored %zu  pending timers %zu  rss %.1f B/task  heap %.1f B/task\n", tasks, result.stored,
                engine->scheduler().pending(), result.rss_per_task, result.heap_per_task);
    std::fflush(stdout);
  }
  (void)rss0;
  (void)heap0;
  return result;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  size_t tasks = 1'000'000, runs = 3, keys = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tasks") == 0) tasks = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--keys") == 0) keys = std::max<size_t>(1, std::stoul(argv[i + 1]));
  }
  std::vector<double> rss, heap;
  for (size_t r = 0; r < runs; ++r) {
    RunResult res = RunOnce(tasks, keys);
    rss.push_back(res.rss_per_task);
    heap.push_back(res.heap_per_task);
    malloc_trim(0);
  }
  std::printf("median of %zu: rss %.1f B/task  heap %.1f B/task  (target <= 512)\n", runs, Median(rss), Median(heap));
  return 0;
}
