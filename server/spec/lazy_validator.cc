#include "spec/lazy_validator.h"

#include <utility>

#include "common/log.h"

namespace imagine::spec {

LazyValidator::LazyValidator(std::shared_ptr<const nlohmann::json> root, const nlohmann::json* schema)
    : state_(std::make_shared<State>()) {
  state_->root = std::move(root);
  state_->schema = schema;
}

void LazyValidator::CompileOnce(bool defer_patterns) const {
  std::call_once(state_->once, [s = state_.get(), defer_patterns] {
    auto compiled = Validator::Compile(*s->schema, *s->root, {defer_patterns});
    if (compiled.ok()) {
      s->compiled = std::move(compiled).value();
    } else {
      s->status = compiled.status();
    }
  });
}

Status LazyValidator::Compile() const {
  if (state_ == nullptr) return Status::Ok();
  CompileOnce(/*defer_patterns=*/false);
  return state_->status;
}

std::shared_ptr<const Validator> LazyValidator::Get() const {
  if (state_ == nullptr) return nullptr;
  CompileOnce(/*defer_patterns=*/true);  // the precondition: its patterns compile
  if (state_->compiled != nullptr) return state_->compiled;
  // A broken schema that nobody checked at load: say so once, refuse every value.
  static const std::shared_ptr<const Validator> kRefuseAll = [] {
    const nlohmann::json never = false;
    return Validator::Compile(never, never).value();
  }();
  std::call_once(state_->logged, [this] { Log(LogLevel::kError, "schema does not compile: " + state_->status.message()); });
  return kRefuseAll;
}

}  // namespace imagine::spec
