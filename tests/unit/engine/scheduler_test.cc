#include "engine/scheduler.h"

#include <doctest/doctest.h>

#include <future>
#include <set>
#include <string>
#include <vector>

namespace imagine {

TEST_CASE("Advance fires due timers in (due, sequence) order with the clock at each due time") {
  VirtualClock clock(0 + 1000);
  Scheduler s(&clock);
  std::string log;
  s.ScheduleAt(3000, [&] { log += "c@" + std::to_string(clock.NowMs()) + " "; });
  s.ScheduleAt(2000, [&] { log += "a@" + std::to_string(clock.NowMs()) + " "; });
  s.ScheduleAt(2000, [&] { log += "b@" + std::to_string(clock.NowMs()) + " "; });
  s.ScheduleAt(9000, [&] { log += "late "; });
  CHECK(s.pending() == 4);
  REQUIRE(s.Advance(2000).ok());  // to 3000
  CHECK(log == "a@2000 b@2000 c@3000 ");
  CHECK(clock.NowMs() == 3000);
  CHECK(s.pending() == 1);
}

TEST_CASE("timers scheduled by a firing timer run in the same Advance when due") {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  std::string log;
  s.ScheduleAt(1500, [&] {
    log += "first ";
    s.ScheduleAt(clock.NowMs() + 1000, [&] { log += "retry@" + std::to_string(clock.NowMs()) + " "; });
    s.ScheduleAt(clock.NowMs() + 5000, [&] { log += "too-late "; });
  });
  REQUIRE(s.Advance(2000).ok());  // to 3000: retry at 2500 fires, the one at 6500 does not
  CHECK(log == "first retry@2500 ");
  CHECK(clock.NowMs() == 3000);
}

TEST_CASE("a timer already due fires on the next Advance, even Advance(0)") {
  VirtualClock clock(5000);
  Scheduler s(&clock);
  int fired = 0;
  s.ScheduleAt(4000, [&] { ++fired; });
  REQUIRE(s.Advance(0).ok());
  CHECK(fired == 1);
  CHECK(clock.NowMs() == 5000);  // never backwards
}

TEST_CASE("Cancel removes a pending timer") {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  int fired = 0;
  Scheduler::TimerId id = s.ScheduleAt(1500, [&] { ++fired; });
  CHECK(s.Cancel(id));
  CHECK_FALSE(s.Cancel(id));
  REQUIRE(s.Advance(1000).ok());
  CHECK(fired == 0);
}

TEST_CASE("Advance refuses negative amounts and real clocks") {
  VirtualClock vclock(1000);
  Scheduler vs(&vclock);
  CHECK(vs.Advance(-1).code() == Code::kInvalidArgument);
  RealClock rclock(1.0, 0);
  Scheduler rs(&rclock);
  CHECK(rs.Advance(10).code() == Code::kFailedPrecondition);
}

TEST_CASE("with a real clock the scheduler thread fires timers as scaled time passes") {
  RealClock clock(1000.0, 0);  // 1 emulated second per real millisecond
  Scheduler s(&clock);
  std::promise<int64_t> fired;
  int64_t due = clock.NowMs() + 50;  // 50 emulated ms = 50 real µs
  s.ScheduleAt(due, [&] { fired.set_value(clock.NowMs()); });
  auto f = fired.get_future();
  REQUIRE(f.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  CHECK(f.get() >= due);
}

TEST_CASE("lane timers fire with their payload in (due, sequence) order among function timers") {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  std::string log;
  s.SetLane([&](uint64_t payload) {
    log += "lane" + std::to_string(payload) + "@" + std::to_string(clock.NowMs()) + " ";
    return true;
  });
  s.ScheduleLaneAt(3000, 7);
  s.ScheduleAt(2000, [&] { log += "fn@" + std::to_string(clock.NowMs()) + " "; });
  s.ScheduleLaneAt(2000, 8);
  s.ScheduleLaneAt(9000, 9);
  CHECK(s.pending() == 4);
  REQUIRE(s.Advance(2000).ok());  // to 3000
  CHECK(log == "fn@2000 lane8@2000 lane7@3000 ");
  CHECK(s.pending() == 1);
}

TEST_CASE("Cancel removes a pending lane timer exactly once, and pending() counts it out") {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  int fired = 0;
  s.SetLane([&](uint64_t) {
    ++fired;
    return true;
  });
  const Scheduler::TimerId a = s.ScheduleLaneAt(1500, 1);
  const Scheduler::TimerId b = s.ScheduleLaneAt(1600, 2);
  CHECK(a != b);
  CHECK(s.Cancel(a));
  CHECK_FALSE(s.Cancel(a));
  CHECK(s.pending() == 1);
  REQUIRE(s.Advance(1000).ok());
  CHECK(fired == 1);
  CHECK(s.pending() == 0);
  CHECK_FALSE(s.Cancel(b));  // it fired
  CHECK(s.pending() == 0);
}

TEST_CASE("a lane timer cancelled while it fires is not counted out twice") {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  Scheduler::TimerId id = 0;
  bool cancelled_itself = true;
  s.SetLane([&](uint64_t) {
    cancelled_itself = s.Cancel(id);
    return true;
  });
  id = s.ScheduleLaneAt(1000, 1);
  REQUIRE(s.Advance(0).ok());
  CHECK_FALSE(cancelled_itself);
  CHECK(s.pending() == 0);
}

TEST_CASE("a forgotten lane timer counts out of pending() at once and fires into nothing later") {
  VirtualClock clock(1000);
  Scheduler s(&clock);
  std::set<uint64_t> live = {1, 2, 3};  // the owners still there (payloads)
  std::vector<uint64_t> found;
  s.SetLane([&](uint64_t payload) {
    if (live.count(payload) == 0) return false;
    found.push_back(payload);
    return true;
  });
  const Scheduler::TimerId a = s.ScheduleLaneAt(1500, 1);
  s.ScheduleLaneAt(1600, 2);
  const Scheduler::TimerId c = s.ScheduleLaneAt(1700, 3);
  CHECK(s.pending() == 3);
  live.erase(1);  // as a reset does: the owners go first, then their timers are forgotten
  live.erase(3);
  s.Forget(a);
  s.Forget(c);
  CHECK(s.pending() == 1);
  REQUIRE(s.Advance(1000).ok());
  CHECK(found == std::vector<uint64_t>{2});
  CHECK(s.pending() == 0);
  s.ScheduleLaneAt(2500, 2);  // later timers count as before
  CHECK(s.pending() == 1);
}

}  // namespace imagine
