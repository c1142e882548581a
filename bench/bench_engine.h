// The set-up the engine benchmarks share (big_store_bench, task_memory_bench): a free
// model, accounts that never run out, and a loop that fills an engine on its virtual
// clock at about 2 000 creates per emulated second. Header-only: each bench/*.cc is its
// own program. Not thread-safe (one engine, one thread).
#ifndef IMAGINE_BENCH_BENCH_ENGINE_H_
#define IMAGINE_BENCH_BENCH_ENGINE_H_

#include <cstdio>
#include <string>
#include <utility>

#include "engine/engine.h"

namespace imagine::bench {

inline ModelOptions FreeModel(const std::string& name) {
  ModelOptions model;
  model.name = name;
  model.price = 0;
  return model;
}

inline AccountOptions UnlimitedCredits() {
  AccountOptions accounts;
  accounts.default_profile.credits = 1e12;
  return accounts;
}

// One task to create: its spec and its provider's id factory.
struct BenchTask {
  NewTask spec;
  const IdFactory* make_id = nullptr;
};

// Creates make(i) for i in [0, tasks), advancing the clock 500 ms after every 1 000
// creates. Returns how many were created; the first failure is printed and ends the loop.
template <typename Make>
size_t CreateTasks(Engine& engine, size_t tasks, Make make) {
  for (size_t i = 0; i < tasks; ++i) {
    BenchTask t = make(i);
    StatusOr<Task> created = engine.CreateTask(std::move(t.spec), *t.make_id);
    if (!created.ok()) {
      std::fprintf(stderr, "create %zu failed: %s\n", i, created.status().message().c_str());
      return i;
    }
    if (i % 1000 == 999) (void)engine.AdvanceClock(500);  // ~2 000 creates per emulated second
  }
  return tasks;
}

}  // namespace imagine::bench

#endif  // IMAGINE_BENCH_BENCH_ENGINE_H_
