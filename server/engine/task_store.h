// TaskStore: every task of both providers, by id. Thread-safe: the map is split into
// shards, each with its own mutex held only for the map operation itself (never across
// I/O or rendering), so concurrent clients rarely contend.
#ifndef IMAGINE_ENGINE_TASK_STORE_H_
#define IMAGINE_ENGINE_TASK_STORE_H_

#include <array>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/task.h"

namespace imagine {

class TaskStore {
 public:
  // Adds `task`. False (store unchanged) when a task with the same id exists.
  bool Insert(Task task);
  // A copy of the task, or nullopt.
  std::optional<Task> Get(std::string_view id) const;
  // Runs `fn` on the stored task under its shard lock; false when absent. `fn` must be
  // quick and must not call back into the store.
  bool Update(std::string_view id, const std::function<void(Task&)>& fn);
  size_t size() const;
  // Calls `fn` on every task, shard by shard under each shard's lock; `fn` must be quick.
  void ForEach(const std::function<void(const Task&)>& fn) const;
  // Removes the tasks for which `pred` is true; returns how many.
  size_t RemoveIf(const std::function<bool(const Task&)>& pred);

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    mutable std::mutex mu;  // protects tasks
    std::unordered_map<std::string, Task> tasks;
  };
  Shard& ShardFor(std::string_view id) const;

  mutable std::array<Shard, kShards> shards_;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_TASK_STORE_H_
