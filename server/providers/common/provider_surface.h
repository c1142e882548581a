// ProviderSurface: the one request flow every provider runs, written once. It serves a
// Dialect (providers/dialect.h) as an ApiSurface: the routes of the dialect's OpenAPI
// document, bound to create, query and credits. Every create request takes these steps,
// in this order, for every provider:
//
//   1. auth       the bearer key, looked up once (profile, account) with the request's instant
//   2. parse      the body: Content-Type, UTF-8, depth, JSON, an object
//   3. schema     the envelope schema, then the model's own schema (defaults applied)
//   4. rules      the dialect's cross-field rules table
//   5. scenario   the scenario gate (header, rules, profile, chaos), X-Emulator-Callback, then
//                 a scripted answer if the scenario gives one; with inputs.fetch on, the input
//                 image is fetched and probed (a failure shows at the end of queuing)
//   6. engine     charge the key and store the task (Engine::CreateTask)
//   7. render     the dialect's renderer, in its envelope; errors in its words
//
// A query takes 1, finds the task id (where the document says), looks the task up, runs
// the scenario gate and renders; credits take 1 and render the balance. Immutable after Create; handlers
// may run on many threads at once.
#ifndef IMAGINE_PROVIDERS_COMMON_PROVIDER_SURFACE_H_
#define IMAGINE_PROVIDERS_COMMON_PROVIDER_SURFACE_H_

#include <memory>
#include <string>

#include "engine/engine.h"
#include "engine/input_image.h"
#include "http/api_surface.h"
#include "providers/common/dialect_document.h"
#include "providers/dialect.h"

namespace imagine {

class ProviderSurface final : public ApiSurface {
 public:
  // Reads the dialect's document (see dialect_document.h). `engine` and `fetcher` (null =
  // input images are not fetched) must outlive the surface.
  static StatusOr<std::unique_ptr<ProviderSurface>> Create(std::unique_ptr<const Dialect> dialect,
                                                           std::shared_ptr<const OpenApiDocument> spec,
                                                           Engine* engine, const ImageFetcher* fetcher = nullptr);

  Provider provider() const { return traits_.provider; }
  // Callbacks may go to loopback/private receivers (the dialect's policy).
  bool allow_private_callbacks() const { return traits_.allow_private_callbacks; }
  const CallbackShape& callback_shape() const { return traits_.callback; }
  // The body POSTed to a finished task's callback URL, as seen at `now_ms`.
  std::string CallbackBody(const Task& task, int64_t now_ms) const;

  // ApiSurface
  const OpenApiDocument& spec() const override { return *spec_; }
  std::map<std::string, Handler> Handlers() override;
  std::string_view name() const override { return ProviderName(traits_.provider); }
  std::string_view path_prefix() const override { return document_.path_prefix; }
  // The root (unless the document's serve_at_root is false) and /<name>; just the root
  // when the document's paths are already under /<name>/.
  std::vector<std::string> MountBases() const override;
  ApiResponse RenderError(const Status& status) const override { return RenderError(status, {}); }
  // The same as answered by `operation` (its own rows of the wording table come first).
  ApiResponse RenderError(const Status& status, std::string_view operation) const;
  // Error answers satisfy the document's error_schema when it names one; others go by status.
  std::shared_ptr<const spec::Validator> ResponseSchema(std::string_view operation_id,
                                                        const ApiResponse& response) const override;

 private:
  ProviderSurface(std::unique_ptr<const Dialect> dialect, std::shared_ptr<const OpenApiDocument> spec,
                  DialectDocument document, Engine* engine, const ImageFetcher* fetcher);
  // The input image URLs must be http(s) URLs with a host (rule image_url_http), or, where
  // the document allows them, data:image/ URIs of a usable image (rule image_data_uri).
  Status CheckImageUrls(const nlohmann::json& body) const;
  // With a fetcher: the failure reason of the request's first input image ("" = usable or none).
  std::string FetchInputImage(const nlohmann::json& body, const std::string& task_hint) const;

  // Step 1 of every operation (Caller: the key looked up once, the request's instant).
  struct Caller;
  StatusOr<Caller> Authenticate(ApiRequest& req) const;
  RenderContext ContextFor(const Caller& caller) const;
  // Step 3: the envelope and model schemas; returns the model (aliases resolved).
  StatusOr<std::string> ValidateBody(nlohmann::json& body) const;
  // The task id a status query names, or the Status to render (missing, malformed).
  StatusOr<std::string> QueryTaskId(const ApiRequest& req) const;

  ApiResponse Create(ApiRequest& req);
  ApiResponse Query(ApiRequest& req);
  ApiResponse Credits(ApiRequest& req);

  const std::unique_ptr<const Dialect> dialect_;
  const Dialect::Traits& traits_;  // dialect_->traits()
  const std::shared_ptr<const OpenApiDocument> spec_;
  const DialectDocument document_;
  Engine* const engine_;
  const ImageFetcher* const fetcher_;
};

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_PROVIDER_SURFACE_H_
