// The format of a state directory's records: schemas/state-records.schema.yaml (embedded),
// compiled on first use into one validator per record kind ("<kind>_record") and one per
// positional form of format version 1 (x-legacy). The engine (engine_replay.cc) and the state
// directory (its snapshot header and end line) read every record back through it, so a
// record is refused for the same reasons, in the same words, wherever it stands.
// Thread-safe: the compiled schema is immutable once built.
#ifndef IMAGINE_ENGINE_STATE_RECORD_SCHEMA_H_
#define IMAGINE_ENGINE_STATE_RECORD_SCHEMA_H_

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace imagine {

// The document's resource name, for messages and tests.
inline constexpr const char* kStateRecordSchema = "schemas/state-records.schema.yaml";

// When `record` (of kind `kind`, its "t") holds a positional array where format version 1
// wrote one (x-legacy: a task's charge and timeline, an account's reservations, the
// scenarios' chaos), fills *upgraded with a copy in which each such array, checked against
// its legacy definition, is the object the current format writes, and returns true. Returns
// false, copying nothing, for a record in the current form (or of a kind without legacy
// forms). A legacy array that does not match its definition is refused as CheckStateRecord
// words it.
StatusOr<bool> UpgradeStateRecord(std::string_view kind, const nlohmann::json& record, nlohmann::json* upgraded);

// Checks `record` against the schema of its kind `kind`. On the first violation returns
// kInvalidArgument "<kind>: <what> (field <field>, rule <keyword>, got <value>)" with the
// violation (pointer, keyword, value): <what> is the schema's x-message for that field or the
// validator's words ("a required field is missing", "an unknown field"); "got" is left out
// for a missing field. kInvalidArgument "unknown record kind" for a kind the schema does not
// describe; kInternal when the schema is not embedded or does not compile.
Status CheckStateRecord(std::string_view kind, const nlohmann::json& record);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_STATE_RECORD_SCHEMA_H_
