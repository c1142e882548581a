// libFuzzer target: the OpenAPI/YAML loader (YAML to JSON, operations, the JSON Schema
// compiler), plus the scenario catalog reader, from raw text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/scenarios.h"
#include "spec/openapi.h"
#include "spec/yaml_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)imagine::OpenApiDocument::Parse(text, "fuzz.yaml");
  (void)imagine::spec::ParseYamlDocument(text, "fuzz.yaml");
  (void)imagine::Scenarios::ParseCatalog(text, "fuzz.yaml");
  return 0;
}
