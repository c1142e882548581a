// DeliveryTimers (server/callbacks/delivery_timers.h) on a virtual clock: work is handed over
// when the clock gets there, an out_of_order batch goes as one item in reverse, and Stop
// cancels everything. Timers fire on the test's own thread (Scheduler::Advance).
#include "callbacks/delivery_timers.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/scheduler.h"

namespace imagine {
namespace {

constexpr int64_t kStartMs = 1700000000000;

CallbackDelivery Due(const std::string& task_id, int64_t due_ms) {
  auto request = std::make_shared<CallbackRequest>();
  request->task_id = task_id;
  return CallbackDelivery{std::move(request), 1, 1, due_ms};
}

// A virtual clock, its scheduler, and timers that note each item handed over as its task ids.
struct Env {
  Env() : clock(kStartMs), scheduler(&clock), timers(&scheduler, [this](WorkItem item) {
            std::vector<std::string> ids;
            for (const CallbackDelivery& d : item) ids.push_back(d.request->task_id);
            handed.push_back(ids);
          }) {}
  void Advance(int64_t ms) { REQUIRE(scheduler.Advance(ms).ok()); }

  VirtualClock clock;
  Scheduler scheduler;
  std::vector<std::vector<std::string>> handed;  // written on this thread only (Advance)
  DeliveryTimers timers;
};

using Items = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("DeliveryTimers hands a delivery over when the clock reaches it, not before") {
  Env env;
  REQUIRE(env.timers.At(Due("late", kStartMs + 1000)));
  REQUIRE(env.timers.At(Due("early", kStartMs + 500)));
  CHECK(env.timers.waiting() == 2);
  env.Advance(499);
  CHECK(env.handed.empty());
  env.Advance(1);
  CHECK(env.handed == Items{{"early"}});
  CHECK(env.timers.waiting() == 1);
  env.Advance(500);
  CHECK(env.handed == Items{{"early"}, {"late"}});
  CHECK(env.timers.waiting() == 0);
  CHECK(env.scheduler.pending() == 0);
}

TEST_CASE("DeliveryTimers: an out_of_order batch goes as one item, last added first, after the timers due before it") {
  Env env;
  const int64_t due = kStartMs + 2000;
  // A timer scheduled before the batch opened, at the same instant, adds to the batch.
  env.scheduler.ScheduleAt(due, [&] { CHECK(env.timers.Batch(Due("from-a-timer", due))); });
  REQUIRE(env.timers.Batch(Due("a", due)));
  REQUIRE(env.timers.Batch(Due("b", due)));
  REQUIRE(env.timers.Batch(Due("other-instant", due + 1)));
  CHECK(env.timers.waiting() == 3);
  CHECK(env.scheduler.pending() == 3);  // one timer per batch, plus the test's
  env.Advance(2000);
  CHECK(env.handed == Items{{"from-a-timer", "b", "a"}});
  env.Advance(1);
  CHECK(env.handed == Items{{"from-a-timer", "b", "a"}, {"other-instant"}});
  CHECK(env.timers.waiting() == 0);
}

TEST_CASE("DeliveryTimers::Stop cancels every timer and nothing is handed over afterwards") {
  Env env;
  REQUIRE(env.timers.At(Due("delayed", kStartMs + 1000)));
  REQUIRE(env.timers.Batch(Due("batched", kStartMs)));
  CHECK(env.scheduler.pending() == 2);
  env.timers.Stop();
  CHECK(env.scheduler.pending() == 0);
  CHECK(env.timers.waiting() == 0);
  CHECK_FALSE(env.timers.At(Due("late", kStartMs + 1000)));
  CHECK_FALSE(env.timers.Batch(Due("late", kStartMs)));
  CHECK(env.scheduler.pending() == 0);
  env.Advance(5000);
  CHECK(env.handed.empty());
  env.timers.Stop();  // idempotent
}

}  // namespace imagine
