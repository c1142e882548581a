#include "callbacks/delivery_timers.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace imagine {

struct DeliveryTimers::State : std::enable_shared_from_this<DeliveryTimers::State> {
  explicit State(Ready r) : ready(std::move(r)) {}

  // Runs `fire` (with mu held) when the clock reaches `due_ms`, unless Stop() came first.
  // Requires mu held: then the timer cannot fire before its token is in `live`.
  void ScheduleLocked(Scheduler* scheduler, int64_t due_ms, std::function<void(State&)> fire) {
    const uint64_t token = next_token++;
    Scheduler::TimerId id = scheduler->ScheduleAt(
        due_ms, [self = shared_from_this(), token, fire = std::move(fire)] { self->Fire(token, fire); });
    live.emplace(token, id);
  }

  void Fire(uint64_t token, const std::function<void(State&)>& fire) {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;
    live.erase(token);
    fire(*this);
  }

  // Hands the batch due at `due_ms` over, the last added delivery first. Requires mu held.
  void CloseBatchLocked(int64_t due_ms) {
    auto it = batches.find(due_ms);
    if (it == batches.end()) return;
    WorkItem reversed(it->second.rbegin(), it->second.rend());
    batches.erase(it);
    waiting -= reversed.size();
    ready(std::move(reversed));
  }

  const Ready ready;
  mutable std::mutex mu;  // protects every field below; held while a timer fires
  bool stopped = false;
  std::unordered_map<uint64_t, Scheduler::TimerId> live;  // pending timers by token
  uint64_t next_token = 1;
  std::map<int64_t, WorkItem> batches;  // open out_of_order batches by due instant, in adding order
  size_t waiting = 0;                   // deliveries behind a timer or in an open batch
};

DeliveryTimers::DeliveryTimers(Scheduler* scheduler, Ready ready)
    : scheduler_(scheduler), state_(std::make_shared<State>(std::move(ready))) {}

DeliveryTimers::~DeliveryTimers() { Stop(); }

bool DeliveryTimers::At(CallbackDelivery delivery) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->stopped) return false;
  ++state_->waiting;
  const int64_t due_ms = delivery.due_ms;
  state_->ScheduleLocked(scheduler_, due_ms, [delivery = std::move(delivery)](State& s) {
    --s.waiting;
    s.ready(WorkItem{delivery});
  });
  return true;
}

bool DeliveryTimers::Batch(CallbackDelivery delivery) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->stopped) return false;
  const int64_t due_ms = delivery.due_ms;
  auto [it, opened] = state_->batches.try_emplace(due_ms);
  it->second.push_back(std::move(delivery));
  ++state_->waiting;
  if (opened) state_->ScheduleLocked(scheduler_, due_ms, [due_ms](State& s) { s.CloseBatchLocked(due_ms); });
  return true;
}

size_t DeliveryTimers::waiting() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->waiting;
}

void DeliveryTimers::Stop() {
  std::vector<Scheduler::TimerId> ids;
  {
    std::lock_guard<std::mutex> lock(state_->mu);  // waits for a timer firing now
    if (state_->stopped) return;
    state_->stopped = true;
    for (const auto& entry : state_->live) ids.push_back(entry.second);
    state_->live.clear();
    state_->batches.clear();
    state_->waiting = 0;
  }
  for (Scheduler::TimerId id : ids) scheduler_->Cancel(id);
}

}  // namespace imagine
