// Credits and prices are doubles inside the engine but the providers print whole numbers
// without a fraction ("credits_reserved": 5, "data": 100) and decimals only when there
// are some (live Kie balances like 35.95). Stateless; thread-safe.
#ifndef IMAGINE_COMMON_JSON_NUMBER_H_
#define IMAGINE_COMMON_JSON_NUMBER_H_

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace imagine {

// `v` as a JSON integer when it has no fractional part, else as a JSON number.
inline nlohmann::ordered_json JsonNumber(double v) {
  if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}

}  // namespace imagine

#endif  // IMAGINE_COMMON_JSON_NUMBER_H_
