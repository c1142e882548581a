// Files embedded in the binary at build time (default config, fixtures, schemas, admin page).
// Names are paths relative to the source tree, e.g. "fixtures/default-config.yaml". Each YAML
// file is also embedded pre-parsed: the CBOR of its JSON form (spec/yaml_json.h's conversion,
// run at build time by tools/preparse_yaml.cc), which start-up reads instead of the YAML.
// Immutable after start; safe to read from any thread.
#ifndef IMAGINE_COMMON_RESOURCES_H_
#define IMAGINE_COMMON_RESOURCES_H_

#include <optional>
#include <string_view>
#include <vector>

namespace imagine {

struct Resource {
  std::string_view name;  // path relative to the source tree
  std::string_view data;  // file bytes; lives as long as the program
};

// Every embedded file, sorted by name.
const std::vector<Resource>& AllResources();

// The embedded file named `name`, or nullopt.
std::optional<std::string_view> FindResource(std::string_view name);

// Every embedded YAML file's pre-parsed form (CBOR), named as the YAML file, sorted by name.
const std::vector<Resource>& PreparsedResources();

// The pre-parsed form (CBOR bytes) of the embedded YAML file `name`, or nullopt.
std::optional<std::string_view> FindPreparsed(std::string_view name);

}  // namespace imagine

#endif  // IMAGINE_COMMON_RESOURCES_H_
