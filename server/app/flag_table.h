// The command-line flags that set a config key, read once from the x-flag annotations of
// schemas/config.schema.yaml (its header comment gives their shape), and how one flag's
// text becomes a checked config layer. A flag's environment variable is IMAGINE_EMU_<NAME>.
// Thread-safe (the table is built once and never changed).
#ifndef IMAGINE_APP_FLAG_TABLE_H_
#define IMAGINE_APP_FLAG_TABLE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace imagine {

enum class FlagKind {
  kSwitch,  // no value: --help, --version (not a config key)
  kText,    // a string key
  kNumber,  // an integer or number key
  kBool,    // a boolean key: the flag is a switch (true), its variable takes 1, 0, true, false
  kList,    // an array key: comma-separated, blanks around each item trimmed
  kPairs,   // a mapping key: KEY=VALUE,KEY=VALUE over the x-flag's `keys`
};

struct FlagSpec {
  std::string name;        // without the leading dashes
  std::string env;         // its environment variable, "" for none
  FlagKind kind = FlagKind::kText;
  std::string pointer;     // the config key it sets ("/server/port"); "" for none
  int order = 0;           // place in --help and README
  std::string value_name;  // "N", "" for a switch
  std::string help;        // what it does; `code` as in Markdown
  std::string default_text;  // the default as said in --help and README, `code` as in Markdown
  bool non_empty = false;  // an empty value is refused
  std::vector<std::string> keys;  // kPairs: the keys it may set
  FlagKind pair_kind = FlagKind::kText;  // kPairs: how each VALUE is typed (the mapping's additionalProperties type)
};

// The flags the config schema declares, by order; kInternal (once, at first use) when an
// x-flag is malformed.
StatusOr<std::vector<FlagSpec>> SchemaFlags();

// The config layer `text` gives `flag` (e.g. {"server":{"port":9000}}), checked against the
// key's schema. kInvalidArgument "<origin>: <problem>" in the key's own words (x-message,
// {got} = the text as given), `origin` being "--port" or "IMAGINE_EMU_PORT".
StatusOr<nlohmann::json> FlagLayer(const FlagSpec& flag, const std::string& text, const std::string& origin);

}  // namespace imagine

#endif  // IMAGINE_APP_FLAG_TABLE_H_
