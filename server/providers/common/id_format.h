// IdFormat: a provider's task id format, written as a pattern in its OpenAPI document
// (x-emulator-dialect.task_id), used both to make ids and to recognise them. Pattern:
// literal text with placeholders
//   {hex:N}         N characters of [0-9a-f]      e.g. Apikley "{hex:32}"
//   {alnum:N}       N characters of [a-z0-9]
//   {unix_seconds}  the creation time in Unix seconds (one or more digits when matching)
// e.g. Evolink "task-unified-{unix_seconds}-{alnum:8}". Immutable; thread-safe.
#ifndef IMAGINE_PROVIDERS_COMMON_ID_FORMAT_H_
#define IMAGINE_PROVIDERS_COMMON_ID_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/random.h"

namespace imagine {

class IdFormat {
 public:
  // kInvalidArgument naming the problem for an unknown placeholder, a bad count or an
  // unterminated brace.
  static StatusOr<IdFormat> Parse(std::string_view pattern);

  // A fresh id: characters drawn from `random` in pattern order, times from `now_ms`.
  std::string Make(Random& random, int64_t now_ms) const;
  // True when `id` has exactly this shape.
  bool Matches(std::string_view id) const;

 private:
  struct Piece {
    enum class Kind { kLiteral, kHex, kAlnum, kUnixSeconds } kind;
    std::string text;  // kLiteral
    size_t count = 0;  // kHex, kAlnum
  };
  std::vector<Piece> pieces_;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_ID_FORMAT_H_
