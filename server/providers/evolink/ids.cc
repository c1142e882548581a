#include "providers/evolink/ids.h"

namespace imagine::evolink {
namespace {
constexpr std::string_view kPrefix = "task-unified-";
}

std::string MakeTaskId(Random& random, int64_t now_ms) {
  static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  return std::string(kPrefix) + std::to_string(now_ms / 1000) + "-" + random.Chars(8, kAlnum, 36);
}

bool IsTaskIdFormat(std::string_view id) {
  if (id.substr(0, kPrefix.size()) != kPrefix) return false;
  id.remove_prefix(kPrefix.size());
  size_t dash = id.find('-');
  if (dash == 0 || dash == std::string_view::npos || id.size() - dash - 1 != 8) return false;
  for (size_t i = 0; i < dash; ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
  }
  for (char c : id.substr(dash + 1)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace imagine::evolink
