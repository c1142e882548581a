// SelfCheck: with --self-check, every provider response is validated against the
// response schema of the provider's own OpenAPI document; each violation is logged and
// counted (GET /_emulator/health shows the count). Thread-safe.
#ifndef IMAGINE_HTTP_SELF_CHECK_H_
#define IMAGINE_HTTP_SELF_CHECK_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/api.h"

namespace imagine {

class ApiSurface;

class SelfCheck {
 public:
  explicit SelfCheck(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }

  // Validates a JSON `response` of `operation_id`; returns "" when it conforms (or is not
  // JSON), else what is wrong (also logged and counted). A status the spec does not
  // declare is a violation.
  std::string Check(const ApiSurface& surface, std::string_view operation_id, const ApiResponse& response);

  uint64_t checked() const { return checked_.load(); }
  uint64_t violations() const { return violations_.load(); }

 private:
  const bool enabled_;
  std::atomic<uint64_t> checked_{0};
  std::atomic<uint64_t> violations_{0};
};

}  // namespace imagine

#endif  // IMAGINE_HTTP_SELF_CHECK_H_
