// ProxySurface: how a provider's routes are served once proxy mode or recordings are in
// play. It wraps the provider's ProviderSurface (same document, names, error envelope) and
// answers each request from, in this order: a recorded answer for the caller's key
// (Replayer), the live upstream when one is configured (forwarded with the client's own
// headers and body, the answer passed back unchanged, both directions checked for drift,
// the answer recorded), else the emulator's own request flow. An upstream that cannot be
// reached answers the provider's own internal-error envelope with an
// X-Emulator-Upstream-Error header. Immutable after construction; handlers are thread-safe.
#ifndef IMAGINE_PROXY_PROXY_SURFACE_H_
#define IMAGINE_PROXY_PROXY_SURFACE_H_

#include <memory>
#include <string>

#include "engine/clock.h"
#include "http/api_surface.h"
#include "providers/common/provider_surface.h"
#include "proxy/callback_capture.h"
#include "proxy/drift_log.h"
#include "proxy/recordings.h"
#include "proxy/upstream_client.h"

namespace imagine {

// What the proxy surfaces, the control API and the app share.
struct ProxyHub {
  DriftLog drift;
  Recorder recorder;
  Replayer replayer;
  std::unique_ptr<CallbackCapture> capture;  // null unless proxy.capture_callbacks
  bool proxying = false;                     // some provider has an upstream
};

class ProxySurface final : public ApiSurface {
 public:
  // `inner`, `hub` and `clock` must outlive the surface; `upstream` null = emulate.
  ProxySurface(ProviderSurface* inner, std::unique_ptr<UpstreamClient> upstream, ProxyHub* hub, const Clock* clock,
               RequestValidation limits);

  // ApiSurface: the provider's, with each handler wrapped as above.
  const OpenApiDocument& spec() const override { return inner_->spec(); }
  std::map<std::string, Handler> Handlers() override;
  std::string_view name() const override { return inner_->name(); }
  std::string_view path_prefix() const override { return inner_->path_prefix(); }
  std::vector<std::string> MountBases() const override { return inner_->MountBases(); }
  ApiResponse RenderError(const Status& status) const override { return inner_->RenderError(status); }
  // Upstream and replayed answers are the provider's, not the emulator's: --self-check
  // accepts them (the drift findings judge them); the emulator's own go by the provider's.
  std::shared_ptr<const spec::Validator> ResponseSchema(std::string_view operation_id,
                                                        const ApiResponse& response) const override;

 private:
  ApiResponse Forward(const OpenApiOperation& op, ApiRequest& req) const;
  // The body to send upstream: the client's, or with the callback URL swapped for the
  // emulator's receiver (proxy.capture_callbacks).
  std::string UpstreamBody(const OpenApiOperation& op, const ApiRequest& req) const;

  ProviderSurface* const inner_;
  const std::unique_ptr<UpstreamClient> upstream_;
  ProxyHub* const hub_;
  const Clock* const clock_;
  const RequestValidation limits_;
  std::shared_ptr<const spec::Validator> accept_all_;
  std::shared_ptr<const spec::Validator> callback_schema_;
  std::string create_operation_;      // x-emulator-dialect.operations.create
  std::string callback_url_pointer_;  // x-emulator-dialect.create_fields.callback_url
  bool query_id_in_path_ = false;     // x-emulator-dialect.query_task_id
  std::string query_id_name_;
};

}  // namespace imagine

#endif  // IMAGINE_PROXY_PROXY_SURFACE_H_
