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

#include "callbacks/retry_policy.h"
#include "callbacks/webhook_faults.h"
#include "callbacks/webhook_sender.h"
#include "common/status.h"
#include "engine/clock.h"
#include "engine/scheduler.h"

namespace imagine {

inline constexpr const char* kCallbackUserAgent = "imagine-emu-callbacks/1";
inline constexpr size_t kMaxRecordedResponseBytes = 1024;

// One webhook to deliver (per-call options: each task brings its own policy and faults).
struct CallbackRequest {
  std::string task_id;
  std::string provider;  // "apikley" | "evolink" (recorded only)
  std::string url;       // http:// or https://
  std::string body;      // JSON payload, sent as-is with Content-Type: application/json
  // Non-empty: sign with Kie's scheme (api-reference 1.6) — X-Webhook-Timestamp is the Unix
  // seconds of the emulated clock at the attempt, X-Webhook-Signature is
  // base64(HMAC-SHA256(task_id + "." + timestamp, hmac_key)). Each attempt is signed anew.
  std::string hmac_key;
  RetryPolicy policy;
  WebhookFaults faults;
  // Whose callback it is (the task's owner key): workers and queue slots are shared
  // fairly between keys (see CallbackOptions). "" is a key like any other.
  std::string key;
  // false: loopback, private and link-local receivers are refused at connect time, after
  // resolving the host (Evolink's rule). The emulator's own listening port is never reached.
  bool allow_private_hosts = true;
};

// An attempt being made now (GET /_emulator/callbacks lists them).
struct InFlightAttempt {
  std::string task_id, provider, url;
  int delivery = 1;
  int attempt = 1;
  int64_t sent_at_ms = 0;     // as CallbackAttempt::sent_at_ms
  int64_t elapsed_us = 0;     // real time since the attempt started
  int64_t deadline_us = 0;    // its real-time deadline (timeout_s), from the start
};

// One recorded attempt (or one dropped delivery).
struct CallbackAttempt {
  uint64_t seq = 0;  // global order of recording, from 1
  std::string task_id, provider, url;
  int delivery = 1;  // 1, or 2 for the duplicate copy
  int attempt = 1;   // 1-based within a delivery
  // Emulated time of the attempt. On a VirtualClock this is the instant the attempt fell
  // due (the network takes no emulated time there, so a run repeats exactly however the
  // test advances); on a RealClock, the clock when the attempt started.
  int64_t sent_at_ms = 0;
  std::vector<std::pair<std::string, std::string>> request_headers;  // as set by us, in order
  std::string request_body;
  int status = 0;             // HTTP status; 0 when no response
  std::string response_body;  // truncated to kMaxRecordedResponseBytes
  int64_t latency_us = 0;     // real time the attempt took
  std::string error;          // "" or one line: "timeout", "connection refused", "TLS: ...", "invalid URL: ..."
  // "delivered"      — the receiver answered 2xx;
  // "failed"         — non-2xx, timeout, connection/TLS error or invalid URL;
  // "forced_failure" — 2xx, but the fail_first fault counted it as failed;
  // "dropped"        — the drop fault: nothing was sent.
  std::string outcome;
  bool will_retry = false;  // a next attempt of this delivery is scheduled
};

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

// Workers one key may occupy at once: half of them, rounded up. A key's other ready
// callbacks wait in its own queue; keys take turns (round robin) for free workers.
inline int PerKeyWorkers(int workers) { return workers <= 1 ? 1 : (workers + 1) / 2; }

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
