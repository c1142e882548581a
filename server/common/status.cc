#include "common/status.h"

namespace imagine {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kNotFound: return "not_found";
    case Code::kResourceExhausted: return "resource_exhausted";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kUnavailable: return "unavailable";
    case Code::kUnimplemented: return "unimplemented";
    case Code::kPayloadTooLarge: return "payload_too_large";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

bool CodeFromName(std::string_view name, Code* out) {
  for (int c = static_cast<int>(Code::kInvalidArgument); c <= static_cast<int>(Code::kInternal); ++c) {
    if (name == CodeName(static_cast<Code>(c))) {
      *out = static_cast<Code>(c);
      return true;
    }
  }
  return false;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string s = std::string(CodeName(code_)) + ": " + message_;
  if (!violation_.pointer.empty() || !violation_.rule.empty()) {
    s += " [at '" + violation_.pointer + "', rule " + violation_.rule + "]";
  }
  return s;
}

}  // namespace imagine
