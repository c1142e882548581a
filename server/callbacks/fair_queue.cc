#include "callbacks/fair_queue.h"

#include <utility>

namespace imagine {

FairQueue::FairQueue(size_t capacity, int workers)
    : capacity_(capacity), per_key_workers_(static_cast<size_t>(PerKeyWorkers(workers))) {}

FairQueue::Admission FairQueue::Admit(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  Admission a;
  a.pending = counts_.pending;
  if (stopped_) {
    a.verdict = Verdict::kStopped;
    a.refused = ++counts_.rejected_shut_down;
  } else if (!AdmitsLocked(key)) {
    a.verdict = Verdict::kFull;
    a.refused = ++counts_.rejected_queue_full;
  } else {
    ++counts_.pending;
    ++pending_by_key_[key];
    ++counts_.submitted;
  }
  return a;
}

bool FairQueue::AdmitsLocked(const std::string& key) const {
  if (counts_.pending < capacity_) return true;
  if (counts_.pending >= 2 * capacity_) return false;
  auto mine = pending_by_key_.find(key);
  const size_t held = mine == pending_by_key_.end() ? 0 : mine->second;
  const size_t keys = pending_by_key_.size() + (held == 0 ? 1 : 0);
  return held < capacity_ / keys;
}

void FairQueue::Release(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto held = pending_by_key_.find(key);
  if (stopped_ || held == pending_by_key_.end()) return;
  --counts_.pending;
  if (--held->second == 0) pending_by_key_.erase(held);
}

void FairQueue::Push(WorkItem item) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  counts_.queued += item.size();
  const std::string key = KeyOf(item);
  std::deque<WorkItem>& q = ready_[key];
  if (q.empty()) rotation_.push_back(key);
  q.push_back(std::move(item));
  work_cv_.notify_one();
}

bool FairQueue::Take(WorkItem* item) {
  std::unique_lock<std::mutex> lock(mu_);
  work_cv_.wait(lock, [&] { return stopped_ || TakeLocked(item); });
  return !stopped_;
}

bool FairQueue::TakeLocked(WorkItem* item) {
  for (auto it = rotation_.begin(); it != rotation_.end(); ++it) {
    auto busy = busy_by_key_.find(*it);
    if (busy != busy_by_key_.end() && busy->second >= per_key_workers_) continue;
    const std::string key = *it;
    rotation_.erase(it);
    auto q = ready_.find(key);
    *item = std::move(q->second.front());
    q->second.pop_front();
    if (q->second.empty()) {
      ready_.erase(q);
    } else {
      rotation_.push_back(key);  // its next item waits for the other keys' turns
    }
    ++busy_by_key_[key];
    counts_.queued -= item->size();
    ++counts_.in_flight;
    return true;
  }
  return false;
}

void FairQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  --counts_.in_flight;
  if (auto busy = busy_by_key_.find(key); busy != busy_by_key_.end() && --busy->second == 0) busy_by_key_.erase(busy);
  if (!ready_.empty()) work_cv_.notify_all();  // the key may have another item waiting for a worker
  if (IdleLocked()) idle_cv_.notify_all();
}

bool FairQueue::stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

bool FairQueue::WaitIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_cv_.wait_for(lock, timeout, [this] { return IdleLocked(); });
}

size_t FairQueue::Stop() {
  size_t abandoned = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return 0;
    stopped_ = true;
    abandoned = counts_.pending;
    counts_.abandoned += abandoned;
    counts_.pending = 0;
    counts_.queued = 0;
    pending_by_key_.clear();
    ready_.clear();
    rotation_.clear();
  }
  work_cv_.notify_all();
  idle_cv_.notify_all();
  return abandoned;
}

FairQueue::Counts FairQueue::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

}  // namespace imagine
