#include "engine/task.h"

#include <doctest/doctest.h>

namespace imagine {

TEST_CASE("Timeline derives state, update time and progress from the clock") {
  Timeline t;
  t.created_ms = 1000;
  t.queuing_ms = 2000;
  t.generating_ms = 4000;
  t.finished_ms = 14000;
  t.outcome = TaskState::kSucceeded;
  struct Row {
    int64_t now;
    TaskState state;
    int64_t updated;
    int progress;
  };
  const Row rows[] = {
      {1000, TaskState::kWaiting, 1000, 0},      {1999, TaskState::kWaiting, 1000, 0},
      {2000, TaskState::kQueuing, 2000, 0},      {3999, TaskState::kQueuing, 2000, 0},
      {4000, TaskState::kGenerating, 4000, 0},   {9000, TaskState::kGenerating, 4000, 50},
      {13999, TaskState::kGenerating, 4000, 99}, {14000, TaskState::kSucceeded, 14000, 100},
      {99999, TaskState::kSucceeded, 14000, 100},
  };
  for (const Row& r : rows) {
    INFO("now=" << r.now);
    CHECK(t.StateAt(r.now) == r.state);
    CHECK(t.UpdatedAt(r.now) == r.updated);
    CHECK(t.ProgressAt(r.now) == r.progress);
  }
}

TEST_CASE("a failed timeline ends in kFailed with progress 0, a stuck one never ends") {
  Timeline t{0, 10, 20, 30, TaskState::kFailed};
  CHECK(t.StateAt(29) == TaskState::kGenerating);
  CHECK(t.StateAt(30) == TaskState::kFailed);
  CHECK(t.ProgressAt(30) == 0);
  Timeline stuck{0, 10, 20, kNever, TaskState::kSucceeded};
  CHECK(stuck.StateAt(int64_t(1) << 60) == TaskState::kGenerating);
  CHECK(stuck.ProgressAt(1000) == 50);
}

TEST_CASE("state and provider names") {
  CHECK(std::string(TaskStateName(TaskState::kQueuing)) == "queuing");
  CHECK(std::string(ProviderName(InternProvider("evolink"))) == "evolink");
  CHECK(IsTerminal(TaskState::kFailed));
  CHECK_FALSE(IsTerminal(TaskState::kGenerating));
}

}  // namespace imagine
