#include "engine/scheduler.h"

namespace imagine {

Scheduler::Scheduler(Clock* clock) : clock_(clock) {
  if (!clock_->is_virtual()) thread_ = std::thread([this] { RunRealLoop(); });
}

Scheduler::~Scheduler() { Shutdown(); }

Scheduler::TimerId Scheduler::ScheduleAt(int64_t due_ms, std::function<void()> fn) {
  TimerId id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_seq_++;
    queue_.push(Entry{due_ms, id});
    fns_.emplace(id, std::move(fn));
  }
  cv_.notify_one();
  return id;
}

bool Scheduler::Cancel(TimerId id) {
  std::lock_guard<std::mutex> lock(mu_);
  return fns_.erase(id) > 0;  // the queue entry is skipped when popped
}

bool Scheduler::PopDueLocked(int64_t limit_ms, Entry* entry, std::function<void()>* fn) {
  while (!queue_.empty()) {
    Entry top = queue_.top();
    auto it = fns_.find(top.seq);
    if (it == fns_.end()) {  // cancelled
      queue_.pop();
      continue;
    }
    if (top.due_ms > limit_ms) return false;
    queue_.pop();
    *entry = top;
    *fn = std::move(it->second);
    fns_.erase(it);
    return true;
  }
  return false;
}

Status Scheduler::Advance(int64_t ms) {
  auto* vclock = dynamic_cast<VirtualClock*>(clock_);
  if (vclock == nullptr) return Status(Code::kFailedPrecondition, "the clock is real; only a virtual clock can be advanced");
  if (ms < 0) return InvalidArgument("seconds must be >= 0");
  std::lock_guard<std::mutex> advance_lock(advance_mu_);
  const int64_t target = vclock->NowMs() + ms;
  for (;;) {
    Entry entry{};
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || !PopDueLocked(target, &entry, &fn)) break;
    }
    vclock->MoveForwardTo(entry.due_ms);
    fn();
  }
  vclock->MoveForwardTo(target);
  return Status::Ok();
}

void Scheduler::Wake() { cv_.notify_all(); }

size_t Scheduler::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fns_.size();
}

void Scheduler::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::RunRealLoop() {
  auto* rclock = static_cast<RealClock*>(clock_);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    Entry entry{};
    std::function<void()> fn;
    if (PopDueLocked(clock_->NowMs(), &entry, &fn)) {
      lock.unlock();
      fn();
      lock.lock();
      continue;
    }
    if (queue_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, rclock->RealDeadlineFor(queue_.top().due_ms));
    }
  }
}

}  // namespace imagine
