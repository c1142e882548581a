// TaskStore: every task of both providers, by id, bounded. Thread-safe: the records are
// split into shards, each with its own mutex held only for the operation itself (never
// across I/O or rendering), so concurrent clients rarely contend.
//
// Memory: each task is a compact StoredTask (stored_task.h) in a chunked slot array;
// the id index points into the record. At most `max_stored` tasks are kept: a new task
// evicts the task that finished earliest (terminal at the insert's now, its last state
// report done); running tasks are never evicted, and when only running tasks are left,
// Insert answers kFull. Evictions are counted.
//
// Counters kept as records change (no scans): tasks by provider and last reported state
// (Task::notified), and every task in insertion order for newest-first listing.
#ifndef IMAGINE_ENGINE_TASK_STORE_H_
#define IMAGINE_ENGINE_TASK_STORE_H_

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/stored_task.h"
#include "engine/task.h"

namespace imagine {

constexpr size_t kDefaultMaxStoredTasks = 1'000'000;

// A stored task seen without copying it (listing, counting); valid only inside the visit.
struct TaskView {
  std::string_view id;
  std::string_view owner_key;
  std::string_view model;
  Provider provider;
  const Timeline& timeline;
};

class TaskStore {
 public:
  explicit TaskStore(size_t max_stored = kDefaultMaxStoredTasks);
  ~TaskStore();

  enum class InsertResult { kInserted, kDuplicate, kFull };
  // Adds `task`, evicting finished tasks (terminal at `now_ms`) if the store is full.
  InsertResult Insert(Task task, int64_t now_ms);
  // True when an Insert at `now_ms` finds room (evicting a finished task now if the store
  // is full); false when only running tasks are left, so a caller can refuse before
  // charging anything.
  bool MakeRoom(int64_t now_ms);
  // A copy of the task, or nullopt.
  std::optional<Task> Get(std::string_view id) const;
  // Runs `fn` on a copy of the stored task under its shard lock and stores the result;
  // false when absent. `fn` must be quick and must not call back into the store.
  bool Update(std::string_view id, const std::function<void(Task&)>& fn);
  // Sets the task's Scheduler timer without copying the task; false when absent.
  bool SetWatchTimer(std::string_view id, uint64_t timer);
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  size_t max_stored() const { return max_stored_; }
  uint64_t evicted() const { return evicted_.load(std::memory_order_relaxed); }
  // Calls `fn` on every task, shard by shard under each shard's lock; `fn` must be quick.
  void ForEach(const std::function<void(const Task&)>& fn) const;
  // Visits tasks newest first (insertion order) until `fn` returns false.
  void VisitNewestFirst(const std::function<bool(const TaskView&)>& fn) const;
  // Removes the tasks for which `pred` is true; returns how many.
  size_t RemoveIf(const std::function<bool(const Task&)>& pred);
  // Removes task `id`; false when absent.
  bool Remove(std::string_view id);
  // Calls `fn` on a copy of every task, oldest first (insertion order); `fn` must be quick
  // and must not call back into the store.
  void ForEachOldestFirst(const std::function<void(const Task&)>& fn) const;
  // Told the id of each task an insert evicts, before it goes (under the store's locks:
  // `fn` must be quick and must not call back into the store). Set once, before use.
  void SetEvictionListener(std::function<void(std::string_view id)> fn) { on_evict_ = std::move(fn); }

  // Stored tasks by provider and last reported state ([provider][TaskState]).
  std::array<std::array<uint64_t, kTaskStateCount>, 2> CountByNotified() const;
  // Stored tasks of one key / one model name.
  size_t CountOfKey(std::string_view key) const;
  size_t CountOfModel(std::string_view model) const;

 private:
  static constexpr size_t kShards = 64;
  static constexpr uint32_t kShardBits = 6;
  static constexpr uint32_t kChunk = 1024;  // slots per chunk

  struct Shard {
    mutable std::mutex mu;  // protects everything below
    std::vector<std::unique_ptr<StoredTask[]>> chunks;
    std::vector<uint32_t> free_slots;
    uint32_t slot_count = 0;
    std::unordered_map<std::string_view, uint32_t> index;  // id (in the record's blob) -> slot
    InternTable keys;
    InternTable models;
    StoredTask& At(uint32_t slot) const { return chunks[slot / kChunk][slot % kChunk]; }
  };
  // An eviction candidate: a task's finish time and where it lives (shard and slot, gen).
  struct Candidate {
    int64_t finished_ms;
    uint32_t handle;
    uint32_t gen;
    bool operator>(const Candidate& o) const { return finished_ms > o.finished_ms; }
  };
  struct Handle {
    uint32_t handle;
    uint32_t gen;
  };

  Shard& ShardFor(std::string_view id) const;
  // Tasks whose interned `table` entry is `name`, over every shard.
  size_t CountUsers(InternTable Shard::*table, std::string_view name) const;
  size_t ShardIndex(std::string_view id) const;
  // Removes the record in `slot` of `shard` (lock held).
  void EraseLocked(Shard& shard, uint32_t slot);
  // Evicts one evictable task; false when none is.
  bool EvictOne(int64_t now_ms);
  void AddCandidate(int64_t finished_ms, uint32_t handle, uint32_t gen);
  void CountNotified(Provider p, TaskState s, int delta);
  // Drops stale entries from order_ once they outnumber the live ones. Requires order_mu_.
  void CompactOrderLocked();
  // The record a handle names if it still holds generation `gen` (its shard lock held).
  const StoredTask* Resolve(Shard& shard, uint32_t slot, uint32_t gen) const;

  const size_t max_stored_;
  std::function<void(std::string_view id)> on_evict_;
  mutable std::array<Shard, kShards> shards_;
  std::atomic<size_t> size_{0};
  std::atomic<uint64_t> evicted_{0};
  std::array<std::array<std::atomic<int64_t>, kTaskStateCount>, 2> by_notified_{};

  std::mutex evict_mu_;  // protects candidates_
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> candidates_;

  mutable std::mutex order_mu_;  // protects order_; taken before a shard lock, never after
  std::deque<Handle> order_;     // every insert, oldest first; removed tasks linger as stale
  std::atomic<size_t> stale_{0};  // stale entries in order_
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_TASK_STORE_H_
