// FairQueue: the CallbackDispatcher's queueing and fairness between keys (task owners). It
// admits submissions against a capacity shared fairly between keys, keeps the work ready for
// a worker in one queue per key, and hands it to the workers round robin, at most
// PerKeyWorkers(workers) items of one key at once — so one key's flood or hanging receivers
// never lock the next key out. Thread-safe: one mutex, a leaf (no other lock is taken under it).
//
//   FairQueue queue(/*capacity=*/10000, /*workers=*/4);
//   if (queue.Admit(key).verdict == FairQueue::Verdict::kAdmitted) queue.Push({delivery});
//   WorkItem item;                      // on a worker thread:
//   while (queue.Take(&item)) { /* send it */ queue.Done(KeyOf(item)); }
#ifndef IMAGINE_CALLBACKS_FAIR_QUEUE_H_
#define IMAGINE_CALLBACKS_FAIR_QUEUE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "callbacks/callback_delivery.h"

namespace imagine {

// Workers one key may occupy at once: half of them, rounded up. A key's other ready
// callbacks wait in its own queue; keys take turns (round robin) for free workers.
inline int PerKeyWorkers(int workers) { return workers <= 1 ? 1 : (workers + 1) / 2; }

class FairQueue {
 public:
  // Precondition: capacity >= 1, workers >= 1 (the dispatcher clamps its options).
  FairQueue(size_t capacity, int workers);

  FairQueue(const FairQueue&) = delete;
  FairQueue& operator=(const FairQueue&) = delete;

  enum class Verdict { kAdmitted, kFull, kStopped };
  struct Admission {
    Verdict verdict = Verdict::kAdmitted;
    uint64_t refused = 0;  // refusals of this verdict so far, this one included (0 when admitted)
    size_t pending = 0;    // pending submissions when it was decided
  };
  // Takes a slot for one submission of `key`. Below `capacity` pending submissions any key
  // gets one; from there up to 2 x capacity only a key holding less than its fair share
  // (capacity / keys with pending submissions, this key counted); beyond that none. kStopped
  // after Stop(). Counted in counts() (submitted or rejected_*).
  Admission Admit(const std::string& key);
  // Frees the slot of a finished submission of `key`. Ignored after Stop(), which freed them all.
  void Release(const std::string& key);

  // Makes `item` (non-empty) ready for a worker, at the back of its key's queue. Dropped after Stop().
  void Push(WorkItem item);
  // Blocks until an item is ready whose key has a worker to spare, takes it and returns true;
  // returns false once Stop() is called. The keys with ready items take turns in the order
  // they became ready; a key that still has items goes to the back of the turn.
  bool Take(WorkItem* item);
  // A worker finished an item it took; `key` is KeyOf(that item). Also after Stop().
  void Done(const std::string& key);

  bool stopped() const;
  // Blocks until no item is ready and none is taken, or `timeout` passes; returns whether idle.
  bool WaitIdle(std::chrono::milliseconds timeout) const;
  // Refuses every later Admit, drops the ready items and wakes every Take (false). Returns
  // how many submissions were pending (now abandoned, counted); 0 when already stopped.
  size_t Stop();

  struct Counts {
    uint64_t submitted = 0;            // admitted
    uint64_t rejected_queue_full = 0;  // refused for capacity (kFull)
    uint64_t rejected_shut_down = 0;   // refused after Stop() (kStopped)
    uint64_t abandoned = 0;            // pending when Stop() was called
    size_t queued = 0;                 // deliveries in ready items
    size_t in_flight = 0;              // items taken and not yet Done
    size_t pending = 0;                // admitted and not yet released
  };
  Counts counts() const;

 private:
  bool AdmitsLocked(const std::string& key) const;
  bool TakeLocked(WorkItem* item);
  bool IdleLocked() const { return ready_.empty() && counts_.in_flight == 0; }

  const size_t capacity_;
  const size_t per_key_workers_;
  mutable std::mutex mu_;                    // protects every field below
  std::condition_variable work_cv_;          // an item became ready, a key freed a worker, or stopped_
  mutable std::condition_variable idle_cv_;  // IdleLocked() may have become true
  bool stopped_ = false;
  std::map<std::string, std::deque<WorkItem>> ready_;       // ready items by key; no empty queue
  std::deque<std::string> rotation_;                        // keys with ready items, in turn order
  std::unordered_map<std::string, size_t> busy_by_key_;     // items taken per key; no zero
  std::unordered_map<std::string, size_t> pending_by_key_;  // pending submissions per key; no zero
  Counts counts_;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_FAIR_QUEUE_H_
