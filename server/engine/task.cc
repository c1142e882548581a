#include "engine/task.h"

#include <algorithm>

namespace imagine {

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

namespace {
constexpr int kStageCount = 4;
}  // namespace

int Timeline::StageIndex(TaskState s) {
  switch (s) {
    case TaskState::kWaiting: return 0;
    case TaskState::kQueuing: return 1;
    case TaskState::kGenerating: return 2;
    default: return 3;
  }
}

StateSteps Timeline::Visited(int64_t now_ms) const {
  static_assert(kStageCount <= StateSteps::kMax, "a step per stage");
  const int64_t bounds[kStageCount] = {created_ms, queuing_ms, generating_ms, finished_ms};
  const TaskState states[kStageCount] = {TaskState::kWaiting, TaskState::kQueuing, TaskState::kGenerating, outcome};
  StateSteps out;
  for (int j = 0; j < kStageCount; ++j) {
    if (bounds[j] > now_ms) break;
    if (j < kStageCount - 1 && bounds[j] >= bounds[j + 1]) continue;  // a stage that lasted no time
    out.push_back({states[j], bounds[j]});
  }
  return out;
}

int64_t Timeline::NextBoundaryAfter(TaskState state) const {
  const int64_t bounds[kStageCount] = {created_ms, queuing_ms, generating_ms, finished_ms};
  for (int j = StageIndex(state) + 1; j < kStageCount; ++j) {
    if (j == kStageCount - 1 || bounds[j] < bounds[j + 1]) return bounds[j];
  }
  return kNever;
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
