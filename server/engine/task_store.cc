#include "engine/task_store.h"

namespace imagine {
namespace {
constexpr uint32_t kSlotMask = (1u << 26) - 1;

// A record's handle: its shard in the top 6 bits, its slot below.
uint32_t HandleOf(size_t shard_index, uint32_t slot) { return static_cast<uint32_t>(shard_index << 26) | slot; }
// A lane timer's payload: the handle, then the generation that must still hold the slot.
uint64_t PayloadOf(uint32_t handle, uint32_t gen) { return uint64_t{handle} << 32 | gen; }
}  // namespace

TaskStore::TaskStore(size_t max_stored, size_t max_bytes)
    : max_stored_(max_stored == 0 ? 1 : max_stored), max_bytes_(max_bytes == 0 ? 1 : max_bytes) {}

size_t TaskStore::FootprintOf(const Task& t) {
  size_t n = StoredTask::kParts * 4 + t.id.size() + t.request_json.size() + t.callback_url.size() + t.callback_faults.size();
  const size_t extras = t.fail_reason.size() + t.fail_code.size() + t.fail_message.size() + t.scenario.size() +
                        t.progress_script.size() * sizeof(int);
  if (extras > 0 || t.not_ready_polls != 0 || t.results_expired) n += sizeof(TaskExtras) + extras;
  return n;
}

TaskStore::~TaskStore() = default;

size_t TaskStore::ShardIndex(std::string_view id) const { return std::hash<std::string_view>{}(id) % kShards; }

TaskStore::Shard& TaskStore::ShardFor(std::string_view id) const { return shards_[ShardIndex(id)]; }

void TaskStore::CountNotified(Provider p, TaskState s, int delta) {
  by_notified_[p.index()][static_cast<size_t>(s)].fetch_add(delta, std::memory_order_relaxed);
}

const StoredTask* TaskStore::Resolve(Shard& shard, uint32_t slot, uint32_t gen) const {
  if (slot >= shard.slot_count) return nullptr;
  const StoredTask& s = shard.At(slot);
  return s.used && s.gen == gen ? &s : nullptr;
}

void TaskStore::EraseLocked(Shard& shard, uint32_t slot) {
  StoredTask& s = shard.At(slot);
  bytes_.fetch_sub(s.VariableBytes(), std::memory_order_relaxed);
  shard.Unindex(s.id());
  shard.keys.Release(s.key);
  shard.models.Release(s.model);
  CountNotified(s.provider, s.notified, -1);
  const uint32_t gen = s.gen + 1;
  s = StoredTask{};
  s.gen = gen;
  shard.free_slots.push_back(slot);
  size_.fetch_sub(1, std::memory_order_relaxed);
  stale_.fetch_add(1, std::memory_order_relaxed);
}

void TaskStore::AddCandidate(int64_t finished_ms, uint32_t handle, uint32_t gen) {
  if (finished_ms == kNever) return;  // a stuck task becomes a candidate when an admin action ends it
  std::lock_guard<std::mutex> lock(evict_mu_);
  candidates_.push(Candidate{finished_ms, handle, gen});
}

bool TaskStore::EvictOne(int64_t now_ms, bool for_bytes) {
  std::lock_guard<std::mutex> lock(evict_mu_);
  std::vector<Candidate> pending_report;  // finished, but its last state not reported yet
  bool evicted = false;
  while (!candidates_.empty() && candidates_.top().finished_ms <= now_ms) {
    const Candidate c = candidates_.top();
    candidates_.pop();
    Shard& shard = shards_[c.handle >> 26];
    std::lock_guard<std::mutex> shard_lock(shard.mu);
    const uint32_t slot = c.handle & kSlotMask;
    const StoredTask* s = Resolve(shard, slot, c.gen);
    if (s == nullptr || s->timeline.finished_ms != c.finished_ms) continue;  // gone, or rescheduled
    if (s->watch_timer != 0) {
      pending_report.push_back(c);
      continue;
    }
    if (on_evict_) on_evict_(s->id());
    EraseLocked(shard, slot);
    evicted = true;
    break;
  }
  for (const Candidate& c : pending_report) candidates_.push(c);
  if (evicted) (for_bytes ? evicted_for_bytes_ : evicted_).fetch_add(1, std::memory_order_relaxed);
  return evicted;
}

bool TaskStore::ClaimBytes(size_t bytes, int64_t now_ms) {
  if (bytes > max_bytes_) return false;  // would not fit in an empty store
  for (;;) {
    size_t held = bytes_.load(std::memory_order_relaxed);
    if (held + bytes <= max_bytes_) {
      if (bytes_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed)) return true;
      continue;
    }
    if (!EvictOne(now_ms, /*for_bytes=*/true)) return false;
  }
}

TaskStore::InsertResult TaskStore::MakeRoom(int64_t now_ms, size_t bytes) {
  while (size_.load(std::memory_order_relaxed) >= max_stored_) {
    if (!EvictOne(now_ms, /*for_bytes=*/false)) return InsertResult::kFull;
  }
  if (bytes > max_bytes_) return InsertResult::kFullBytes;
  while (bytes_.load(std::memory_order_relaxed) + bytes > max_bytes_) {
    if (!EvictOne(now_ms, /*for_bytes=*/true)) return InsertResult::kFullBytes;
  }
  return InsertResult::kInserted;
}

TaskStore::InsertResult TaskStore::Insert(Task task, int64_t now_ms) {
  // Claim a place first, so concurrent inserts never take the store past its bound.
  for (;;) {
    size_t n = size_.load(std::memory_order_relaxed);
    if (n < max_stored_) {
      if (size_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) break;
      continue;
    }
    if (!EvictOne(now_ms, /*for_bytes=*/false)) return InsertResult::kFull;
  }
  const size_t claimed = FootprintOf(task);
  if (!ClaimBytes(claimed, now_ms)) {
    size_.fetch_sub(1, std::memory_order_relaxed);
    return InsertResult::kFullBytes;
  }
  const size_t shard_index = ShardIndex(task.id);
  Shard& shard = shards_[shard_index];
  uint32_t handle, gen;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    if (shard.Find(task.id) != SlotIndex::kNone) {
      size_.fetch_sub(1, std::memory_order_relaxed);
      bytes_.fetch_sub(claimed, std::memory_order_relaxed);
      return InsertResult::kDuplicate;
    }
    uint32_t slot;
    if (!shard.free_slots.empty()) {
      slot = shard.free_slots.back();
      shard.free_slots.pop_back();
    } else {
      slot = shard.slot_count++;
      if (slot / kChunk >= shard.chunks.size()) shard.chunks.emplace_back(new StoredTask[kChunk]);
    }
    StoredTask& s = shard.At(slot);
    EncodeTask(task, shard.keys, shard.models, &s);
    bytes_.fetch_add(s.VariableBytes() - claimed, std::memory_order_relaxed);  // exact (wraps back if smaller)
    shard.index.Insert(s.id(), slot);
    CountNotified(s.provider, s.notified, +1);
    handle = HandleOf(shard_index, slot);
    gen = s.gen;
  }
  AddCandidate(task.timeline.finished_ms, handle, gen);
  std::lock_guard<std::mutex> lock(order_mu_);
  order_.push_back(Handle{handle, gen});
  CompactOrderLocked();
  return InsertResult::kInserted;
}

void TaskStore::CompactOrderLocked() {
  // Bounded work per call (an insert's, or a removal's): a reset of 300 000 tasks left that
  // many stale entries, and the next create rebuilt the whole deque under order_mu_ (26 ms of
  // one create's CPU in bench_create_stall --reset). A rebuild now runs kStep entries a call;
  // meanwhile order_ keeps every entry (readers skip stale ones, as always).
  constexpr size_t kStep = 512;
  if (!compacting_) {
    for (size_t n = 0; n < kStep && !order_.empty(); ++n) {  // the oldest go first: eviction takes them from the front
      Shard& shard = shards_[order_.front().handle >> 26];
      std::lock_guard<std::mutex> lock(shard.mu);
      if (Resolve(shard, order_.front().handle & kSlotMask, order_.front().gen) != nullptr) break;
      order_.pop_front();
      stale_.fetch_sub(1, std::memory_order_relaxed);
    }
    const size_t stale = stale_.load(std::memory_order_relaxed);
    if (stale < 1024 || stale * 2 < order_.size()) return;
    compacting_ = true;
    compact_next_ = 0;
    compact_end_ = order_.size();  // what is pushed meanwhile is appended whole at the end
    compact_dropped_ = 0;
  }
  const size_t stop = std::min(compact_end_, compact_next_ + kStep);
  for (; compact_next_ < stop; ++compact_next_) {
    const Handle h = order_[compact_next_];
    Shard& shard = shards_[h.handle >> 26];
    std::lock_guard<std::mutex> lock(shard.mu);
    if (Resolve(shard, h.handle & kSlotMask, h.gen) != nullptr) {
      compact_kept_.push_back(h);
    } else {
      ++compact_dropped_;
    }
  }
  if (compact_next_ < compact_end_) return;
  compact_kept_.insert(compact_kept_.end(), order_.begin() + static_cast<std::ptrdiff_t>(compact_end_), order_.end());
  order_.swap(compact_kept_);
  std::deque<Handle>().swap(compact_kept_);
  stale_.fetch_sub(std::min(compact_dropped_, stale_.load(std::memory_order_relaxed)), std::memory_order_relaxed);
  compacting_ = false;
}

std::optional<Task> TaskStore::Get(std::string_view id) const {
  Shard& shard = ShardFor(id);
  std::lock_guard<std::mutex> lock(shard.mu);
  const uint32_t slot = shard.Find(id);
  if (slot == SlotIndex::kNone) return std::nullopt;
  return DecodeTask(shard.At(slot), shard.keys, shard.models);
}

bool TaskStore::Update(std::string_view id, const std::function<void(Task&)>& fn) {
  const size_t shard_index = ShardIndex(id);
  Shard& shard = shards_[shard_index];
  int64_t new_finish = kNever;
  uint32_t handle = 0, gen = 0;
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    const uint32_t slot = shard.Find(id);
    if (slot == SlotIndex::kNone) return false;
    StoredTask& s = shard.At(slot);
    const size_t old_bytes = s.VariableBytes();
    Task t = DecodeTask(s, shard.keys, shard.models);
    fn(t);
    const int64_t old_finish = s.timeline.finished_ms;
    const TaskState old_notified = s.notified;
    const Provider old_provider = s.provider;
    const bool strings_changed = t.owner_key != shard.keys.Get(s.key) || t.model != shard.models.Get(s.model);
    if (EncodeMutable(t, &s) || strings_changed) {
      shard.Unindex(s.id());
      shard.keys.Release(s.key);
      shard.models.Release(s.model);
      EncodeTask(t, shard.keys, shard.models, &s);
      shard.index.Insert(s.id(), slot);
    }
    bytes_.fetch_add(s.VariableBytes() - old_bytes, std::memory_order_relaxed);  // may shrink (wraps back)
    if (old_notified != s.notified || old_provider != s.provider) {
      CountNotified(old_provider, old_notified, -1);
      CountNotified(s.provider, s.notified, +1);
    }
    if (s.timeline.finished_ms == old_finish) return true;
    new_finish = s.timeline.finished_ms;
    handle = HandleOf(shard_index, slot);
    gen = s.gen;
  }
  AddCandidate(new_finish, handle, gen);
  return true;
}

bool TaskStore::ArmWatch(std::string_view id,
                         const std::function<uint64_t(uint64_t handle, uint64_t previous)>& schedule) {
  const size_t shard_index = ShardIndex(id);
  Shard& shard = shards_[shard_index];
  std::lock_guard<std::mutex> lock(shard.mu);
  const uint32_t slot = shard.Find(id);
  if (slot == SlotIndex::kNone) return false;
  StoredTask& s = shard.At(slot);
  s.watch_timer = schedule(PayloadOf(HandleOf(shard_index, slot), s.gen), s.watch_timer);
  return true;
}

Task TaskStore::ReportLocked(size_t shard_index, uint32_t slot, int64_t now_ms,
                             const std::function<void(uint64_t timer)>& cancel, const Rearm* rearm,
                             StateSteps* entered) {
  Shard& shard = shards_[shard_index];
  StoredTask& s = shard.At(slot);
  const int reported = Timeline::StageIndex(s.notified);
  for (const auto& step : s.timeline.Visited(now_ms)) {
    if (Timeline::StageIndex(step.first) > reported) entered->push_back(step);
  }
  if (!entered->empty() && entered->back().first != s.notified) {
    CountNotified(s.provider, s.notified, -1);
    s.notified = entered->back().first;
    CountNotified(s.provider, s.notified, +1);
  }
  if (s.watch_timer != 0) cancel(s.watch_timer);
  s.watch_timer = 0;
  const int64_t next = rearm != nullptr ? s.timeline.NextBoundaryAfter(s.notified) : kNever;
  if (next != kNever) s.watch_timer = (*rearm)(PayloadOf(HandleOf(shard_index, slot), s.gen), next);
  return DecodeTask(s, shard.keys, shard.models);
}

std::optional<Task> TaskStore::ReportStates(uint64_t packed, int64_t now_ms,
                                            const std::function<void(uint64_t timer)>& cancel, const Rearm* rearm,
                                            StateSteps* entered) {
  const uint32_t handle = static_cast<uint32_t>(packed >> 32);
  Shard& shard = shards_[handle >> 26];
  std::lock_guard<std::mutex> lock(shard.mu);
  if (Resolve(shard, handle & kSlotMask, static_cast<uint32_t>(packed)) == nullptr) return std::nullopt;
  return ReportLocked(handle >> 26, handle & kSlotMask, now_ms, cancel, rearm, entered);
}

std::optional<Task> TaskStore::ReportStates(std::string_view id, int64_t now_ms,
                                            const std::function<void(uint64_t timer)>& cancel, StateSteps* entered) {
  const size_t shard_index = ShardIndex(id);
  Shard& shard = shards_[shard_index];
  std::lock_guard<std::mutex> lock(shard.mu);
  const uint32_t slot = shard.Find(id);
  if (slot == SlotIndex::kNone) return std::nullopt;
  return ReportLocked(shard_index, slot, now_ms, cancel, nullptr, entered);
}

void TaskStore::ForEach(const std::function<void(const Task&)>& fn) const {
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (uint32_t slot = 0; slot < s.slot_count; ++slot) {
      if (s.At(slot).used) fn(DecodeTask(s.At(slot), s.keys, s.models));
    }
  }
}

void TaskStore::VisitNewestFirst(const std::function<bool(const TaskView&)>& fn) const {
  std::lock_guard<std::mutex> lock(order_mu_);
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    Shard& shard = shards_[it->handle >> 26];
    std::lock_guard<std::mutex> shard_lock(shard.mu);
    const StoredTask* s = Resolve(shard, it->handle & kSlotMask, it->gen);
    if (s == nullptr) continue;
    if (!fn(TaskView{s->id(), shard.keys.Get(s->key), shard.models.Get(s->model), s->provider, s->timeline, s->ticket})) return;
  }
}

size_t TaskStore::RemoveIf(const std::function<bool(const TaskView& task, uint64_t watch_timer)>& pred) {
  constexpr uint32_t kSlotsPerHold = 256;
  size_t removed = 0;
  for (Shard& s : shards_) {
    for (uint32_t from = 0;; from += kSlotsPerHold) {
      std::lock_guard<std::mutex> lock(s.mu);
      if (from >= s.slot_count) break;
      const uint32_t to = std::min(s.slot_count, from + kSlotsPerHold);
      for (uint32_t slot = from; slot < to; ++slot) {
        const StoredTask& t = s.At(slot);
        if (!t.used) continue;
        const TaskView view{t.id(), s.keys.Get(t.key), s.models.Get(t.model), t.provider, t.timeline, t.ticket};
        if (!pred(view, t.watch_timer)) continue;
        EraseLocked(s, slot);
        ++removed;
      }
    }
  }
  if (removed > 0) {
    std::lock_guard<std::mutex> lock(order_mu_);
    CompactOrderLocked();
  }
  return removed;
}

bool TaskStore::Remove(std::string_view id) {
  {
    Shard& shard = ShardFor(id);
    std::lock_guard<std::mutex> lock(shard.mu);
    const uint32_t slot = shard.Find(id);
    if (slot == SlotIndex::kNone) return false;
    EraseLocked(shard, slot);
  }
  std::lock_guard<std::mutex> lock(order_mu_);
  CompactOrderLocked();
  return true;
}

void TaskStore::ForEachOldestFirst(const std::function<void(const Task&)>& fn) const {
  std::lock_guard<std::mutex> lock(order_mu_);
  for (const Handle& h : order_) {
    Shard& shard = shards_[h.handle >> 26];
    std::lock_guard<std::mutex> shard_lock(shard.mu);
    const StoredTask* s = Resolve(shard, h.handle & kSlotMask, h.gen);
    if (s != nullptr) fn(DecodeTask(*s, shard.keys, shard.models));
  }
}

std::array<std::array<uint64_t, kTaskStateCount>, kMaxProviders> TaskStore::CountByNotified() const {
  std::array<std::array<uint64_t, kTaskStateCount>, kMaxProviders> out{};
  for (size_t p = 0; p < kMaxProviders; ++p) {
    for (size_t s = 0; s < kTaskStateCount; ++s) {
      out[p][s] = static_cast<uint64_t>(std::max<int64_t>(0, by_notified_[p][s].load(std::memory_order_relaxed)));
    }
  }
  return out;
}

size_t TaskStore::CountOfKey(std::string_view key) const { return CountUsers(&Shard::keys, key); }

size_t TaskStore::CountOfModel(std::string_view model) const { return CountUsers(&Shard::models, model); }

size_t TaskStore::CountUsers(InternTable Shard::*table, std::string_view name) const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += (s.*table).UsersOf(name);
  }
  return n;
}

}  // namespace imagine
