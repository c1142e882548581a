#include "engine/stored_task.h"

#include <cstring>
#include <type_traits>

#include "engine/packed_fields.h"

namespace imagine {

uint32_t InternTable::Acquire(std::string_view s) {
  auto it = ids_.find(std::string(s));
  if (it != ids_.end()) {
    ++users_[it->second];
    return it->second;
  }
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(names_.size());
    names_.push_back(nullptr);
    users_.push_back(0);
  }
  auto inserted = ids_.emplace(std::string(s), id).first;
  names_[id] = &inserted->first;
  users_[id] = 1;
  return id;
}

void InternTable::Release(uint32_t id) {
  if (id >= users_.size() || users_[id] == 0) return;
  if (--users_[id] > 0) return;
  ids_.erase(*names_[id]);
  names_[id] = nullptr;
  free_.push_back(id);
}

uint32_t InternTable::UsersOf(std::string_view s) const {
  uint32_t id;
  return Find(s, &id) ? users_[id] : 0;
}

bool InternTable::Find(std::string_view s, uint32_t* id) const {
  auto it = ids_.find(std::string(s));
  if (it == ids_.end()) return false;
  *id = it->second;
  return true;
}

namespace {

// The fields TaskExtras keeps out of line, as (Task's member, TaskExtras's member): the one
// list that NeedsExtras, EncodeMutable, DecodeTask and VariableBytes go through.
template <typename F>
void ForEachExtra(F&& f) {
  f(&Task::fail_reason, &TaskExtras::fail_reason);
  f(&Task::fail_code, &TaskExtras::fail_code);
  f(&Task::fail_message, &TaskExtras::fail_message);
  f(&Task::scenario, &TaskExtras::scenario);
  f(&Task::progress_script, &TaskExtras::progress_script);
  f(&Task::not_ready_polls, &TaskExtras::not_ready_polls);
  f(&Task::results_expired, &TaskExtras::results_expired);
}

// The Task strings packed in the blob, in part order (StoredTask::id() is part 0, ...).
constexpr std::string Task::*kPackedParts[StoredTask::kParts] = {&Task::id, &Task::request_json, &Task::callback_url,
                                                                  &Task::callback_faults};

// The heap bytes a member holds beyond its own size.
size_t HeapBytes(const std::string& s) { return s.size(); }
size_t HeapBytes(const std::vector<int>& v) { return v.size() * sizeof(int); }
size_t HeapBytes(int) { return 0; }
size_t HeapBytes(bool) { return 0; }

std::unique_ptr<char[]> MakeBlob(const Task& t) {
  size_t bytes = 0;
  for (auto part : kPackedParts) bytes += (t.*part).size();
  PackedFieldsWriter w(StoredTask::kParts, bytes);
  for (auto part : kPackedParts) w.Add(t.*part);
  return w.Finish();
}

bool NeedsExtras(const Task& t) {
  bool needed = false;
  ForEachExtra([&](auto member, auto) {
    using Value = std::decay_t<decltype(t.*member)>;
    needed = needed || !(t.*member == Value{});
  });
  return needed;
}

}  // namespace

size_t StoredTask::VariableBytes() const {
  size_t n = 0;
  if (blob) n += static_cast<size_t>(GetU32(blob.get() + (kParts - 1) * 4));  // the end of the last part
  if (extras) {
    n += sizeof(TaskExtras);
    ForEachExtra([&](auto, auto member) { n += HeapBytes(extras.get()->*member); });
  }
  return n;
}

std::string_view StoredTask::Part(int n) const {
  if (!blob) return {};
  return PackedField(blob.get(), kParts, n);
}

bool EncodeMutable(const Task& t, StoredTask* out) {
  out->timeline = t.timeline;
  out->credits = t.credits;
  out->watch_timer = t.watch_timer;
  out->ticket = t.ticket;
  out->output_count = t.output.count;
  out->quality_p = t.output.quality_p;
  out->duration_s = t.output.duration_s;
  out->output_kind = t.output.kind;
  out->upscaled = t.output.upscaled;
  out->provider = t.provider;
  out->notified = t.notified;
  if (NeedsExtras(t)) {
    if (!out->extras) out->extras = std::make_unique<TaskExtras>();
    TaskExtras& e = *out->extras;
    ForEachExtra([&](auto task_member, auto extra_member) { e.*extra_member = t.*task_member; });
  } else {
    out->extras.reset();
  }
  for (int n = 0; n < StoredTask::kParts; ++n) {
    if (out->Part(n) != t.*kPackedParts[n]) return true;
  }
  return false;
}

void EncodeTask(const Task& t, InternTable& keys, InternTable& models, StoredTask* out) {
  EncodeMutable(t, out);
  out->blob = MakeBlob(t);
  out->key = keys.Acquire(t.owner_key);
  out->model = models.Acquire(t.model);
  out->used = true;
}

Task DecodeTask(const StoredTask& s, const InternTable& keys, const InternTable& models) {
  Task t;
  for (int n = 0; n < StoredTask::kParts; ++n) t.*kPackedParts[n] = std::string(s.Part(n));
  t.provider = s.provider;
  t.owner_key = std::string(keys.Get(s.key));
  t.model = std::string(models.Get(s.model));
  t.output.kind = s.output_kind;
  t.output.count = s.output_count;
  t.output.quality_p = s.quality_p;
  t.output.duration_s = s.duration_s;
  t.output.upscaled = s.upscaled;
  t.timeline = s.timeline;
  t.credits = s.credits;
  t.notified = s.notified;
  t.watch_timer = s.watch_timer;
  t.ticket = s.ticket;
  if (s.extras) {
    const TaskExtras& e = *s.extras;
    ForEachExtra([&](auto task_member, auto extra_member) { t.*task_member = e.*extra_member; });
  }
  return t;
}

}  // namespace imagine
