// Clock: the emulator's only source of "now". Every timestamp, stage boundary, link
// expiry and (later) callback retry is measured on it, so tests can run on a virtual
// clock that moves only when told. All implementations are thread-safe.
//
//   RealClock    — wall time, optionally sped up: now = start + elapsed * time_scale.
//   VirtualClock — frozen until Scheduler::Advance moves it (see scheduler.h).
#ifndef IMAGINE_ENGINE_CLOCK_H_
#define IMAGINE_ENGINE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace imagine {

// Wall-clock epoch milliseconds, for choosing a start instant.
int64_t WallNowMs();

class Clock {
 public:
  virtual ~Clock() = default;
  // Emulated Unix epoch time in milliseconds. Never goes backwards.
  virtual int64_t NowMs() const = 0;
  virtual bool is_virtual() const = 0;
  // How many emulated milliseconds pass per real millisecond (1 for a virtual clock).
  virtual double time_scale() const = 0;
};

class RealClock final : public Clock {
 public:
  // Where real time comes from: std::chrono::steady_clock::now, or a test's own source.
  using SteadyNow = std::chrono::steady_clock::time_point (*)();

  // `start_ms` <= 0 starts at the wall time. Precondition: time_scale > 0.
  RealClock(double time_scale, int64_t start_ms, SteadyNow steady_now = &std::chrono::steady_clock::now);

  int64_t NowMs() const override;
  bool is_virtual() const override { return false; }
  double time_scale() const override;

  // Changes the speed from now on; emulated time stays continuous. Precondition: scale > 0.
  void SetTimeScale(double scale);
  // Sets now to `emulated_ms` (a restored state directory; before the clock is used).
  void RestoreTo(int64_t emulated_ms);

  // The real instant at which NowMs() will reach `emulated_ms` at the current speed.
  std::chrono::steady_clock::time_point RealDeadlineFor(int64_t emulated_ms) const;

 private:
  const SteadyNow steady_now_;
  mutable std::mutex mu_;  // protects the three fields below
  int64_t base_emulated_ms_;
  std::chrono::steady_clock::time_point base_steady_;
  double scale_;
};

class VirtualClock final : public Clock {
 public:
  // `start_ms` <= 0 starts at the wall time.
  explicit VirtualClock(int64_t start_ms);

  int64_t NowMs() const override { return now_ms_.load(std::memory_order_acquire); }
  bool is_virtual() const override { return true; }
  double time_scale() const override { return 1.0; }

  // Moves time to `ms` if that is later than now. Only the Scheduler calls this, so that
  // due timers fire in order as time passes them.
  void MoveForwardTo(int64_t ms);
  // Sets now to `ms`, earlier or later (a restored state directory; before the clock is used).
  void RestoreTo(int64_t ms) { now_ms_.store(ms, std::memory_order_release); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_CLOCK_H_
