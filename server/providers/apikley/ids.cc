#include "providers/apikley/ids.h"

namespace imagine::apikley {

std::string MakeTaskId(Random& random, int64_t /*now_ms*/) {
  static constexpr char kHex[] = "0123456789abcdef";
  return random.Chars(32, kHex, 16);
}

bool IsTaskIdFormat(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace imagine::apikley
