// libFuzzer target: Evolink's video generation and task query from raw bytes (fuzz_provider.inc).
#include <string>

#include "fuzz_app.h"

namespace {
constexpr const char* kCreatePath = "/v1/videos/generations";
constexpr const char* kValidBody = R"({"model":"grok-imagine-text-to-video","prompt":"fuzz"})";
void Query(const std::string& id) {
  imagine::fuzz::Call("GET", "/v1/tasks/" + id, "", {{"Authorization", "Bearer fuzz-key"}});
}
}  // namespace

#include "fuzz_provider.inc"
