#include "spec/parameters.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace imagine {
namespace {

// `text` as the JSON value its schema type asks for, or as a string when it does not read as one.
nlohmann::json Typed(const std::string& type, const std::string& text) {
  if (type == "integer") {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0' && errno == 0 && text.find_first_of(" \t+") == std::string::npos) return v;
  } else if (type == "number") {
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (!text.empty() && *end == '\0' && std::isfinite(v)) return v;
  } else if (type == "boolean") {
    if (text == "true") return true;
    if (text == "false") return false;
  }
  return text;
}

}  // namespace

StatusOr<nlohmann::json> ReadQueryParameters(const OpenApiOperation& op, const QueryLookup& query) {
  nlohmann::json out = nlohmann::json::object();
  for (const OpenApiParameter& p : op.parameters) {
    if (p.in != "query") continue;
    std::optional<std::string> text = query(p.name);
    if (!text) {
      if (p.required) return InvalidArgument("is required", Violation{"/" + p.name, "required", ""});
      if (!p.default_value.is_null()) out[p.name] = p.default_value;
      continue;
    }
    nlohmann::json value = Typed(p.type, *text);
    if (p.schema != nullptr) {
      std::vector<spec::ValidationError> errors;
      if (!p.schema->Validate(value, &errors) && !errors.empty()) {
        const spec::ValidationError& e = errors.front();
        return InvalidArgument(e.message, Violation{"/" + p.name + e.pointer, e.keyword, e.value});
      }
    }
    out[p.name] = std::move(value);
  }
  return out;
}

}  // namespace imagine
