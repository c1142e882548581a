#include "engine/clock.h"

namespace imagine {

int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RealClock::RealClock(double time_scale, int64_t start_ms, SteadyNow steady_now)
    : steady_now_(steady_now),
      base_emulated_ms_(start_ms > 0 ? start_ms : WallNowMs()),
      base_steady_(steady_now_()),
      scale_(time_scale) {}

int64_t RealClock::NowMs() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto elapsed = steady_now_() - base_steady_;
  double elapsed_ms = std::chrono::duration<double, std::milli>(elapsed).count();
  return base_emulated_ms_ + static_cast<int64_t>(elapsed_ms * scale_);
}

double RealClock::time_scale() const {
  std::lock_guard<std::mutex> lock(mu_);
  return scale_;
}

void RealClock::SetTimeScale(double scale) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = steady_now_();
  double elapsed_ms = std::chrono::duration<double, std::milli>(now - base_steady_).count();
  base_emulated_ms_ += static_cast<int64_t>(elapsed_ms * scale_);
  base_steady_ = now;
  scale_ = scale;
}

void RealClock::RestoreTo(int64_t emulated_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  base_emulated_ms_ = emulated_ms;
  base_steady_ = steady_now_();
}

std::chrono::steady_clock::time_point RealClock::RealDeadlineFor(int64_t emulated_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  double real_ms = static_cast<double>(emulated_ms - base_emulated_ms_) / scale_;
  return base_steady_ + std::chrono::microseconds(static_cast<int64_t>(real_ms * 1000.0));
}

VirtualClock::VirtualClock(int64_t start_ms) : now_ms_(start_ms > 0 ? start_ms : WallNowMs()) {}

void VirtualClock::MoveForwardTo(int64_t ms) {
  int64_t cur = now_ms_.load(std::memory_order_acquire);
  while (ms > cur && !now_ms_.compare_exchange_weak(cur, ms, std::memory_order_acq_rel)) {
  }
}

}  // namespace imagine
