// StoredTask: how TaskStore keeps a Task in memory — about a hundred bytes of fixed
// fields, the key and model as numbers into a per-shard intern table, the strings that
// never change after creation (id, request, callback URL, callback faults) in one heap
// block, and the fields few tasks use (failure words, scenario effects) out of line.
// Task stays the value type everyone else sees; Encode/Decode convert.
// Not thread-safe on its own: TaskStore's shard lock guards a shard's records and table.
#ifndef IMAGINE_ENGINE_STORED_TASK_H_
#define IMAGINE_ENGINE_STORED_TASK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/task.h"

namespace imagine {

// Strings shared by many tasks (API keys, model names), each kept once with a count of
// its users; a string is forgotten when its last user goes.
class InternTable {
 public:
  uint32_t Acquire(std::string_view s);
  void Release(uint32_t id);
  std::string_view Get(uint32_t id) const { return *names_[id]; }
  // Tasks holding `s`, 0 when none.
  uint32_t UsersOf(std::string_view s) const;
  // The id of `s` if some task holds it.
  bool Find(std::string_view s, uint32_t* id) const;
  uint32_t users(uint32_t id) const { return users_[id]; }

 private:
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<const std::string*> names_;  // points at the map's keys (stable)
  std::vector<uint32_t> users_;
  std::vector<uint32_t> free_;
};

// The fields most tasks leave at their defaults.
struct TaskExtras {
  std::string fail_reason;
  std::string fail_code;
  std::string fail_message;
  std::string scenario;
  std::vector<int> progress_script;
  int not_ready_polls = 0;
  bool results_expired = false;
};

struct StoredTask {
  Timeline timeline;
  double credits = 0;
  uint64_t watch_timer = 0;
  uint64_t ticket = 0;  // Task::ticket
  // id, request_json, callback_url, callback_faults in one block (engine/packed_fields.h).
  static constexpr int kParts = 4;
  std::unique_ptr<char[]> blob;
  std::unique_ptr<TaskExtras> extras;  // null = all defaults
  uint32_t key = 0;                    // InternTable ids
  uint32_t model = 0;
  uint32_t gen = 0;                    // bumped each time the slot is reused
  int32_t output_count = 1;
  int32_t quality_p = 480;
  int32_t duration_s = 6;
  Provider provider;
  TaskState notified = TaskState::kWaiting;
  MediaKind output_kind = MediaKind::kVideo;
  bool upscaled = false;
  bool used = false;

  std::string_view id() const { return Part(0); }
  // The bytes this record holds beyond its fixed fields: the packed strings (request body
  // included) and the out-of-line extras. What tasks.max_stored_bytes bounds.
  size_t VariableBytes() const;
  std::string_view request_json() const { return Part(1); }
  std::string_view callback_url() const { return Part(2); }
  std::string_view callback_faults() const { return Part(3); }
  // Packed string n, 0 <= n < kParts (the order is stored_task.cc's kPackedParts); "" before encoding.
  std::string_view Part(int n) const;
};

// Fills `out` from `task`, taking interned ids from `keys` and `models` (the caller releases the
// old ones first when `out` was in use). Keeps out->gen.
void EncodeTask(const Task& task, InternTable& keys, InternTable& models, StoredTask* out);
// The mutable fields only (timeline, failure, scenario effects, notified, timer); true
// when the immutable strings differ too, in which case the caller re-encodes whole.
bool EncodeMutable(const Task& task, StoredTask* out);
Task DecodeTask(const StoredTask& stored, const InternTable& keys, const InternTable& models);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_STORED_TASK_H_
