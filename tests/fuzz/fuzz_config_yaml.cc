// libFuzzer target: a YAML config layered over the default config (ApplyConfigYaml: the
// YAML reader, the alias-bomb cap, the schema and the checked conversions of config.cc).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const imagine::Config kDefault = [] {
    auto c = imagine::LoadConfig("");
    if (!c.ok()) std::abort();
    return *c;
  }();
  imagine::Config config = kDefault;
  (void)imagine::ApplyConfigYaml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml", &config);
  return 0;
}
