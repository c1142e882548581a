#include "http/self_check.h"

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/text.h"
#include "http/api_surface.h"

namespace imagine {

std::string SelfCheck::Check(const ApiSurface& surface, std::string_view operation_id, const ApiResponse& response) {
  // Only JSON bodies have schemas (metrics, JSON lines and the dashboard page do not).
  if (response.content_type.rfind("application/json", 0) != 0) return "";
  checked_.fetch_add(1, std::memory_order_relaxed);
  std::string problem;
  auto schema = surface.ResponseSchema(operation_id, response);
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (schema == nullptr) {
    problem = "the spec declares no JSON response for HTTP " + std::to_string(response.status);
  } else if (body.is_discarded()) {
    problem = "the response body is not JSON";
  } else {
    std::vector<spec::ValidationError> errors;
    if (!schema->Validate(body, &errors) && !errors.empty()) {
      const spec::ValidationError& e = errors.front();
      problem = PointerToFieldPath(e.pointer) + ": " + e.message + (e.value.empty() ? "" : " (got " + e.value + ")");
    }
  }
  if (problem.empty()) return problem;
  violations_.fetch_add(1, std::memory_order_relaxed);
  Log(LogLevel::kWarn, "self-check: " + surface.spec().source_name() + " " + std::string(operation_id) + " HTTP " +
                           std::to_string(response.status) + ": " + problem);
  return problem;
}

}  // namespace imagine
