// libFuzzer target: Apikley's createTask and recordInfo from raw bytes (fuzz_provider.inc).
#include <string>

#include "fuzz_app.h"

namespace {
constexpr const char* kCreatePath = "/api/v1/jobs/createTask";
constexpr const char* kValidBody = R"({"model":"grok-imagine/text-to-video","input":{"prompt":"fuzz"}})";
void Query(const std::string& id) {
  imagine::ApiRequest::QueryMap query{{"taskId", id}};
  imagine::fuzz::Call("GET", "/api/v1/jobs/recordInfo", "", {{"Authorization", "Bearer fuzz-key"}}, query);
}
}  // namespace

#include "fuzz_provider.inc"
