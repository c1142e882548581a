// Evolink task ids: "task-unified-<unix seconds>-<8 chars of [a-z0-9]>", e.g.
// "task-unified-1757169743-7cvnl5zw" (seed; api-reference §2.2). Stateless; thread-safe.
#ifndef IMAGINE_PROVIDERS_EVOLINK_IDS_H_
#define IMAGINE_PROVIDERS_EVOLINK_IDS_H_

#include <string>
#include <string_view>

#include "engine/random.h"

namespace imagine::evolink {

std::string MakeTaskId(Random& random, int64_t now_ms);
bool IsTaskIdFormat(std::string_view id);

}  // namespace imagine::evolink

#endif  // IMAGINE_PROVIDERS_EVOLINK_IDS_H_
