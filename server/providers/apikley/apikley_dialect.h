// ApikleyDialect: the Kie.ai-style "Market" jobs API on the engine — createTask,
// recordInfo and chat/credit (api-reference §1). Immutable after construction;
// handlers may run on many threads at once.
#ifndef IMAGINE_PROVIDERS_APIKLEY_APIKLEY_DIALECT_H_
#define IMAGINE_PROVIDERS_APIKLEY_APIKLEY_DIALECT_H_

#include <memory>

#include "engine/engine.h"
#include "providers/apikley/apikley_options.h"
#include "providers/dialect.h"

namespace imagine {

class ApikleyDialect final : public Dialect {
 public:
  // Fails when the spec lacks an operation or a model in the spec has no ModelOptions.
  static StatusOr<std::unique_ptr<ApikleyDialect>> Create(std::shared_ptr<const OpenApiDocument> spec,
                                                          ApikleyOptions options, Engine* engine);

  Provider provider() const override { return Provider::kApikley; }
  const OpenApiDocument& spec() const override { return *spec_; }
  std::map<std::string, Handler> Handlers() override;
  std::string_view path_prefix() const override { return "/api/"; }
  ApiResponse RenderError(const Status& status) const override;
  std::string CallbackBody(const Task& task, int64_t now_ms) const override;
  // A body whose `code` is not 200 is an ErrorResponse whatever the HTTP status.
  std::shared_ptr<const spec::Validator> ResponseSchema(std::string_view operation_id,
                                                        const ApiResponse& response) const override;

 private:
  ApikleyDialect(std::shared_ptr<const OpenApiDocument> spec, ApikleyOptions options, Engine* engine);

  ApiResponse CreateTask(ApiRequest& req);
  ApiResponse GetTaskDetail(ApiRequest& req);
  ApiResponse GetAccountCredits(ApiRequest& req);

  std::shared_ptr<const OpenApiDocument> spec_;
  const ApikleyOptions options_;
  Engine* engine_;
  const OpenApiOperation* create_op_ = nullptr;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_APIKLEY_APIKLEY_DIALECT_H_
