// LazyValidator: one schema of a document, compiled when it is first used instead of at load,
// so that start-up does not compile the hundreds of schemas a run may never use (response
// schemas are only read by --self-check and proxy mode). OpenApiDocument holds its schemas
// this way. Copies share one compilation; Get() is thread-safe (the first caller compiles,
// the others wait for it); the document's JSON is kept alive by every copy.
//
//   LazyValidator v(document, &(*document)["components"]["schemas"]["Error"]);
//   if (v != nullptr) v->Validate(body, &errors);   // compiles here, once
#ifndef IMAGINE_SPEC_LAZY_VALIDATOR_H_
#define IMAGINE_SPEC_LAZY_VALIDATOR_H_

#include <cstddef>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "spec/json_schema.h"

namespace imagine::spec {

class LazyValidator {
 public:
  LazyValidator() = default;  // no schema: == nullptr
  LazyValidator(std::nullptr_t) {}  // NOLINT: implicit, as a null shared_ptr
  // The schema `schema`, which lies inside `root`, compiled against `root` at the first Get().
  LazyValidator(std::shared_ptr<const nlohmann::json> root, const nlohmann::json* schema);

  // Compiles now (when not yet done), its patterns included, and returns the compilation's
  // status: what a load that wants every schema checked up front calls (OpenApiDocument for
  // documents from files).
  Status Compile() const;
  // The compiled validator, compiling it at the first call (each pattern at the first value it
  // checks: CompileOptions::defer_patterns); null when there is no schema.
  // PRECONDITION: the schema compiles (Compile() was ok, or the document is an embedded one,
  // which a unit test compiles whole). When it does not, the error is logged once and the
  // result is a validator that refuses every value (keyword "false").
  std::shared_ptr<const Validator> Get() const;

  const Validator& operator*() const { return *Get(); }
  const Validator* operator->() const { return Get().get(); }
  operator std::shared_ptr<const Validator>() const { return Get(); }  // NOLINT: implicit by design
  bool operator==(std::nullptr_t) const { return state_ == nullptr; }
  bool operator!=(std::nullptr_t) const { return state_ != nullptr; }

 private:
  struct State {
    std::shared_ptr<const nlohmann::json> root;
    const nlohmann::json* schema = nullptr;
    std::once_flag once;
    std::once_flag logged;  // a schema that does not compile is logged once
    Status status;
    std::shared_ptr<const Validator> compiled;
  };
  void CompileOnce(bool defer_patterns) const;

  std::shared_ptr<State> state_;
};

}  // namespace imagine::spec

#endif  // IMAGINE_SPEC_LAZY_VALIDATOR_H_
