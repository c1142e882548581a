#include "engine/stored_task.h"

#include <cstring>

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

size_t StoredTask::VariableBytes() const {
  size_t n = 0;
  if (blob) n += static_cast<size_t>(GetU32(blob.get() + (kParts - 1) * 4));  // the end of the last part
  if (extras) {
    n += sizeof(TaskExtras) + extras->fail_reason.size() + extras->fail_code.size() + extras->fail_message.size() +
         extras->scenario.size() + extras->progress_script.size() * sizeof(int);
  }
  return n;
}

std::string_view StoredTask::Part(int n) const {
  if (!blob) return {};
  return PackedField(blob.get(), kParts, n);
}

namespace {

std::unique_ptr<char[]> MakeBlob(const Task& t) {
  const std::string* parts[StoredTask::kParts] = {&t.id, &t.request_json, &t.callback_url, &t.callback_faults};
  size_t bytes = 0;
  for (const std::string* p : parts) bytes += p->size();
  PackedFieldsWriter w(StoredTask::kParts, bytes);
  for (const std::string* p : parts) w.Add(*p);
  return w.Finish();
}

bool NeedsExtras(const Task& t) {
  return !t.fail_reason.empty() || !t.fail_code.empty() || !t.fail_message.empty() || !t.scenario.empty() ||
         !t.progress_script.empty() || t.not_ready_polls != 0 || t.results_expired;
}

}  // namespace

bool EncodeMutable(const Task& t, StoredTask* out) {
  out->timeline = t.timeline;
  out->credits = t.credits;
  out->watch_timer = t.watch_timer;
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
    e.fail_reason = t.fail_reason;
    e.fail_code = t.fail_code;
    e.fail_message = t.fail_message;
    e.scenario = t.scenario;
    e.progress_script = t.progress_script;
    e.not_ready_polls = t.not_ready_polls;
    e.results_expired = t.results_expired;
  } else {
    out->extras.reset();
  }
  return out->id() != t.id || out->request_json() != t.request_json || out->callback_url() != t.callback_url ||
         out->callback_faults() != t.callback_faults;
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
  t.id = std::string(s.id());
  t.provider = s.provider;
  t.owner_key = std::string(keys.Get(s.key));
  t.model = std::string(models.Get(s.model));
  t.request_json = std::string(s.request_json());
  t.callback_url = std::string(s.callback_url());
  t.output.kind = s.output_kind;
  t.output.count = s.output_count;
  t.output.quality_p = s.quality_p;
  t.output.duration_s = s.duration_s;
  t.output.upscaled = s.upscaled;
  t.timeline = s.timeline;
  t.credits = s.credits;
  t.callback_faults = std::string(s.callback_faults());
  t.notified = s.notified;
  t.watch_timer = s.watch_timer;
  if (s.extras) {
    const TaskExtras& e = *s.extras;
    t.fail_reason = e.fail_reason;
    t.fail_code = e.fail_code;
    t.fail_message = e.fail_message;
    t.scenario = e.scenario;
    t.progress_script = e.progress_script;
    t.not_ready_polls = e.not_ready_polls;
    t.results_expired = e.results_expired;
  }
  return t;
}

}  // namespace imagine
