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

TEST_CASE("RealClock runs time_scale times faster and stays continuous when rescaled") {
  RealClock clock(1000.0, 5'000);
  CHECK_FALSE(clock.is_virtual());
  CHECK(clock.time_scale() == 1000.0);
  int64_t a = clock.NowMs();
  CHECK(a >= 5'000);
  // Busy-wait about 2 ms of real time: at 1000x that is about 2 s of emulated time.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
  while (std::chrono::steady_clock::now() < until) {
  }
  int64_t b = clock.NowMs();
  CHECK(b - a >= 2'000);
  clock.SetTimeScale(1.0);
  int64_t c = clock.NowMs();
  CHECK(c >= b);
  CHECK(c - b < 1'000);  // rescaling does not jump
  CHECK(clock.time_scale() == 1.0);
}

TEST_CASE("RealClock deadlines map emulated instants to real ones") {
  RealClock clock(10.0, 1'000'000);
  auto now = std::chrono::steady_clock::now();
  auto deadline = clock.RealDeadlineFor(clock.NowMs() + 10'000);  // 10 emulated s = 1 real s
  auto real_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
  CHECK(real_ms >= 990);
  CHECK(real_ms <= 1010);
}

}  // namespace imagine
