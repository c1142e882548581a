#include "callbacks/callback_dispatcher.h"

#include <algorithm>
#include <exception>

#include "callbacks/webhook_signature.h"
#include "common/log.h"

namespace imagine {
namespace {

constexpr const char* kDelivered = "delivered";
constexpr const char* kFailed = "failed";
constexpr const char* kForcedFailure = "forced_failure";
constexpr const char* kDropped = "dropped";

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

CallbackOptions Clamped(CallbackOptions options) {
  if (options.workers < 1) options.workers = 1;
  if (options.queue_capacity < 1) options.queue_capacity = 1;
  return options;
}

std::string Describe(const CallbackAttempt& a) {
  if (!a.error.empty()) return a.error;
  return "HTTP " + std::to_string(a.status);
}

}  // namespace

Status CheckCallbackOptions(const CallbackOptions& options) {
  if (options.workers < 1) return InvalidArgument("callbacks: workers must be >= 1");
  if (options.queue_capacity < 1) return InvalidArgument("callbacks: queue_capacity must be >= 1");
  return HttpWebhookSender(WebhookSenderOptions{options.verify_tls, options.ca_file, {}}).CheckCaFile();
}

CallbackDispatcher::CallbackDispatcher(CallbackOptions options, Clock* clock, Scheduler* scheduler,
                                       std::unique_ptr<const WebhookSender> sender)
    : options_(Clamped(std::move(options))),
      clock_(clock),
      scheduler_(scheduler),
      sender_(std::move(sender)),
      gate_(std::make_shared<TimerGate>()) {
  gate_->target = this;
  if (sender_ == nullptr) {
    auto http = std::make_unique<HttpWebhookSender>(
        WebhookSenderOptions{options_.verify_tls, options_.ca_file, options_.own_ports});
    Status ca = http->CheckCaFile();
    if (!ca.ok()) Log(LogLevel::kError, "callbacks: " + ca.message() + "; HTTPS callbacks will fail");
    sender_ = std::move(http);
  }
  workers_.reserve(static_cast<size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

CallbackDispatcher::~CallbackDispatcher() { Shutdown(); }

bool CallbackDispatcher::Submit(CallbackRequest request) {
  auto job = std::make_shared<Job>(Job{std::move(request)});
  const WebhookFaults& faults = job->request.faults;
  bool shut_down = false;
  uint64_t rejected = 0;
  size_t pending = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      shut_down = true;
      rejected = ++stats_.rejected_shut_down;
    } else if (!AdmitLocked(job->request.key)) {
      rejected = ++stats_.rejected_queue_full;
      pending = pending_jobs_;
    } else {
      ++pending_jobs_;
      ++pending_by_key_[job->request.key];
      ++stats_.submitted;
      const int64_t due = clock_->NowMs() + std::max<int64_t>(0, faults.delay_ms);
      Delivery first{job, 1, 1, due};
      if (faults.out_of_order) {
        // Batch with every out_of_order delivery due at the same instant. The closing timer
        // is due then too; the Scheduler fires equal deadlines in scheduling order, so it
        // runs after the timers already queued for that instant (which may submit more).
        auto [it, opened] = batches_.try_emplace(due);
        it->second.push_back(std::move(first));
        ++waiting_;
        if (opened) ScheduleLocked(due, [this, due] { CloseBatchLocked(due); });
      } else if (faults.delay_ms > 0) {
        ++waiting_;
        ScheduleLocked(due, [this, first] {
          --waiting_;
          EnqueueLocked(WorkItem{first});
        });
      } else {
        EnqueueLocked(WorkItem{std::move(first)});
      }
      return true;
    }
  }
  const CallbackRequest& r = job->request;
  if (shut_down) {
    Log(LogLevel::kWarn, "callbacks: refused callback for task " + r.task_id + " to " + r.url +
                             ": the dispatcher is shut down (refused so far: " + std::to_string(rejected) + ")");
  } else {
    Log(LogLevel::kWarn, "callbacks: queue full (" + std::to_string(pending) + " pending, capacity " +
                             std::to_string(options_.queue_capacity) + ", and this key holds its fair share); " +
                             "refused callback for task " + r.task_id + " to " + r.url + " (refused so far: " +
                             std::to_string(rejected) + ")");
  }
  return false;
}

bool CallbackDispatcher::AdmitLocked(const std::string& key) const {
  const size_t capacity = options_.queue_capacity;
  if (pending_jobs_ < capacity) return true;
  if (pending_jobs_ >= 2 * capacity) return false;
  auto mine = pending_by_key_.find(key);
  const size_t held = mine == pending_by_key_.end() ? 0 : mine->second;
  const size_t keys = pending_by_key_.size() + (held == 0 ? 1 : 0);
  return held < capacity / keys;
}

void CallbackDispatcher::EnqueueLocked(WorkItem item) {
  queued_deliveries_ += item.size();
  const std::string key = KeyOf(item);
  std::deque<WorkItem>& q = ready_[key];
  if (q.empty()) rotation_.push_back(key);
  q.push_back(std::move(item));
  work_cv_.notify_one();
}

bool CallbackDispatcher::TakeLocked(WorkItem* item, std::string* key) {
  const size_t cap = static_cast<size_t>(PerKeyWorkers(options_.workers));
  for (auto it = rotation_.begin(); it != rotation_.end(); ++it) {
    auto busy = busy_by_key_.find(*it);
    if (busy != busy_by_key_.end() && busy->second >= cap) continue;
    *key = *it;
    rotation_.erase(it);
    auto q = ready_.find(*key);
    *item = std::move(q->second.front());
    q->second.pop_front();
    if (q->second.empty()) {
      ready_.erase(q);
    } else {
      rotation_.push_back(*key);  // its next item waits for the other keys' turns
    }
    ++busy_by_key_[*key];
    return true;
  }
  return false;
}

void CallbackDispatcher::ScheduleLocked(int64_t due_ms, std::function<void()> fn) {
  const uint64_t token = next_timer_token_++;
  // mu_ stays held across ScheduleAt so the timer cannot fire (OnTimer takes mu_) before
  // its token is in timers_. Lock order: gate_->mu, then mu_, then the scheduler's.
  Scheduler::TimerId id = scheduler_->ScheduleAt(due_ms, [gate = gate_, token, fn = std::move(fn)] {
    std::lock_guard<std::mutex> gate_lock(gate->mu);
    if (gate->target != nullptr) gate->target->OnTimer(token, fn);
  });
  timers_.emplace(token, id);
}

void CallbackDispatcher::OnTimer(uint64_t token, const std::function<void()>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  timers_.erase(token);
  if (stopping_) return;
  fn();
}

void CallbackDispatcher::CloseBatchLocked(int64_t due_ms) {
  auto it = batches_.find(due_ms);
  if (it == batches_.end()) return;
  WorkItem reversed(it->second.rbegin(), it->second.rend());
  batches_.erase(it);
  waiting_ -= reversed.size();
  EnqueueLocked(std::move(reversed));
}

void CallbackDispatcher::WorkerLoop() {
  for (;;) {
    WorkItem item;
    std::string key;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || TakeLocked(&item, &key); });
      if (stopping_) return;
      queued_deliveries_ -= item.size();
      ++in_flight_;
    }
    for (const Delivery& d : item) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) break;  // the rest of a batch is abandoned with its jobs
      }
      RunAttempt(d);
    }
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    if (auto busy = busy_by_key_.find(key); busy != busy_by_key_.end() && --busy->second == 0) busy_by_key_.erase(busy);
    if (!ready_.empty()) work_cv_.notify_all();  // the key may have another item waiting for a worker
    if (IdleLocked()) idle_cv_.notify_all();
  }
}

void CallbackDispatcher::RunAttempt(const Delivery& d) {
  const CallbackRequest& r = d.job->request;
  CallbackAttempt a;
  a.task_id = r.task_id;
  a.provider = r.provider;
  a.url = r.url;
  a.delivery = d.delivery;
  a.attempt = d.attempt;
  a.sent_at_ms = clock_->is_virtual() ? d.due_ms : clock_->NowMs();

  bool permanent = false;
  if (r.faults.drop) {
    a.outcome = kDropped;
  } else {
    a.request_headers = {{"Content-Type", "application/json"}, {"User-Agent", kCallbackUserAgent}};
    if (!r.hmac_key.empty()) {
      std::string timestamp = std::to_string(FloorDiv(a.sent_at_ms, 1000));
      std::string signature = KieWebhookSignature(r.task_id, timestamp, r.hmac_key);
      a.request_headers.emplace_back(kWebhookTimestampHeader, std::move(timestamp));
      a.request_headers.emplace_back(kWebhookSignatureHeader, std::move(signature));
    }
    a.request_body = r.body;
    // timeout_s is real time whatever the clock's speed: a receiver answers in real time,
    // and --time-scale 100 must not turn a 10 s timeout into 0.1 s.
    const int64_t timeout_us = std::min<int64_t>(std::max<int64_t>(r.policy.timeout_ms, 1), 86400000) * 1000;
    uint64_t flight = 0;
    const auto started = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      flight = next_in_flight_++;
      in_flight_attempts_[flight] =
          InFlightAttempt{a.task_id, a.provider, a.url, a.delivery, a.attempt, a.sent_at_ms, 0, timeout_us};
      in_flight_started_[flight] = started;
    }
    WebhookResult res = sender_->Post(r.url, a.request_headers, r.body, std::chrono::microseconds(timeout_us),
                                      kMaxRecordedResponseBytes, r.allow_private_hosts);
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_attempts_.erase(flight);
      in_flight_started_.erase(flight);
    }
    a.status = res.status;
    a.response_body = std::move(res.body);
    a.latency_us = res.latency_us;
    a.error = std::move(res.error);
    permanent = res.permanent;
    const bool answered_2xx = a.error.empty() && a.status >= 200 && a.status < 300;
    if (!answered_2xx) {
      a.outcome = kFailed;
    } else {
      a.outcome = d.attempt <= r.faults.fail_first ? kForcedFailure : kDelivered;
    }
  }
  const bool failed = a.outcome == kFailed || a.outcome == kForcedFailure;
  const size_t retries_used = static_cast<size_t>(d.attempt - 1);
  const bool retry_left = failed && !permanent && retries_used < r.policy.retry_delays_ms.size();

  // Phase 1: record, then tell the observer (no lock held).
  std::shared_ptr<const std::function<void(const CallbackAttempt&)>> observer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    a.seq = next_seq_++;
    a.will_retry = retry_left && !stopping_;
    ++stats_.attempts;
    if (options_.max_recorded_attempts == 0) {
      ++stats_.attempts_evicted;
    } else {
      if (attempts_.size() >= options_.max_recorded_attempts) {
        attempts_.pop_front();
        ++stats_.attempts_evicted;
      }
      attempts_.push_back(a);
    }
    observer = observer_;
  }
  if (LogEnabled(LogLevel::kDebug)) {
    Log(LogLevel::kDebug, "callbacks: task " + a.task_id + " delivery " + std::to_string(a.delivery) + " attempt " +
                              std::to_string(a.attempt) + " to " + a.url + ": " + a.outcome +
                              (a.outcome == kDropped ? std::string() : " (" + Describe(a) + ")") +
                              (a.will_retry ? ", will retry" : ""));
  }
  if (observer) {
    try {
      (*observer)(a);
    } catch (const std::exception& e) {
      Log(LogLevel::kError, std::string("callbacks: attempt observer threw: ") + e.what());
    } catch (...) {
      Log(LogLevel::kError, "callbacks: attempt observer threw a non-standard exception");
    }
  }

  // Phase 2: what follows — a retry, the duplicate copy, or the end of the submission.
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;  // the submission stays pending and is counted as abandoned
    if (a.will_retry) {
      const int64_t base = clock_->is_virtual() ? a.sent_at_ms : clock_->NowMs();
      Delivery next = d;
      next.attempt = d.attempt + 1;
      next.due_ms = base + std::max<int64_t>(0, r.policy.retry_delays_ms[retries_used]);
      ++waiting_;
      ScheduleLocked(next.due_ms, [this, next] {
        --waiting_;
        EnqueueLocked(WorkItem{next});
      });
      return;
    }
    FinishDeliveryLocked(d, a.outcome, clock_->is_virtual() ? a.sent_at_ms : clock_->NowMs());
  }
  if (failed) {
    Log(LogLevel::kInfo, "callbacks: gave up on task " + a.task_id + " delivery " + std::to_string(a.delivery) +
                             " to " + a.url + " after " + std::to_string(a.attempt) + " attempt(s): " +
                             (a.outcome == kForcedFailure ? "forced failure" : Describe(a)));
  }
}

void CallbackDispatcher::FinishDeliveryLocked(const Delivery& d, const std::string& outcome, int64_t now_ms) {
  if (outcome == kDelivered) {
    ++stats_.delivered;
  } else if (outcome == kDropped) {
    ++stats_.dropped_by_fault;
  } else {
    ++stats_.failed_deliveries;
  }
  if (d.job->request.faults.duplicate && d.delivery == 1) {
    EnqueueLocked(WorkItem{Delivery{d.job, 2, 1, now_ms}});
  } else {
    --pending_jobs_;
    auto held = pending_by_key_.find(d.job->request.key);
    if (held != pending_by_key_.end() && --held->second == 0) pending_by_key_.erase(held);
  }
}

std::vector<InFlightAttempt> CallbackDispatcher::InFlight(std::string_view task_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::vector<InFlightAttempt> out;
  for (const auto& [id, a] : in_flight_attempts_) {
    if (!task_id.empty() && a.task_id != task_id) continue;
    out.push_back(a);
    out.back().elapsed_us =
        std::chrono::duration_cast<std::chrono::microseconds>(now - in_flight_started_.at(id)).count();
  }
  return out;
}

std::vector<CallbackAttempt> CallbackDispatcher::Attempts(std::string_view task_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CallbackAttempt> out;
  for (const CallbackAttempt& a : attempts_) {
    if (task_id.empty() || a.task_id == task_id) out.push_back(a);
  }
  return out;
}

void CallbackDispatcher::SetObserver(std::function<void(const CallbackAttempt&)> observer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (observer) {
    observer_ = std::make_shared<const std::function<void(const CallbackAttempt&)>>(std::move(observer));
  } else {
    observer_.reset();
  }
}

CallbackDispatcher::Stats CallbackDispatcher::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.queued = queued_deliveries_;
  s.in_flight = in_flight_;
  s.waiting = waiting_;
  s.pending = pending_jobs_;
  return s;
}

bool CallbackDispatcher::WaitIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return IdleLocked(); });
}

void CallbackDispatcher::Shutdown() {
  std::lock_guard<std::mutex> shutdown_lock(shutdown_mu_);
  {
    // After this no timer reaches us; a timer running now finishes first.
    std::lock_guard<std::mutex> gate_lock(gate_->mu);
    gate_->target = nullptr;
  }
  std::vector<Scheduler::TimerId> timer_ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (const auto& entry : timers_) timer_ids.push_back(entry.second);
    timers_.clear();
  }
  work_cv_.notify_all();
  for (Scheduler::TimerId id : timer_ids) scheduler_->Cancel(id);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();  // each finishes its current attempt first
  }
  workers_.clear();
  size_t abandoned = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    abandoned = pending_jobs_;
    stats_.abandoned += abandoned;
    pending_jobs_ = 0;
    pending_by_key_.clear();
    ready_.clear();
    rotation_.clear();
    queued_deliveries_ = 0;
    batches_.clear();
    waiting_ = 0;
  }
  idle_cv_.notify_all();
  if (abandoned > 0) {
    Log(LogLevel::kInfo, "callbacks: shut down with " + std::to_string(abandoned) +
                             " undelivered callback(s) abandoned");
  }
}

void CallbackDispatcher::ClearAttempts(const std::function<bool(const CallbackAttempt&)>& keep) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!keep) {
    attempts_.clear();
    return;
  }
  std::deque<CallbackAttempt> kept;
  for (CallbackAttempt& a : attempts_) {
    if (keep(a)) kept.push_back(std::move(a));
  }
  attempts_.swap(kept);
}

}  // namespace imagine
