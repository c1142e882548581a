// The records a state directory keeps (--state-dir, server/state/): one JSON object per
// line, its kind in "t". The engine writes them (engine_state.cc) and reads them back in
// order on start-up; this file holds the task codec they share. The format is versioned by
// the snapshot header (kStateFormatVersion); README "State that survives" lists the kinds.
// Stateless; thread-safe.
#ifndef IMAGINE_ENGINE_STATE_RECORDS_H_
#define IMAGINE_ENGINE_STATE_RECORDS_H_

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/task.h"

namespace imagine {

constexpr int kStateFormatVersion = 1;

// Every field of a task but its Scheduler timer (a run-time detail, armed again on restore).
nlohmann::json TaskToStateJson(const Task& task);
// kInvalidArgument naming the first field that is missing or of the wrong type.
StatusOr<Task> TaskFromStateJson(const nlohmann::json& j);

// An instant a record may name (0 to the year 2286).
bool StateInstantInRange(int64_t ms);

// TaskState by its name (TaskStateName), false when `name` is none.
bool TaskStateFromName(const std::string& name, TaskState* out);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_STATE_RECORDS_H_
