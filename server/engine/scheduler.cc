#include "engine/scheduler.h"

namespace imagine {

Scheduler::Scheduler(Clock* clock) : clock_(clock) {
  if (!clock_->is_virtual()) thread_ = std::thread([this] { RunRealLoop(); });
}

Scheduler::~Scheduler() { Shutdown(); }

bool Scheduler::WakeForLocked(int64_t due_ms) {
  if (due_ms >= sleeps_until_) return false;
  sleeps_until_ = kAwake;  // one wake-up is enough: the thread recomputes its deadline
  return true;
}

Scheduler::TimerId Scheduler::ScheduleAt(int64_t due_ms, std::function<void()> fn) {
  TimerId id;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_seq_++;
    queue_.push(Entry{due_ms, id, 0});
    fns_.emplace(id, std::move(fn));
    wake = WakeForLocked(due_ms);
  }
  if (wake) cv_.notify_one();
  return id;
}

Scheduler::TimerId Scheduler::ScheduleLaneAt(int64_t due_ms, uint64_t payload) {
  TimerId id;
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_seq_++ | kLaneBit;
    queue_.push(Entry{due_ms, id, payload});
    ++lane_queued_;
    wake = WakeForLocked(due_ms);
  }
  if (wake) cv_.notify_one();
  return id;
}

bool Scheduler::Cancel(TimerId id) {
  std::lock_guard<std::mutex> lock(mu_);
  if ((id & kLaneBit) == 0) return fns_.erase(id) > 0;  // the queue entry is skipped when popped
  // A lane id below next_seq_ that is not firing is still queued: lane timers leave the
  // queue only by firing, and a fired one's owner no longer holds its id.
  if (id == lane_firing_ || (id & ~kLaneBit) >= next_seq_ || lane_cancelled_.size() >= lane_queued_) return false;
  return lane_cancelled_.insert(id).second;
}

bool Scheduler::PopDueLocked(int64_t limit_ms, Due* due) {
  while (!queue_.empty()) {
    const Entry top = queue_.top();
    if ((top.seq & kLaneBit) != 0) {
      if (lane_cancelled_.erase(top.seq) > 0) {
        queue_.pop();
        --lane_queued_;
        continue;
      }
      if (top.due_ms > limit_ms) return false;
      queue_.pop();
      --lane_queued_;
      due->entry = top;
      lane_firing_ = top.seq;
      return true;
    }
    auto it = fns_.find(top.seq);
    if (it == fns_.end()) {  // cancelled
      queue_.pop();
      continue;
    }
    if (top.due_ms > limit_ms) return false;
    queue_.pop();
    due->entry = top;
    due->fn = std::move(it->second);
    fns_.erase(it);
    return true;
  }
  return false;
}

void Scheduler::Fire(Due& due) {
  if (due.fn) {
    due.fn();
    return;
  }
  const bool found = !lane_ || lane_(due.entry.payload);
  std::lock_guard<std::mutex> lock(mu_);
  lane_firing_ = 0;
  if (firing_forgotten_) {
    firing_forgotten_ = false;  // forgotten while it ran: it was never counted
  } else if (!found && lane_forgotten_ > 0) {
    --lane_forgotten_;  // a forgotten one has left the queue
  }
}

void Scheduler::Forget(TimerId id) {
  if ((id & kLaneBit) == 0) {
    Cancel(id);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if ((id & ~kLaneBit) >= next_seq_) return;
  if (id == lane_firing_) {
    firing_forgotten_ = true;  // already out of the queue; its lane call finds nothing, or found it before
    return;
  }
  ++lane_forgotten_;
}

Status Scheduler::Advance(int64_t ms) {
  auto* vclock = dynamic_cast<VirtualClock*>(clock_);
  if (vclock == nullptr) return Status(Code::kFailedPrecondition, "the clock is real; only a virtual clock can be advanced");
  if (ms < 0) return InvalidArgument("seconds must be >= 0");
  std::lock_guard<std::mutex> advance_lock(advance_mu_);
  const int64_t target = vclock->NowMs() + ms;
  for (;;) {
    Due due;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || !PopDueLocked(target, &due)) break;
    }
    vclock->MoveForwardTo(due.entry.due_ms);
    Fire(due);
  }
  vclock->MoveForwardTo(target);
  return Status::Ok();
}

void Scheduler::Wake() {
  {
    // Under mu_, so that a thread between reading the clock's scale for its deadline and
    // waiting cannot miss it; and marked awake, so that the next timer need not wake it.
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_until_ = kAwake;
  }
  cv_.notify_all();
}

size_t Scheduler::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Cancelled and forgotten lane timers are still queued.
  const size_t gone = lane_cancelled_.size() + lane_forgotten_;
  return fns_.size() + (lane_queued_ > gone ? lane_queued_ - gone : 0);
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
    Due due;
    if (PopDueLocked(clock_->NowMs(), &due)) {
      lock.unlock();
      Fire(due);
      lock.lock();
      continue;
    }
    if (queue_.empty()) {
      sleeps_until_ = kAsleep;
      cv_.wait(lock);
    } else {
      sleeps_until_ = queue_.top().due_ms;
      cv_.wait_until(lock, rclock->RealDeadlineFor(sleeps_until_));
    }
    sleeps_until_ = kAwake;
  }
}

}  // namespace imagine
