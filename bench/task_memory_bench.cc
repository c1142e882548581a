// Benchmark (not a test): bytes per task, for tasks still running and for finished ones.
// Creates N tasks (default 266 000) through the engine on a virtual clock, as the server
// does (journal attached, so each running task holds its state-report timer and its credit
// reservation), and prints the memory they hold: the RSS delta and the malloc in-use delta
// (mallinfo2) divided by N, and the heap beyond the request bodies' own bytes. Four cases,
// each a fresh engine per run, medians of the runs on the last lines:
//   running    all N created at one emulated instant: every task is running (timer, reservation)
//   finished   ~2 000 creates per emulated second, then an hour passes: every task has finished
// each with a short prompt (~40 bytes) and with a 1 KB prompt.
//
//   build/bench_task_memory [--tasks 266000] [--runs 3] [--keys 100] [--only running|finished]
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
  double request_per_task = 0;  // the request bodies' own bytes
  size_t stored = 0;
};

RunResult RunOnce(size_t tasks, size_t keys, bool running, size_t prompt_bytes) {
  const imagine::ModelOptions i2v = imagine::bench::FreeModel("grok-imagine/image-to-video");
  const imagine::ModelOptions t2v = imagine::bench::FreeModel("grok-imagine-text-to-video");
  const imagine::AccountOptions accounts = imagine::bench::UnlimitedCredits();
  imagine::EngineOptions options;
  options.seed = 7;
  options.public_url = "http://127.0.0.1:8080";
  std::string prompt = "a cat walks along the beach at sunset";
  while (prompt.size() < prompt_bytes) prompt += " and the waves roll in under a violet sky";
  prompt.resize(std::max(prompt_bytes, size_t{37}));

  malloc_trim(0);
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
    size_t request_bytes = 0, made = 0;
    const size_t heap_before_create = MallocInUse();
    const long rss_before_create = RssBytes();
    auto make = [&](size_t i) {
      imagine::bench::BenchTask t;
      const bool apikley = i % 2 == 0;
      t.spec.provider = imagine::InternProvider(apikley ? "apikley" : "evolink");
      t.spec.owner_key = key_names[i % keys];
      t.spec.model = apikley ? &i2v : &t2v;
      t.spec.reported_model = t.spec.model->name;
      if (apikley) {
        t.spec.request_json = R"({"model":"grok-imagine/image-to-video","input":{"image_urls":["https://example.com/img/)" +
                              std::to_string(i) + R"(.png"],"prompt":")" + prompt + R"(","mode":"normal"}})";
      } else {
        t.spec.request_json = R"({"model":"grok-imagine-text-to-video","prompt":")" + prompt + " " + std::to_string(i) +
                              R"(","duration":6,"quality":"480p"})";
      }
      request_bytes += t.spec.request_json.size();
      ++made;
      t.make_id = apikley ? &apikley_id : &evolink_id;
      return t;
    };
    if (running) {
      for (size_t i = 0; i < tasks; ++i) {  // all at one instant: none finishes
        imagine::bench::BenchTask t = make(i);
        if (!engine->CreateTask(std::move(t.spec), *t.make_id).ok()) break;
      }
    } else {
      imagine::bench::CreateTasks(*engine, tasks, make);
      (void)engine->AdvanceClock(3'600'000);  // everything finishes; timers fire and go
      // Settle the accounts' reservations as a balance query would.
      for (const std::string& k : key_names) (void)engine->BalanceOf(k, engine->NowMs());
    }
    result.stored = engine->task_count();
    const size_t n = std::max<size_t>(1, result.stored);
    result.heap_per_task = double(MallocInUse() - heap_before_create) / double(n);
    result.rss_per_task = double(RssBytes() - rss_before_create) / double(n);
    result.request_per_task = double(request_bytes) / double(std::max<size_t>(1, made));  // an average body
    std::printf("%-8s prompt %4zu B  tasks %zu  stored %zu  pending timers %zu  rss %.1f B/task  heap %.1f B/task"
                "  (request %.1f B/task)\n",
                running ? "running" : "finished", prompt.size(), tasks, result.stored, engine->timers().pending(),
                result.rss_per_task, result.heap_per_task, result.request_per_task);
    std::fflush(stdout);
  }
  return result;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  size_t tasks = 266'000, runs = 3, keys = 100;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--tasks") == 0) tasks = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--keys") == 0) keys = std::max<size_t>(1, std::stoul(argv[i + 1]));
    if (std::strcmp(argv[i], "--only") == 0) only = argv[i + 1];
  }
  std::vector<std::string> lines;
  for (const bool running : {true, false}) {
    if (!only.empty() && only != (running ? "running" : "finished")) continue;
    for (const size_t prompt : {size_t{0}, size_t{1024}}) {
      std::vector<double> rss, heap, beyond;
      for (size_t r = 0; r < runs; ++r) {
        RunResult res = RunOnce(tasks, keys, running, prompt);
        rss.push_back(res.rss_per_task);
        heap.push_back(res.heap_per_task);
        beyond.push_back(res.rss_per_task - res.request_per_task);
        malloc_trim(0);
      }
      char line[256];
      std::snprintf(line, sizeof line,
                    "median of %zu: %-8s prompt %s  rss %.1f B/task  heap %.1f B/task  rss beyond the request %.1f B/task",
                    runs, running ? "running" : "finished", prompt == 0 ? "short" : "1 KB ", Median(rss), Median(heap),
                    Median(beyond));
      lines.push_back(line);
    }
  }
  for (const std::string& l : lines) std::printf("%s\n", l.c_str());
  return 0;
}
