// EvolinkDialect: the OpenAI-style tasks API on the engine — POST /v1/videos/generations,
// GET /v1/tasks/{task_id} and GET /v1/credits (api-reference §2). Immutable after
// construction; handlers may run on many threads at once.
#ifndef IMAGINE_PROVIDERS_EVOLINK_EVOLINK_DIALECT_H_
#define IMAGINE_PROVIDERS_EVOLINK_EVOLINK_DIALECT_H_

#include <memory>

#include "engine/engine.h"
#include "providers/dialect.h"
#include "providers/evolink/evolink_options.h"

namespace imagine {

class EvolinkDialect final : public Dialect {
 public:
  // Fails when the spec lacks an operation or a model in the spec has no ModelOptions.
  static StatusOr<std::unique_ptr<EvolinkDialect>> Create(std::shared_ptr<const OpenApiDocument> spec,
                                                          EvolinkOptions options, Engine* engine);

  Provider provider() const override { return Provider::kEvolink; }
  const OpenApiDocument& spec() const override { return *spec_; }
  std::map<std::string, Handler> Handlers() override;
  std::string_view path_prefix() const override { return "/v1/"; }
  ApiResponse RenderError(const Status& status) const override;
  std::string CallbackBody(const Task& task, int64_t now_ms) const override;

 private:
  EvolinkDialect(std::shared_ptr<const OpenApiDocument> spec, EvolinkOptions options, Engine* engine);

  ApiResponse CreateVideoGeneration(ApiRequest& req);
  ApiResponse GetTaskDetail(ApiRequest& req);
  ApiResponse GetCredits(ApiRequest& req);

  std::shared_ptr<const OpenApiDocument> spec_;
  const EvolinkOptions options_;
  Engine* engine_;
  const OpenApiOperation* create_op_ = nullptr;
  std::string model_list_;  // "a, b" for the unknown-model error
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_EVOLINK_EVOLINK_DIALECT_H_
