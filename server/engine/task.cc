#include "engine/task.h"

#include <algorithm>

namespace imagine {

const char* ProviderName(Provider p) { return p == Provider::kApikley ? "apikley" : "evolink"; }

const char* TaskStateName(TaskState s) {
  switch (s) {
    case TaskState::kWaiting: return "waiting";
    case TaskState::kQueuing: return "queuing";
    case TaskState::kGenerating: return "generating";
    case TaskState::kSucceeded: return "succeeded";
    case TaskState::kFailed: return "failed";
  }
  return "?";
}

TaskState Timeline::StateAt(int64_t now_ms) const {
  if (now_ms >= finished_ms) return outcome;
  if (now_ms >= generating_ms) return TaskState::kGenerating;
  if (now_ms >= queuing_ms) return TaskState::kQueuing;
  return TaskState::kWaiting;
}

int64_t Timeline::UpdatedAt(int64_t now_ms) const {
  if (now_ms >= finished_ms) return finished_ms;
  if (now_ms >= generating_ms) return generating_ms;
  if (now_ms >= queuing_ms) return queuing_ms;
  return created_ms;
}

int Timeline::ProgressAt(int64_t now_ms) const {
  TaskState s = StateAt(now_ms);
  if (s == TaskState::kSucceeded) return 100;
  if (s != TaskState::kGenerating) return 0;
  if (finished_ms == kNever) return 50;  // stuck: parked half-way
  int64_t span = std::max<int64_t>(1, finished_ms - generating_ms);
  int64_t p = (now_ms - generating_ms) * 100 / span;
  return static_cast<int>(std::clamp<int64_t>(p, 0, 99));
}

}  // namespace imagine
