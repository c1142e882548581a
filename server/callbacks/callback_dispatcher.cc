#include "callbacks/callback_dispatcher.h"

#include <algorithm>
#include <utility>

#include "common/log.h"

namespace imagine {
namespace {

CallbackOptions Clamped(CallbackOptions options) {
  if (options.workers < 1) options.workers = 1;
  if (options.queue_capacity < 1) options.queue_capacity = 1;
  return options;
}

std::unique_ptr<const WebhookSender> SenderFor(const CallbackOptions& options) {
  auto http = std::make_unique<HttpWebhookSender>(
      WebhookSenderOptions{options.verify_tls, options.ca_file, options.own_ports});
  Status ca = http->CheckCaFile();
  if (!ca.ok()) Log(LogLevel::kError, "callbacks: " + ca.message() + "; HTTPS callbacks will fail");
  return http;
}

std::string Describe(const CallbackAttempt& a) {
  if (!a.error.empty()) return a.error;
  return "HTTP " + std::to_string(a.status);
}

void LogAttempt(const CallbackAttempt& a) {
  if (!LogEnabled(LogLevel::kDebug)) return;
  Log(LogLevel::kDebug, "callbacks: task " + a.task_id + " delivery " + std::to_string(a.delivery) + " attempt " +
                            std::to_string(a.attempt) + " to " + a.url + ": " + a.outcome +
                            (a.outcome == kOutcomeDropped ? std::string() : " (" + Describe(a) + ")") +
                            (a.will_retry ? ", will retry" : ""));
}

void LogGaveUp(const CallbackAttempt& a) {
  Log(LogLevel::kInfo, "callbacks: gave up on task " + a.task_id + " delivery " + std::to_string(a.delivery) +
                           " to " + a.url + " after " + std::to_string(a.attempt) + " attempt(s): " +
                           (a.outcome == kOutcomeForcedFailure ? "forced failure" : Describe(a)));
}

}  // namespace

Status CheckCallbackOptions(const CallbackOptions& options) {
  if (options.workers < 1) return InvalidArgument("callbacks: workers must be >= 1");
  if (options.queue_capacity < 1) return InvalidArgument("callbacks: queue_capacity must be >= 1");
  return HttpWebhookSender(WebhookSenderOptions{options.verify_tls, options.ca_file, {}}).CheckCaFile();
}

CallbackDispatcher::CallbackDispatcher(CallbackOptions options, const Clock* clock, Timers* scheduler,
                                       std::unique_ptr<const WebhookSender> sender)
    : options_(Clamped(std::move(options))),
      clock_(clock),
      sender_(sender != nullptr ? std::move(sender) : SenderFor(options_)),
      record_(options_.max_recorded_attempts),
      queue_(options_.queue_capacity, options_.workers),
      timers_(scheduler, [this](WorkItem item) { queue_.Push(std::move(item)); }) {}

CallbackDispatcher::~CallbackDispatcher() { Shutdown(); }

bool CallbackDispatcher::Submit(CallbackRequest request) {
  auto shared = std::make_shared<const CallbackRequest>(std::move(request));
  const FairQueue::Admission admission = queue_.Admit(shared->key);
  if (admission.verdict != FairQueue::Verdict::kAdmitted) {
    LogRefused(*shared, admission);
    return false;
  }
  EnsureWorkers();  // before any work of this submission can be queued (now or by a timer)
  const int64_t due = clock_->NowMs() + std::max<int64_t>(0, shared->faults.delay_ms);
  Start(CallbackDelivery{std::move(shared), 1, 1, due});
  return true;
}

void CallbackDispatcher::EnsureWorkers() {
  if (workers_started_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(shutdown_mu_);
  if (workers_closed_) return;  // started by another Submit, or shut down (the queue drops the work)
  workers_closed_ = true;
  workers_.reserve(static_cast<size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  workers_started_.store(true, std::memory_order_release);
}

void CallbackDispatcher::Start(CallbackDelivery first) {
  // Refused by a stopped DeliveryTimers only during Shutdown(), which counts the submission
  // as abandoned.
  const WebhookFaults& faults = first.request->faults;
  if (faults.out_of_order) {
    timers_.Batch(std::move(first));
  } else if (faults.delay_ms > 0) {
    timers_.At(std::move(first));
  } else {
    queue_.Push(WorkItem{std::move(first)});
  }
}

void CallbackDispatcher::LogRefused(const CallbackRequest& r, const FairQueue::Admission& admission) const {
  const std::string refused = " (refused so far: " + std::to_string(admission.refused) + ")";
  if (admission.verdict == FairQueue::Verdict::kStopped) {
    Log(LogLevel::kWarn, "callbacks: refused callback for task " + r.task_id + " to " + r.url +
                             ": the dispatcher is shut down" + refused);
    return;
  }
  Log(LogLevel::kWarn, "callbacks: queue full (" + std::to_string(admission.pending) + " pending, capacity " +
                           std::to_string(options_.queue_capacity) + ", and this key holds its fair share); " +
                           "refused callback for task " + r.task_id + " to " + r.url + refused);
}

void CallbackDispatcher::WorkerLoop() {
  WorkItem item;
  while (queue_.Take(&item)) {
    for (const CallbackDelivery& d : item) {
      if (queue_.stopped()) break;  // the rest of a batch is abandoned with its submissions
      RunDelivery(d);
    }
    queue_.Done(KeyOf(item));
  }
}

void CallbackDispatcher::RunDelivery(const CallbackDelivery& d) {
  const AttemptPlan plan{d.delivery, d.attempt, NowFor(d.due_ms)};
  AttemptResult result = MakeCallbackAttempt(*d.request, plan, *sender_, &in_flight_);
  CallbackAttempt& a = result.attempt;
  a.will_retry = result.retry_allowed && !queue_.stopped();
  record_.Add(&a);
  LogAttempt(a);
  record_.Notify(a);  // no lock held
  FollowUp(d, result);
}

void CallbackDispatcher::FollowUp(const CallbackDelivery& d, const AttemptResult& result) {
  if (queue_.stopped()) return;  // the submission stays pending and is counted as abandoned
  const CallbackAttempt& a = result.attempt;
  const int64_t now_ms = NowFor(a.sent_at_ms);
  if (a.will_retry) {
    timers_.At(CallbackDelivery{d.request, d.delivery, d.attempt + 1, now_ms + result.retry_delay_ms});
    return;
  }
  record_.CountDeliveryEnd(a.outcome);
  if (d.request->faults.duplicate && d.delivery == 1) {
    queue_.Push(WorkItem{CallbackDelivery{d.request, 2, 1, now_ms}});
  } else {
    queue_.Release(d.request->key);
  }
  if (result.failed) LogGaveUp(a);
}

std::vector<InFlightAttempt> CallbackDispatcher::InFlight(std::string_view task_id) const {
  return in_flight_.List(task_id);
}

std::vector<CallbackAttempt> CallbackDispatcher::Attempts(std::string_view task_id) const {
  return record_.List(task_id);
}

void CallbackDispatcher::ClearAttempts(const std::function<bool(const CallbackAttempt&)>& keep) {
  record_.Clear(keep);
}

void CallbackDispatcher::SetObserver(std::function<void(const CallbackAttempt&)> observer) {
  record_.SetObserver(std::move(observer));
}

CallbackDispatcher::Stats CallbackDispatcher::stats() const {
  const FairQueue::Counts q = queue_.counts();
  const AttemptRecord::Counts r = record_.counts();
  Stats s;
  s.submitted = q.submitted;
  s.delivered = r.delivered;
  s.failed_deliveries = r.failed_deliveries;
  s.attempts = r.attempts;
  s.rejected_queue_full = q.rejected_queue_full;
  s.dropped_by_fault = r.dropped_by_fault;
  s.attempts_evicted = r.attempts_evicted;
  s.queued = q.queued;
  s.rejected_shut_down = q.rejected_shut_down;
  s.abandoned = q.abandoned;
  s.in_flight = q.in_flight;
  s.waiting = timers_.waiting();
  s.pending = q.pending;
  return s;
}

bool CallbackDispatcher::WaitIdle(std::chrono::milliseconds timeout) const { return queue_.WaitIdle(timeout); }

void CallbackDispatcher::Shutdown() {
  const size_t abandoned = queue_.Stop();  // refuses Submit, wakes the idle workers
  timers_.Stop();                          // after this no timer reaches us; one running now finishes first
  {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    workers_closed_ = true;  // a Submit admitted just before Stop() starts no worker now
    for (std::thread& worker : workers_) {
      if (worker.joinable()) worker.join();  // each finishes its current attempt first
    }
    workers_.clear();
  }
  if (abandoned > 0) {
    Log(LogLevel::kInfo, "callbacks: shut down with " + std::to_string(abandoned) +
                             " undelivered callback(s) abandoned");
  }
}

}  // namespace imagine
