// Task: the one provider-neutral record of a generation job, shared by both dialects.
// A task's state is not stored; it is derived from its Timeline and the clock ("moto
// computes status when asked"), so a million idle tasks cost no timers and no threads.
// Plain value types; TaskStore guards concurrent access.
#ifndef IMAGINE_ENGINE_TASK_H_
#define IMAGINE_ENGINE_TASK_H_

#include <cassert>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/provider.h"

namespace imagine {


// Neutral lifecycle. Apikley shows these as waiting/queuing/generating/success/fail;
// Evolink as pending (waiting+queuing)/processing/completed/failed.
enum class TaskState : uint8_t { kWaiting, kQueuing, kGenerating, kSucceeded, kFailed };
constexpr size_t kTaskStateCount = 5;
const char* TaskStateName(TaskState s);
inline bool IsTerminal(TaskState s) { return s == TaskState::kSucceeded || s == TaskState::kFailed; }

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

// The states a task entered, in order, with the time each was entered: at most one per
// stage, so held inline (a state report makes one per timer fired: no allocation).
class StateSteps {
 public:
  using Step = std::pair<TaskState, int64_t>;
  static constexpr size_t kMax = 4;  // waiting, queuing, generating, an outcome
  void push_back(Step step) {  // precondition: size() < kMax
    assert(size_ < kMax);
    steps_[size_++] = step;
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const Step& back() const { return steps_[size_ - 1]; }
  const Step* begin() const { return steps_; }
  const Step* end() const { return steps_ + size_; }

 private:
  Step steps_[kMax] = {};
  size_t size_ = 0;
};

// When the task enters each state (emulated epoch ms). Boundaries are non-decreasing;
// finished_ms == kNever means the task never ends (a stuck task).
struct Timeline {
  int64_t created_ms = 0;
  int64_t queuing_ms = 0;
  int64_t generating_ms = 0;
  int64_t finished_ms = 0;
  TaskState outcome = TaskState::kSucceeded;  // kSucceeded or kFailed, reached at finished_ms

  TaskState StateAt(int64_t now_ms) const;
  // Time of the last transition at or before now (the task's updateTime).
  int64_t UpdatedAt(int64_t now_ms) const;
  // 0–100: 0 before generating, rising linearly while generating (at most 99), 100 on success, 0 on failure.
  int ProgressAt(int64_t now_ms) const;
  // The states entered up to `now_ms`, in order, with the time each was entered. A stage
  // that lasted no time (e.g. generating for a task that failed while queued) is skipped.
  StateSteps Visited(int64_t now_ms) const;
  // When the first state after `state` is entered (kNever if never).
  int64_t NextBoundaryAfter(TaskState state) const;
  // The stage order of a state: waiting 0, queuing 1, generating 2, terminal 3.
  static int StageIndex(TaskState state);
};

enum class MediaKind : uint8_t { kVideo, kImage };

// What a successful task produces.
struct OutputSpec {
  MediaKind kind = MediaKind::kVideo;
  int count = 1;         // number of result files (6 for Grok text-to-image)
  int quality_p = 480;   // video height: 480 or 720
  int duration_s = 6;    // video length: 6 or 10
  bool upscaled = false;  // an upscale result
};

struct Task {
  std::string id;
  Provider provider;
  std::string owner_key;     // the API key that created it; other keys cannot see it
  std::string model;         // model name as the provider reports it
  std::string request_json;  // the accepted request, defaults applied, compact JSON (Apikley's `param`)
  std::string callback_url;  // "" when none
  OutputSpec output;
  Timeline timeline;
  // When timeline.outcome == kFailed: the neutral reason (each dialect words it) and
  // optional provider-specific overrides.
  std::string fail_reason;
  std::string fail_code;
  std::string fail_message;
  double credits = 0;        // price reserved at creation
  std::string scenario;      // armed scenario name ("" = none), for the journal and admin API
  std::vector<int> progress_script;  // Evolink progress values through generating ("" = linear)
  int not_ready_polls = 0;   // status queries still to answer "not found yet"
  bool results_expired = false;  // result links answer 404 from the start
  std::string callback_faults;   // X-Emulator-Callback given at creation ("" = the key profile's)
  TaskState notified = TaskState::kWaiting;  // last state journaled and counted
  uint64_t watch_timer = 0;                  // Scheduler timer of the next report; 0 = none
  uint64_t ticket = 0;  // the credit reservation that charged it (Accounts::Ticket::id), which keeps no copy of the
                        // id; 0 = none known. Not in state records: a replayed create takes it from its charge, a
                        // snapshot's task from its key's account record (Accounts::TakeRestoredTicket).
};

// Told when a task reaches its terminal state (success or failure), at the emulated time
// it did — what sends its callback. Called from the scheduler's timer thread or a request
// thread (admin actions), never while the engine holds a lock and never during a create;
// implementations must be thread-safe and quick (no network I/O).
class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  virtual void OnTaskFinished(const Task& task, int64_t at_ms) = 0;
};

}  // namespace imagine

#endif  // IMAGINE_ENGINE_TASK_H_
