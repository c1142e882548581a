// TaskStore: every task of both providers, by id, bounded. Thread-safe: the records are
// split into shards, each with its own mutex held only for the operation itself (never
// across I/O or rendering), so concurrent clients rarely contend.
//
// Memory: each task is a compact StoredTask (stored_task.h) in a chunked slot array;
// the id index (task_store_index.h) holds slots and reads the ids from the records. At most `max_stored` tasks, and at most
// `max_bytes` bytes of their variable parts (request bodies, ids, URLs, failure words:
// StoredTask::VariableBytes), are kept: a new task evicts the tasks that finished earliest
// (terminal at the insert's now, their last state report done) until it fits; running
// tasks are never evicted, and when only running tasks are left, Insert answers kFull
// (count) or kFullBytes (bytes). Evictions are counted by reason.
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
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/chunked_heap.h"
#include "engine/stored_task.h"
#include "engine/task.h"
#include "engine/task_store_index.h"

namespace imagine {

constexpr size_t kDefaultMaxStoredTasks = 1'000'000;
constexpr size_t kDefaultMaxStoredBytes = size_t{256} << 20;

// A stored task seen without copying it (listing, counting); valid only inside the visit.
struct TaskView {
  std::string_view id;
  std::string_view owner_key;
  std::string_view model;
  Provider provider;
  const Timeline& timeline;
  uint64_t ticket;  // Task::ticket
};

class TaskStore {
 public:
  explicit TaskStore(size_t max_stored = kDefaultMaxStoredTasks, size_t max_bytes = kDefaultMaxStoredBytes);
  ~TaskStore();

  // kFull: every stored task is running and the store holds max_stored of them; kFullBytes:
  // the task does not fit within max_bytes (every other task is running, or it alone is larger).
  enum class InsertResult { kInserted, kDuplicate, kFull, kFullBytes };
  // Adds `task`, evicting finished tasks (terminal at `now_ms`) until it fits.
  InsertResult Insert(Task task, int64_t now_ms);
  // kInserted when an Insert at `now_ms` of a task holding about `bytes` variable bytes
  // finds room (evicting finished tasks now until it would fit), else kFull or kFullBytes:
  // a caller can refuse before charging anything.
  InsertResult MakeRoom(int64_t now_ms, size_t bytes);
  // The variable bytes a task will hold once stored (StoredTask::VariableBytes of its record).
  static size_t FootprintOf(const Task& task);
  // A copy of the task, or nullopt.
  std::optional<Task> Get(std::string_view id) const;
  // Runs `fn` on a copy of the stored task under its shard lock and stores the result;
  // false when absent. `fn` must be quick and must not call back into the store.
  bool Update(std::string_view id, const std::function<void(Task&)>& fn);
  // Arms the task's state report without copying the task: under its shard lock (so the
  // timer cannot run before it is kept), calls `schedule` with the task's handle (see
  // ReportStates) and the watch_timer it holds now (0 = none; the caller cancels it, so a task
  // never has two chains of reports), and keeps the timer id it returns as the task's
  // watch_timer. False when absent.
  bool ArmWatch(std::string_view id, const std::function<uint64_t(uint64_t handle, uint64_t previous)>& schedule);
  // A state report (Engine::ReportTransitions), made in place under the task's shard lock
  // with no re-encoding: the states its timeline entered by `now_ms` after the one last
  // reported, by stage order, go to *entered and become reported (an admin action may have
  // shrunk an already-reported stage to nothing: it is not replayed). `cancel` gets the
  // task's watch timer if it holds one (the one firing, or one a change armed meanwhile),
  // which is cleared. Returns a copy of the task as it is then; nullopt when it is gone.
  // By ArmWatch's handle (a lane timer firing), or by id (a change's report, which arms its
  // next report with ArmWatch once its states are journaled). By handle, with `rearm` (null:
  // no next report), the next report is armed in the same lock hold, as ArmWatch would:
  // `rearm` gets the handle and the time the next state is entered (not called when none
  // is), and returns the timer id the task keeps.
  using Rearm = std::function<uint64_t(uint64_t handle, int64_t due_ms)>;
  std::optional<Task> ReportStates(uint64_t handle, int64_t now_ms, const std::function<void(uint64_t timer)>& cancel,
                                   const Rearm* rearm, StateSteps* entered);
  std::optional<Task> ReportStates(std::string_view id, int64_t now_ms, const std::function<void(uint64_t timer)>& cancel,
                                   StateSteps* entered);
  size_t size() const { return size_.load(std::memory_order_relaxed); }
  size_t max_stored() const { return max_stored_; }
  size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  size_t max_bytes() const { return max_bytes_; }
  // Finished tasks evicted, in all and those evicted to stay within max_bytes.
  uint64_t evicted() const { return evicted_.load(std::memory_order_relaxed) + evicted_for_bytes_.load(std::memory_order_relaxed); }
  uint64_t evicted_for_bytes() const { return evicted_for_bytes_.load(std::memory_order_relaxed); }
  // Calls `fn` on every task, shard by shard under each shard's lock; `fn` must be quick.
  void ForEach(const std::function<void(const Task&)>& fn) const;
  // Visits tasks newest first (insertion order) until `fn` returns false.
  void VisitNewestFirst(const std::function<bool(const TaskView&)>& fn) const;
  // Removes the tasks for which `pred` is true, given each task's view and the watch timer
  // it holds (0 = none); returns how many. No task is copied, and a shard's lock is let go
  // after every 256 slots, so creates meanwhile wait for a few hundred records at most
  // (a reset of 300 000 tasks held each shard ~10 ms when it decoded every task).
  size_t RemoveIf(const std::function<bool(const TaskView& task, uint64_t watch_timer)>& pred);
  // Removes task `id`; false when absent.
  bool Remove(std::string_view id);
  // Calls `fn` on a copy of every task, oldest first (insertion order); `fn` must be quick
  // and must not call back into the store.
  void ForEachOldestFirst(const std::function<void(const Task&)>& fn) const;
  // Told the id of each task an insert evicts, before it goes (under the store's locks:
  // `fn` must be quick and must not call back into the store). Set once, before use.
  void SetEvictionListener(std::function<void(std::string_view id)> fn) { on_evict_ = std::move(fn); }

  // Stored tasks by provider and last reported state ([provider][TaskState]).
  std::array<std::array<uint64_t, kTaskStateCount>, kMaxProviders> CountByNotified() const;
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
    SlotIndex index;  // id (read from the record's blob) -> slot
    InternTable keys;
    InternTable models;
    StoredTask& At(uint32_t slot) const { return chunks[slot / kChunk][slot % kChunk]; }
    // The slot of task `id`, or SlotIndex::kNone.
    uint32_t Find(std::string_view id) const {
      return index.Find(id, [this](uint32_t slot) { return At(slot).id(); });
    }
    void Unindex(std::string_view id) {
      index.Erase(id, [this](uint32_t slot) { return At(slot).id(); });
    }
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
  // Evicts one evictable task, counted as for bytes or for the count; false when none is.
  bool EvictOne(int64_t now_ms, bool for_bytes);
  // Reserves `bytes` of max_bytes_, evicting as needed; false when it cannot fit.
  bool ClaimBytes(size_t bytes, int64_t now_ms);
  void AddCandidate(int64_t finished_ms, uint32_t handle, uint32_t gen);
  void CountNotified(Provider p, TaskState s, int delta);
  // Drops stale entries from order_ once they outnumber the live ones, a bounded step per
  // call. Requires order_mu_.
  void CompactOrderLocked();
  // The record a handle names if it still holds generation `gen` (its shard lock held).
  const StoredTask* Resolve(Shard& shard, uint32_t slot, uint32_t gen) const;
  // ReportStates' body, on the record at `slot` of `shard` (whose lock the caller holds).
  Task ReportLocked(size_t shard_index, uint32_t slot, int64_t now_ms, const std::function<void(uint64_t timer)>& cancel,
                    const Rearm* rearm, StateSteps* entered);

  const size_t max_stored_;
  const size_t max_bytes_;
  std::function<void(std::string_view id)> on_evict_;
  mutable std::array<Shard, kShards> shards_;
  std::atomic<size_t> size_{0};
  std::atomic<size_t> bytes_{0};  // sum of the records' VariableBytes (and claims in flight)
  std::atomic<uint64_t> evicted_{0};            // to stay within max_stored
  std::atomic<uint64_t> evicted_for_bytes_{0};  // to stay within max_bytes
  std::array<std::array<std::atomic<int64_t>, kTaskStateCount>, kMaxProviders> by_notified_{};

  std::mutex evict_mu_;  // protects candidates_
  // A heap over a deque: growing it never copies the 100 000s of candidates (a vector did, in one insert).
  ChunkedHeap<Candidate, std::greater<Candidate>> candidates_;

  mutable std::mutex order_mu_;  // protects order_; taken before a shard lock, never after
  std::deque<Handle> order_;     // every insert, oldest first; removed tasks linger as stale
  // A rebuild of order_ without its stale entries, made a step at a time (CompactOrderLocked):
  // order_[0, compact_end_) is being copied into compact_kept_, up to compact_next_. Under order_mu_.
  bool compacting_ = false;
  size_t compact_next_ = 0;
  size_t compact_end_ = 0;
  size_t compact_dropped_ = 0;
  std::deque<Handle> compact_kept_;
  std::atomic<size_t> stale_{0};  // stale entries in order_
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_TASK_STORE_H_
