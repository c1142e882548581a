#include "spec/validate.h"

namespace imagine {

Status ValidateAgainst(const spec::Validator& schema, nlohmann::json& body, bool reject_unknown_fields) {
  std::vector<spec::ValidationError> errors;
  spec::ValidateOptions options;
  options.apply_defaults = true;
  options.reject_unknown_properties = reject_unknown_fields;
  if (schema.Validate(body, &errors, options)) return Status::Ok();
  if (errors.empty()) return InvalidArgument("request body is invalid", Violation{"", "schema", ""});
  const spec::ValidationError& e = errors.front();
  return InvalidArgument(e.message, Violation{e.pointer, e.keyword, e.value});
}

}  // namespace imagine
