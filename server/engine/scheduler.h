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
//
// Lane timers are the compact kind for what hundreds of thousands of objects each need
// (a running task's next state report): one 24-byte queue entry holding a 64-bit payload,
// no std::function, fired through the one function given to SetLane. The queue is a
// ChunkedHeap, so growing it never copies the pending timers; no per-timer map.
#ifndef IMAGINE_ENGINE_SCHEDULER_H_
#define IMAGINE_ENGINE_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/chunked_heap.h"
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
  // Removes a pending timer (either kind); false if it already fired (or is firing) or never existed.
  // PRECONDITION for a lane timer: the caller's id is still queued or firing. Lane timers keep no
  // per-timer record, so one that fired and finished is indistinguishable from a queued one;
  // owners forget a lane id when it fires (under their own lock) and cancel only ids they hold.
  bool Cancel(TimerId id) override;

  // The function every lane timer runs, with its payload; it returns false when the payload
  // named nothing that is still there (a timer Forget() was told of). Set once, before ScheduleLaneAt.
  void SetLane(std::function<bool(uint64_t payload)> fn) { lane_ = std::move(fn); }
  // For a lane timer whose owner is gone (a reset forgetting 300 000 running tasks at once):
  // the timer stays queued and fires into the lane function, which finds nothing, but no
  // longer counts in pending(). O(1) under the lock, where Cancel grows a set (a reset of
  // many tasks rehashed it under the lock every create's ScheduleLaneAt takes: 20 ms stalls).
  // Same precondition as Cancel: the id is still queued or firing.
  void Forget(TimerId id);
  // Runs the lane function with `payload` once the clock reaches `due_ms`, in the same
  // (due time, sequence) order as every other timer.
  TimerId ScheduleLaneAt(int64_t due_ms, uint64_t payload);

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
  static constexpr uint64_t kLaneBit = uint64_t{1} << 63;  // set in a lane timer's id
  struct Entry {
    int64_t due_ms;
    uint64_t seq;      // the TimerId (kLaneBit set for a lane timer)
    uint64_t payload;  // lane timers only
    bool operator>(const Entry& o) const {
      return due_ms != o.due_ms ? due_ms > o.due_ms : (seq & ~kLaneBit) > (o.seq & ~kLaneBit);
    }
  };
  // A timer taken from the queue to run: a function, or a lane payload.
  struct Due {
    Entry entry{};
    std::function<void()> fn;  // empty for a lane timer
  };

  void RunRealLoop();
  // Whether a timer due at `due_ms` must wake the timer thread: it sleeps past that time.
  // Marks the thread awake when so. Requires mu_ held.
  bool WakeForLocked(int64_t due_ms);
  // Pops the earliest timer due at or before `limit_ms`; marks a lane timer as firing.
  // Requires mu_ held.
  bool PopDueLocked(int64_t limit_ms, Due* due);
  // Runs a popped timer without mu_ held, then clears the firing mark.
  void Fire(Due& due);

  Clock* clock_;
  std::mutex advance_mu_;  // serializes Advance() calls so virtual time moves one way at a time
  mutable std::mutex mu_;  // protects everything below but lane_ (set before use)
  std::condition_variable cv_;
  ChunkedHeap<Entry, std::greater<Entry>> queue_;
  std::unordered_map<uint64_t, std::function<void()>> fns_;  // pending function timers by seq (= TimerId)
  std::function<bool(uint64_t payload)> lane_;
  size_t lane_queued_ = 0;                        // lane entries in queue_ (cancelled ones included)
  std::unordered_set<uint64_t> lane_cancelled_;  // lane ids cancelled, still in queue_
  uint64_t lane_firing_ = 0;                      // the lane id being run (Cancel leaves it alone)
  size_t lane_forgotten_ = 0;                     // lane entries Forget() was told of, still queued
  bool firing_forgotten_ = false;                 // Forget() was told of the lane timer being run
  uint64_t next_seq_ = 1;
  // The due time the timer thread sleeps until: a timer due earlier wakes it (a create's
  // state-report timer, due seconds later, wakes nobody). kAwake while it runs or was
  // already woken, and always with a virtual clock (no thread); kAsleep: until woken.
  static constexpr int64_t kAwake = INT64_MIN;
  static constexpr int64_t kAsleep = INT64_MAX;
  int64_t sleeps_until_ = kAwake;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_SCHEDULER_H_
