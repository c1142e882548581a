// libFuzzer target: the emulator's request headers — X-Emulator-Callback (webhook faults)
// and X-Emulator-Scenario (armed against the built-in catalog).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "callbacks/webhook_faults.h"
#include "common/resources.h"
#include "engine/scenarios.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imagine::ParseWebhookFaults(text);
  static const imagine::Scenarios* scenarios = [] {
    auto text = imagine::FindResource("fixtures/scenarios.yaml");
    if (!text) std::abort();
    auto catalog = imagine::Scenarios::ParseCatalog(*text, "scenarios.yaml");
    if (!catalog.ok()) std::abort();
    return new imagine::Scenarios(*catalog, 42);
  }();
  (void)scenarios->Arm(text, "header");
  return 0;
}
