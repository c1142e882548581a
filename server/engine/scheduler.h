// Scheduler: timers on the emulator's Clock. Anything that must happen at a given
// emulated moment is scheduled here: a running task's next state report (one timer per
// running task, which journals the change and sends the finish callback), a callback retry.
// A task's state itself is derived from its timeline and the clock, never stored.
//
// With a RealClock a background thread fires timers as (scaled) time reaches them.
// With a VirtualClock nothing fires until Advance(), which moves the clock through every
// due timer in (due time, sequence) order before it returns, so runs repeat exactly.
// Thread-safe. Timer functions run without the scheduler's lock held and must be short
// (hand slow work to a worker queue); they may schedule further timers.
#ifndef IMAGINE_ENGINE_SCHEDULER_H_
#define IMAGINE_ENGINE_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "engine/clock.h"
#include "engine/timers.h"

namespace imagine {

class Scheduler final : public Timers {
 public:

  // `clock` must outlive the scheduler. Starts the timer thread for a RealClock.
  explicit Scheduler(Clock* clock);
  ~Scheduler();  // Shutdown()

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `fn` once the clock reaches `due_ms` (at once, on the next firing pass, if already due).
  TimerId ScheduleAt(int64_t due_ms, std::function<void()> fn) override;
  // Removes a pending timer; false if it already fired or never existed.
  bool Cancel(TimerId id) override;

  // Virtual clock only: moves the clock forward by `ms` (>= 0), firing every timer that
  // falls due on the way, in order, with the clock set to each timer's due time.
  // Returns kFailedPrecondition on a real clock, kInvalidArgument for negative `ms`.
  Status Advance(int64_t ms);

  // Wakes the timer thread so it recomputes its deadline (after a time-scale change).
  void Wake();

  size_t pending() const override;

  // Stops the timer thread; pending timers never fire. Idempotent.
  void Shutdown();

 private:
  struct Entry {
    int64_t due_ms;
    uint64_t seq;
    bool operator>(const Entry& o) const { return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq; }
  };

  void RunRealLoop();
  // Pops the earliest timer due at or before `limit_ms`. Requires mu_ held.
  bool PopDueLocked(int64_t limit_ms, Entry* entry, std::function<void()>* fn);

  Clock* clock_;
  std::mutex advance_mu_;  // serializes Advance() calls so virtual time moves one way at a time
  mutable std::mutex mu_;  // protects queue_, fns_, next_seq_, stopping_
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue_;
  std::unordered_map<uint64_t, std::function<void()>> fns_;  // pending timers by seq (= TimerId)
  uint64_t next_seq_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_SCHEDULER_H_
