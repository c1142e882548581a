// Status and StatusOr: how every engine, spec and dialect function reports failure.
// No exception crosses an engine or dialect boundary; failures are values carrying a
// neutral code, a message, and (for validation) where, which rule and the offending value.
// Value types; not synchronized (copy them across threads).
#ifndef IMAGINE_COMMON_STATUS_H_
#define IMAGINE_COMMON_STATUS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace imagine {

// The engine's neutral error vocabulary. Each dialect maps a code (and, where it
// needs finer grain, the `rule`) to its provider's HTTP status, body code and words.
enum class Code {
  kOk = 0,
  kInvalidArgument,     // the request is malformed or breaks a rule (field/rule/value set)
  kUnauthenticated,     // missing, malformed or revoked API key
  kPermissionDenied,    // the key may not use this model or resource
  kNotFound,            // no such task (or not owned by the caller's key)
  kResourceExhausted,   // rate limit or concurrency limit reached
  kFailedPrecondition,  // the account cannot pay (insufficient credits)
  kUnavailable,         // maintenance / temporarily unavailable
  kUnimplemented,       // feature disabled
  kPayloadTooLarge,     // request body over the configured limit
  kInternal,            // anything the emulator did wrong, or a scripted server error
};

// "invalid_argument", "unauthenticated", ... (the names scenarios, config and dialect
// wording tables use).
const char* CodeName(Code code);
// The code named `name` (CodeName's inverse, kOk excluded); false when there is none.
bool CodeFromName(std::string_view name, Code* out);

// Where a validation failure happened; empty for non-validation errors.
struct Violation {
  std::string pointer;  // JSON pointer into the request, e.g. "/input/prompt" ("" = whole body)
  std::string rule;     // rule or keyword name, e.g. "maxLength", "task_id_xor_image_urls"
  std::string value;    // offending value rendered as compact JSON, possibly truncated
};

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(Code code, std::string message, Violation violation)
      : code_(code), message_(std::move(message)), violation_(std::move(violation)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const Violation& violation() const { return violation_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  Violation violation_;
};

inline Status InvalidArgument(std::string message, Violation v = {}) {
  return Status(Code::kInvalidArgument, std::move(message), std::move(v));
}
inline Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
inline Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }

// A value or the Status explaining why there is none. Precondition for value(): ok().
template <typename T>
class StatusOr {
 public:
  StatusOr(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  StatusOr(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace imagine

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define IMAGINE_RETURN_IF_ERROR(expr)              \
  do {                                             \
    ::imagine::Status imagine_status_ = (expr);    \
    if (!imagine_status_.ok()) return imagine_status_; \
  } while (0)

#endif  // IMAGINE_COMMON_STATUS_H_
