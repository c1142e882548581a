// Apikley task ids: 32 lowercase hex characters, like "d43f0d0ab29f28fdfcf68a9dccbd7a42"
// (api-reference §1.2: real clients see 32-hex ids). Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_APIKLEY_IDS_H_
#define IMAGINE_PROVIDERS_APIKLEY_IDS_H_

#include <string>
#include <string_view>

#include "engine/random.h"

namespace imagine::apikley {

std::string MakeTaskId(Random& random, int64_t now_ms);
bool IsTaskIdFormat(std::string_view id);

}  // namespace imagine::apikley

#endif  // IMAGINE_PROVIDERS_APIKLEY_IDS_H_
