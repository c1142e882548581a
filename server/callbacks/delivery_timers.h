// DeliveryTimers: the CallbackDispatcher's deliveries waiting on the emulated clock — a delay
// fault, a retry, an out_of_order batch — each behind one Scheduler timer that hands the work
// to `ready` (the dispatcher's FairQueue) when the clock gets there, so on a VirtualClock
// nothing moves until Scheduler::Advance passes it. Stop() cancels them all.
// Thread-safe. Lock order: this object's lock, then the Scheduler's (ScheduleAt, Cancel) or,
// while a due timer hands its work over, the lock `ready` takes; never more than these two.
#ifndef IMAGINE_CALLBACKS_DELIVERY_TIMERS_H_
#define IMAGINE_CALLBACKS_DELIVERY_TIMERS_H_

#include <cstddef>
#include <functional>
#include <memory>

#include "callbacks/callback_delivery.h"
#include "engine/scheduler.h"

namespace imagine {

class DeliveryTimers {
 public:
  using Ready = std::function<void(WorkItem)>;

  // `scheduler` must outlive this object. `ready` runs on the thread that fires the timer,
  // under this object's lock: it may take one leaf lock and must not call this object.
  DeliveryTimers(Scheduler* scheduler, Ready ready);
  ~DeliveryTimers();  // Stop()

  DeliveryTimers(const DeliveryTimers&) = delete;
  DeliveryTimers& operator=(const DeliveryTimers&) = delete;

  // Hands WorkItem{delivery} to `ready` when the clock reaches delivery.due_ms. Returns
  // false, scheduling nothing, after Stop().
  bool At(CallbackDelivery delivery);
  // Adds `delivery` to the out_of_order batch of its due instant; the batch goes to `ready`
  // as one item, the last added first, by a timer at that instant scheduled when the batch
  // opened. The Scheduler fires equal deadlines in scheduling order, so the batch closes after
  // the timers already due at that instant (which may add to it). False after Stop().
  bool Batch(CallbackDelivery delivery);

  // Deliveries waiting: scheduled by At, or in an open batch.
  size_t waiting() const;

  // Cancels every timer and forgets what waits. A timer running now finishes first; no
  // `ready` call starts after Stop() returns. Idempotent.
  void Stop();

 private:
  struct State;  // shared with the Scheduler's timers, which may outlive this object
  Scheduler* const scheduler_;
  const std::shared_ptr<State> state_;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_DELIVERY_TIMERS_H_
