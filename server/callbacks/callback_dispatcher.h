// CallbackDispatcher: delivers task-finished webhooks the way the real providers do —
// POST JSON, a per-attempt timeout, retries on the emulated clock, optional Kie HMAC
// signature — plus client-chosen faults (webhook_faults.h), and records every attempt.
// Used by the dialects (Submit), the admin API and the journal (Attempts, observer).
// Thread-safe: Submit never waits on a receiver (bounded queue, worker threads); all
// waiting for a delay or a retry is a Scheduler timer, so on a VirtualClock nothing
// scheduled happens until Scheduler::Advance passes it.
//
//   CallbackDispatcher dispatcher(CallbackOptions{}, &clock, &scheduler);
//   dispatcher.Submit({task_id, "evolink", url, body, "", EvolinkRetryPolicy(), faults});
#ifndef IMAGINE_CALLBACKS_CALLBACK_DISPATCHER_H_
#define IMAGINE_CALLBACKS_CALLBACK_DISPATCHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "callbacks/callback_attempt.h"
#include "callbacks/callback_request.h"
#include "callbacks/fair_queue.h"
#include "callbacks/in_flight_attempts.h"
#include "callbacks/retry_policy.h"
#include "callbacks/webhook_faults.h"
#include "callbacks/webhook_sender.h"
#include "common/status.h"
#include "engine/clock.h"
#include "engine/scheduler.h"

namespace imagine {

struct CallbackOptions {
  // --- Delivery threads
  int workers = 4;  // threads sending attempts (at least 1)
  // Accepted submissions not yet finished (queued, in flight, or waiting on the clock for a
  // delay, a retry or an out-of-order batch). Shared fairly between keys: once this many
  // are pending, a key holding its fair share (capacity / keys with pending callbacks) or
  // more is refused (counted, logged), while a key below its share is still accepted — so
  // one key's flood never locks out the next key, and at most 2 x capacity are pending.
  size_t queue_capacity = 10000;
  // --- TLS towards receivers
  bool verify_tls = true;  // verify receivers' certificates (chain and host name)
  std::string ca_file;     // extra CA bundle (PEM) trusted besides the system store; "" = system only
  // --- Attempt log
  // Ring buffer size; the oldest attempt is evicted (counted in stats().attempts_evicted).
  // About 1 KB + the request body per entry.
  size_t max_recorded_attempts = 100000;
  // --- Set by the application, not config keys
  // The emulator's listening ports: callbacks never connect to them on a local address.
  std::vector<int> own_ports;
};

// Checks the options once at start-up: workers >= 1, queue_capacity >= 1, ca_file loadable.
Status CheckCallbackOptions(const CallbackOptions& options);

class CallbackDispatcher {
 public:
  // `clock` and `scheduler` must outlive the dispatcher (and share the same clock).
  // Starts the worker threads. `sender` null means an HttpWebhookSender built from the
  // options (tests pass a fake). Invalid options are clamped (workers, capacity) or logged
  // (ca_file); use CheckCallbackOptions to refuse them instead.
  CallbackDispatcher(CallbackOptions options, Clock* clock, Scheduler* scheduler,
                     std::unique_ptr<const WebhookSender> sender = nullptr);
  ~CallbackDispatcher();  // Shutdown()

  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  // Accepts a delivery and returns at once: never waits for a receiver or a worker. The
  // first attempt is queued for a worker now, or (delay fault) by a timer at now + delay,
  // or (out_of_order fault) when the batch of its due instant closes — a timer at that
  // same instant, so on a VirtualClock an out_of_order submission made outside a timer
  // goes out at the next Advance (Advance(0) will do). Returns false — nothing scheduled,
  // counted in stats(), logged at warn — when queue_capacity submissions are pending or
  // after Shutdown(). Callable from any thread, including Scheduler timers.
  bool Submit(CallbackRequest request);

  // Attempts being made right now, oldest first; task_id "" = all.
  std::vector<InFlightAttempt> InFlight(std::string_view task_id = {}) const;

  // Recorded attempts, oldest first (at most max_recorded_attempts); task_id "" = all.
  std::vector<CallbackAttempt> Attempts(std::string_view task_id = {}) const;
  // Forgets recorded attempts: all of them (`keep` null) or those `keep` rejects. Deliveries
  // in progress go on.
  void ClearAttempts(const std::function<bool(const CallbackAttempt&)>& keep = nullptr);

  // Called after every recorded attempt on the worker thread that made it, without the
  // dispatcher's locks held (it may call Attempts() or stats()). Attempts of one delivery
  // chain are observed in order. Precondition: set before the first Submit.
  void SetObserver(std::function<void(const CallbackAttempt&)> observer);

  struct Stats {
    uint64_t submitted = 0;            // accepted by Submit
    uint64_t delivered = 0;            // deliveries that ended with a 2xx (a duplicate counts twice)
    uint64_t failed_deliveries = 0;    // deliveries whose last attempt failed (retries exhausted)
    uint64_t attempts = 0;             // attempts recorded, including "dropped" entries
    uint64_t rejected_queue_full = 0;  // Submit calls refused for capacity (the key's share)
    uint64_t dropped_by_fault = 0;     // deliveries dropped by the drop fault
    uint64_t attempts_evicted = 0;     // attempts pushed out of the ring buffer
    size_t queued = 0;                 // deliveries waiting for a worker
    // Additions beyond the original interface.
    uint64_t rejected_shut_down = 0;   // Submit calls refused after Shutdown()
    uint64_t abandoned = 0;            // submissions unfinished at Shutdown()
    size_t in_flight = 0;              // work items (a delivery or an out-of-order batch) being sent
    size_t waiting = 0;                // deliveries waiting on the clock (delay, retry, batch)
    size_t pending = 0;                // accepted submissions not yet finished (vs queue_capacity)
  };
  Stats stats() const;

  // Blocks until no delivery is queued or in flight (those waiting on the clock do not
  // count) or `timeout` passes; returns whether idle. For tests and graceful shutdown.
  bool WaitIdle(std::chrono::milliseconds timeout) const;

  // Stops the workers after their current attempt (which may take up to its timeout) and
  // cancels this dispatcher's timers. Pending submissions are abandoned (counted in
  // stats().abandoned, logged at info). Idempotent. Must not be called from the observer.
  void Shutdown();

 private:
  struct Job {  // one accepted submission; shared by its deliveries and attempts
    CallbackRequest request;
  };
  struct Delivery {
    std::shared_ptr<const Job> job;
    int delivery = 1;
    int attempt = 1;     // the attempt to make next
    int64_t due_ms = 0;  // emulated instant the attempt fell due
  };
  // A worker's unit: one delivery, or an out-of-order batch already in sending order.
  using WorkItem = std::vector<Delivery>;
  // Lets Scheduler timers, which may outlive the dispatcher, reach it only while it runs.
  struct TimerGate {
    std::mutex mu;                           // protects target; held while a timer runs
    CallbackDispatcher* target = nullptr;    // nullptr once Shutdown() began
  };

  void WorkerLoop();
  // Makes one attempt of `d` (network I/O without locks), records it, notifies the
  // observer, then schedules what follows (retry, duplicate copy, or completion).
  void RunAttempt(const Delivery& d);
  void EnqueueLocked(WorkItem item);
  // Whether a submission of `key` fits (CallbackOptions::queue_capacity).
  bool AdmitLocked(const std::string& key) const;
  // Runs `fn` (with mu_ held) when the clock reaches `due_ms`, unless Shutdown() came first.
  void ScheduleLocked(int64_t due_ms, std::function<void()> fn);
  void OnTimer(uint64_t token, const std::function<void()>& fn);
  void CloseBatchLocked(int64_t due_ms);
  // Counts the delivery's end; queues the duplicate copy (due `now_ms`) or ends the submission.
  void FinishDeliveryLocked(const Delivery& d, const std::string& outcome, int64_t now_ms);
  bool IdleLocked() const { return ready_.empty() && in_flight_ == 0; }
  // The next item for a worker: the first key in turn with a worker to spare. False if none.
  bool TakeLocked(WorkItem* item, std::string* key);
  static const std::string& KeyOf(const WorkItem& item) { return item.front().job->request.key; }

  const CallbackOptions options_;
  Clock* const clock_;
  Scheduler* const scheduler_;
  std::unique_ptr<const WebhookSender> sender_;  // set in the constructor, then read-only
  const std::shared_ptr<TimerGate> gate_;

  std::mutex shutdown_mu_;  // serializes Shutdown() callers; protects workers_ joining
  std::vector<std::thread> workers_;

  // Lock order: gate_->mu, then mu_, then the Scheduler's own lock (taken by ScheduleAt
  // and Cancel). Neither is held during network I/O or while the observer runs.
  mutable std::mutex mu_;  // protects every field below
  std::condition_variable work_cv_;          // queue_ gained an item, or stopping_
  mutable std::condition_variable idle_cv_;  // IdleLocked() may have become true
  bool stopping_ = false;
  std::map<std::string, std::deque<WorkItem>> ready_;  // ready for a worker, by key
  std::deque<std::string> rotation_;                // keys with ready work, in turn order
  std::unordered_map<std::string, size_t> busy_by_key_;     // workers busy for a key
  std::unordered_map<std::string, size_t> pending_by_key_;  // pending submissions per key
  std::map<uint64_t, InFlightAttempt> in_flight_attempts_;  // by start order
  std::map<uint64_t, std::chrono::steady_clock::time_point> in_flight_started_;
  uint64_t next_in_flight_ = 1;
  size_t queued_deliveries_ = 0;                    // deliveries inside queue_
  size_t in_flight_ = 0;                            // items taken by workers, not finished
  size_t waiting_ = 0;                              // deliveries waiting on timers
  size_t pending_jobs_ = 0;                         // accepted, unfinished submissions
  std::map<int64_t, WorkItem> batches_;             // open out_of_order batches by due time
  std::unordered_map<uint64_t, Scheduler::TimerId> timers_;  // our live timers by token
  uint64_t next_timer_token_ = 1;
  uint64_t next_seq_ = 1;
  std::deque<CallbackAttempt> attempts_;  // ring buffer, oldest first
  Stats stats_;
  std::shared_ptr<const std::function<void(const CallbackAttempt&)>> observer_;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_CALLBACK_DISPATCHER_H_
