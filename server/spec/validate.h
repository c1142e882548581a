// ValidateAgainst: a compiled schema's verdict on a JSON value as a Status, the form the
// request flow, the control API and the config reader all want. Stateless; thread-safe.
#ifndef IMAGINE_SPEC_VALIDATE_H_
#define IMAGINE_SPEC_VALIDATE_H_

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "spec/json_schema.h"

namespace imagine {

// Validates `body` against `schema`, applying defaults when it passes and, when
// `reject_unknown_fields`, refusing fields the schema does not declare. On failure returns
// kInvalidArgument carrying the first violation (pointer, keyword as rule, value) and
// leaves `body` as it was.
Status ValidateAgainst(const spec::Validator& schema, nlohmann::json& body, bool reject_unknown_fields);

}  // namespace imagine

#endif  // IMAGINE_SPEC_VALIDATE_H_
