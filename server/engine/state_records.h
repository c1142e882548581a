// The records a state directory keeps (--state-dir, server/state/): one JSON object per
// line, its kind in "t"; their format is schemas/state-records.schema.yaml. The engine writes
// them (engine_state.cc, engine.cc) and reads them back in order on start-up (engine_replay.cc,
// after engine/state_record_schema.h has checked each against the schema); this file holds
// the codecs of the parts records share (a task, a charge), each field written once for both
// directions. Stateless; thread-safe.
#ifndef IMAGINE_ENGINE_STATE_RECORDS_H_
#define IMAGINE_ENGINE_STATE_RECORDS_H_

#include <cstdint>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/accounts.h"
#include "engine/task.h"

namespace imagine {

// The format version a snapshot's header names. 2 writes objects where 1 wrote positional
// arrays (the schema's x-legacy); a state directory of either version is read.
constexpr int kStateFormatVersion = 2;

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

// Every field of a task but its Scheduler timer (a run-time detail, armed again on restore):
// the schema's Task.
nlohmann::json TaskToStateJson(const Task& task);
// The task of a record the schema accepted (CheckStateRecord): reads what the schema vouches
// for and checks what it cannot say (a known provider, stage boundaries that do not
// decrease). kInvalidArgument names the field; a field missing or of the wrong type (a record
// not checked first) is refused too, never read unchecked.
StatusOr<Task> TaskFromStateJson(const nlohmann::json& j);

// What a create charged (the schema's Charge), and back; the account is not part of it.
nlohmann::json ChargeToStateJson(const Accounts::Ticket& charge);
// Throws std::exception for a field missing or of the wrong type.
Accounts::Ticket ChargeFromStateJson(const nlohmann::json& j);

// TaskState by its name (TaskStateName), false when `name` is none.
bool TaskStateFromName(const std::string& name, TaskState* out);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_STATE_RECORDS_H_
