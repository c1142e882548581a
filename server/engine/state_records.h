// The records a state directory keeps (--state-dir, server/state/): one JSON object per
// line, its kind in "t". The engine writes them (engine_state.cc) and reads them back in
// order on start-up; this file holds the task codec they share. The format is versioned by
// the snapshot header (kStateFormatVersion); README "State that survives" lists the kinds.
// Stateless; thread-safe.
#ifndef IMAGINE_ENGINE_STATE_RECORDS_H_
#define IMAGINE_ENGINE_STATE_RECORDS_H_

#include <cstdint>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/task.h"

namespace imagine {

constexpr int kStateFormatVersion = 1;

// A record's integer field: a JSON integer (never a fraction or an exponent form, whose
// conversion could overflow) within T's range; throws std::invalid_argument otherwise. The
// readers catch std::exception and name the record.
template <typename T>
T StateInteger(const nlohmann::json& j) {
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) throw std::invalid_argument("integer out of range");
    return static_cast<T>(v);
  }
  if (j.is_number_integer()) {
    const int64_t v = j.get<int64_t>();
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        (v > 0 && static_cast<uint64_t>(v) > static_cast<uint64_t>(std::numeric_limits<T>::max()))) {
      throw std::invalid_argument("integer out of range");
    }
    return static_cast<T>(v);
  }
  throw std::invalid_argument("not an integer");
}
// A record's number field, finite and within [-1e15, 1e15].
double StateNumber(const nlohmann::json& j);
// Throws std::invalid_argument unless every number in `j` (a key profile or a scenario rule,
// read by the config's converters) is an integer or a number within [-2^31, 2^31).
void CheckStateNumbers(const nlohmann::json& j);

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
