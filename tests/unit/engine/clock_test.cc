#include "engine/clock.h"

#include <doctest/doctest.h>

namespace imagine {

TEST_CASE("VirtualClock starts where told and only moves forward") {
  VirtualClock clock(1'000'000);
  CHECK(clock.NowMs() == 1'000'000);
  CHECK(clock.is_virtual());
  clock.MoveForwardTo(1'000'500);
  CHECK(clock.NowMs() == 1'000'500);
  clock.MoveForwardTo(999);  // never backwards
  CHECK(clock.NowMs() == 1'000'500);
}

TEST_CASE("VirtualClock with start 0 starts at the wall time") {
  int64_t before = WallNowMs();
  VirtualClock clock(0);
  CHECK(clock.NowMs() >= before);
  CHECK(clock.NowMs() <= WallNowMs());
}

// A steady clock that moves only when a test says so: RealClock's arithmetic without the
// machine's speed in it.
std::chrono::steady_clock::time_point fake_steady{std::chrono::seconds(100)};
std::chrono::steady_clock::time_point FakeSteadyNow() { return fake_steady; }

TEST_CASE("RealClock runs time_scale times faster and stays continuous when rescaled") {
  RealClock clock(1000.0, 5'000, &FakeSteadyNow);
  CHECK_FALSE(clock.is_virtual());
  CHECK(clock.time_scale() == 1000.0);
  CHECK(clock.NowMs() == 5'000);
  fake_steady += std::chrono::milliseconds(2);  // 2 real ms at 1000x: 2 emulated s
  CHECK(clock.NowMs() == 7'000);
  clock.SetTimeScale(1.0);
  CHECK(clock.NowMs() == 7'000);  // rescaling does not jump
  CHECK(clock.time_scale() == 1.0);
  fake_steady += std::chrono::milliseconds(2);
  CHECK(clock.NowMs() == 7'002);
}

TEST_CASE("RealClock on the machine's steady clock moves forward at its scale") {
  RealClock clock(1000.0, 5'000);
  const int64_t a = clock.NowMs();
  CHECK(a >= 5'000);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
  while (std::chrono::steady_clock::now() < until) {
  }
  CHECK(clock.NowMs() - a >= 2'000);  // at least: a busy machine only makes it more
}

TEST_CASE("RealClock deadlines map emulated instants to real ones") {
  RealClock clock(10.0, 1'000'000, &FakeSteadyNow);
  const auto deadline = clock.RealDeadlineFor(clock.NowMs() + 10'000);  // 10 emulated s = 1 real s
  CHECK(deadline - FakeSteadyNow() == std::chrono::seconds(1));
  fake_steady += std::chrono::milliseconds(250);
  clock.SetTimeScale(20.0);  // the rest (7.5 emulated s) now takes 375 real ms
  CHECK(clock.RealDeadlineFor(1'010'000) - FakeSteadyNow() == std::chrono::milliseconds(375));
}

}  // namespace imagine
