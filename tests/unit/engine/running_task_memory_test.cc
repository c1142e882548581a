// What a running task costs in memory beyond its request body (issue 23): the engine's
// per-task records, measured with mallinfo2 around creating many tasks on a virtual clock
// that never moves (so every task stays running, with its state-report timer and its
// credit reservation). A bound on bytes, not on time.
#include <malloc.h>

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "engine/engine.h"
#include "engine/journal.h"
#include "../../../bench/bench_engine.h"  // FreeModel, UnlimitedCredits: what the engine benchmarks use
#include "unit/engine/engine_test_support.h"

namespace imagine {
namespace {

size_t MallocInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}


}  // namespace

TEST_CASE("issue 23: a running task holds at most 390 bytes of heap beyond its request body") {
  constexpr size_t kTasks = 50'000;
  const ModelOptions model = bench::FreeModel("grok-imagine-text-to-video");
  const AccountOptions accounts = bench::UnlimitedCredits();
  EngineOptions options;
  options.seed = 7;
  JournalOptions journal_options;
  journal_options.capacity = 100;  // the journal's own memory stays out of the figure
  Journal journal(journal_options);
  Engine engine(options, std::make_unique<VirtualClock>(1'750'000'000'000), accounts);
  engine.SetJournal(&journal);  // as the server does: every running task has a state report ahead

  const size_t before = MallocInUse();
  size_t request_bytes = 0;
  for (size_t i = 0; i < kTasks; ++i) {
    NewTask spec;
    spec.provider = InternProvider("evolink");
    spec.owner_key = "one-key";
    spec.model = &model;
    spec.reported_model = model.name;
    spec.request_json = R"({"model":"grok-imagine-text-to-video","prompt":"a cat )" + std::to_string(i) + R"("})";
    request_bytes += spec.request_json.size();
    REQUIRE(engine.CreateTask(std::move(spec), &testing::HexId).ok());
  }
  CHECK(engine.timers().pending() == kTasks);
  const double per_task = (double(MallocInUse() - before) - double(request_bytes)) / double(kTasks);
  MESSAGE("heap per running task beyond its request: " << per_task << " B");
  CHECK(per_task <= 390);  // 900 before issue 23, 483 after its first round, 364 after its second
}

}  // namespace imagine
