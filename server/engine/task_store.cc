#include "engine/task_store.h"

namespace imagine {

TaskStore::Shard& TaskStore::ShardFor(std::string_view id) const {
  return shards_[std::hash<std::string_view>{}(id) % kShards];
}

bool TaskStore::Insert(Task task) {
  Shard& shard = ShardFor(task.id);
  std::lock_guard<std::mutex> lock(shard.mu);
  std::string key = task.id;
  return shard.tasks.emplace(std::move(key), std::move(task)).second;
}

std::optional<Task> TaskStore::Get(std::string_view id) const {
  Shard& shard = ShardFor(id);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.tasks.find(std::string(id));
  if (it == shard.tasks.end()) return std::nullopt;
  return it->second;
}

bool TaskStore::Update(std::string_view id, const std::function<void(Task&)>& fn) {
  Shard& shard = ShardFor(id);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.tasks.find(std::string(id));
  if (it == shard.tasks.end()) return false;
  fn(it->second);
  return true;
}

void TaskStore::ForEach(const std::function<void(const Task&)>& fn) const {
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (const auto& [id, task] : s.tasks) fn(task);
  }
}

size_t TaskStore::RemoveIf(const std::function<bool(const Task&)>& pred) {
  size_t removed = 0;
  for (Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto it = s.tasks.begin(); it != s.tasks.end();) {
      if (pred(it->second)) {
        it = s.tasks.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  return removed;
}

size_t TaskStore::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.tasks.size();
  }
  return n;
}

}  // namespace imagine
