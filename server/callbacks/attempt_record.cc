#include "callbacks/attempt_record.h"

#include <exception>
#include <utility>

#include "common/log.h"

namespace imagine {

void AttemptRecord::Add(CallbackAttempt* attempt) {
  std::lock_guard<std::mutex> lock(mu_);
  attempt->seq = next_seq_++;
  ++counts_.attempts;
  if (capacity_ == 0) {
    ++counts_.attempts_evicted;
    return;
  }
  if (attempts_.size() >= capacity_) {
    attempts_.pop_front();
    ++counts_.attempts_evicted;
  }
  attempts_.push_back(*attempt);
}

std::vector<CallbackAttempt> AttemptRecord::List(std::string_view task_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CallbackAttempt> out;
  for (const CallbackAttempt& a : attempts_) {
    if (task_id.empty() || a.task_id == task_id) out.push_back(a);
  }
  return out;
}

void AttemptRecord::Clear(const std::function<bool(const CallbackAttempt&)>& keep) {
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

void AttemptRecord::SetObserver(Observer observer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (observer) {
    observer_ = std::make_shared<const Observer>(std::move(observer));
  } else {
    observer_.reset();
  }
}

void AttemptRecord::Notify(const CallbackAttempt& attempt) const {
  std::shared_ptr<const Observer> observer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    observer = observer_;
  }
  if (!observer) return;
  try {
    (*observer)(attempt);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, std::string("callbacks: attempt observer threw: ") + e.what());
  } catch (...) {
    Log(LogLevel::kError, "callbacks: attempt observer threw a non-standard exception");
  }
}

void AttemptRecord::CountDeliveryEnd(const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  if (outcome == kOutcomeDelivered) {
    ++counts_.delivered;
  } else if (outcome == kOutcomeDropped) {
    ++counts_.dropped_by_fault;
  } else {
    ++counts_.failed_deliveries;
  }
}

AttemptRecord::Counts AttemptRecord::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

}  // namespace imagine
