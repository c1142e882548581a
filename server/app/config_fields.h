// The config keys that map one-to-one onto a Config member, as one table: each row names the
// key (a JSON pointer into the document) and how it is read and written, so a key is stated
// once here — beside its declaration in schemas/config.schema.yaml — and ConfigFromJson and
// ConfigToJson (config.cc) both walk the table. Keys that are not one member (the providers'
// sections, key profiles, scenario rules) are read in config.cc.
#ifndef IMAGINE_APP_CONFIG_FIELDS_H_
#define IMAGINE_APP_CONFIG_FIELDS_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "app/config.h"

namespace imagine {

struct ConfigField {
  const char* pointer;  // e.g. "/server/port"
  std::function<void(const nlohmann::json& value, Config& config)> read;  // value satisfies the schema
  std::function<nlohmann::ordered_json(const Config& config, bool mask_secrets)> write;
};

// The rows, in the order ConfigToJson writes them.
const std::vector<ConfigField>& ConfigFields();

}  // namespace imagine

#endif  // IMAGINE_APP_CONFIG_FIELDS_H_
