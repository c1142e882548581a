// Timers: what a component outside the engine may do with the emulator's scheduler —
// schedule work at an emulated instant and cancel it. Moving the clock is not part of it: the
// clock moves only through Engine::AdvanceClock / SetClock, which the state log records.
// Implemented by Scheduler (engine/scheduler.h); thread-safe.
#ifndef IMAGINE_ENGINE_TIMERS_H_
#define IMAGINE_ENGINE_TIMERS_H_

#include <cstddef>
#include <cstdint>
#include <functional>

namespace imagine {

class Timers {
 public:
  using TimerId = uint64_t;
  virtual ~Timers() = default;
  // Runs `fn` once when the clock reaches `due_ms` (at once if it has); see Scheduler.
  virtual TimerId ScheduleAt(int64_t due_ms, std::function<void()> fn) = 0;
  // Cancels a timer that has not run; false when it ran or never existed.
  virtual bool Cancel(TimerId id) = 0;
  // Timers not yet run.
  virtual size_t pending() const = 0;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_TIMERS_H_
