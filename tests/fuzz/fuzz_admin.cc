// libFuzzer target: the control API's JSON bodies. The first byte picks the route; the
// rest is the body (with Content-Type: application/json, so it reaches the parser).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_app.h"

// Builds the emulator before the first input (it takes seconds under the sanitizers).
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  imagine::fuzz::App();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using imagine::fuzz::Call;
  if (size == 0) return 0;
  static const std::pair<const char*, const char*> kRoutes[] = {
      {"POST", "/_emulator/scenarios/rules"}, {"POST", "/_emulator/clock"},
      {"POST", "/_emulator/clock/advance"},   {"PUT", "/_emulator/keys/fuzz-key"},
      {"POST", "/_emulator/reset"},           {"DELETE", "/_emulator/scenarios/rules"},
      {"POST", "/_emulator/tasks/none/fail"}, {"POST", "/_emulator/tasks/none/complete"},
  };
  const auto& [method, path] = kRoutes[data[0] % (sizeof kRoutes / sizeof kRoutes[0])];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Keep the virtual clock from running off to the end of time: advance only a little.
  if (std::string(path).find("clock") != std::string::npos && body.size() > 64) return 0;
  Call(method, path, body, {{"Content-Type", "application/json"}});
  imagine::fuzz::MaybeReset();
  return 0;
}
