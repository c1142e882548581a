// A running task's state-report timer (a lane timer, engine/scheduler.h) is cancelled or, by a
// reset, forgotten only while it is queued or firing: after a reset or a change while timers fire, no stale id is
// left in the scheduler and the pending count stays exact (review of issue 23's lane timers:
// a reset that cancelled ids after releasing the store's locks left fired ids "cancelled",
// and pending() wrapped to ~1.8e19).
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "engine/engine.h"
#include "engine/journal.h"
#include "../../../bench/bench_engine.h"  // FreeModel, UnlimitedCredits: what the engine benchmarks use
#include "unit/engine/engine_test_support.h"

namespace imagine {

TEST_CASE("a reset while state reports fire leaves no timer counted: pending() is 0 with no task left") {
  const ModelOptions model = bench::FreeModel("grok-imagine-text-to-video");
  const AccountOptions accounts = bench::UnlimitedCredits();
  EngineOptions options;
  options.seed = 11;
  JournalOptions journal_options;
  journal_options.capacity = 100;
  Journal journal(journal_options);
  // Emulated time runs 2 000 times faster than real time: the tasks' stages (seconds long)
  // end every few milliseconds, so their report timers fire all through the reset below.
  Engine engine(options, std::make_unique<RealClock>(2000.0, 1'750'000'000'000), accounts);
  engine.SetJournal(&journal);
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    for (int i = 0; i < 8000; ++i) {
      NewTask spec;
      spec.provider = InternProvider("evolink");
      spec.owner_key = "key-" + std::to_string(i % 50);
      spec.model = &model;
      spec.reported_model = model.name;
      spec.request_json = R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})";
      REQUIRE(engine.CreateTask(std::move(spec), &testing::HexId).ok());
    }
    for (int k = 0; k < 50; ++k) REQUIRE(engine.Reset("key-" + std::to_string(k), false).ok());
    // Every task is gone, so no report is ahead: a stale "cancelled" id would make this wrap.
    CHECK(engine.timers().pending() == 0);
  }
}

}  // namespace imagine
