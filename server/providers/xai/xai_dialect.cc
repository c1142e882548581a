#include "providers/xai/xai_dialect.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "providers/xai/callback_payload.h"
#include "providers/xai/render.h"
#include "providers/xai/rules.h"

namespace imagine {
namespace {

constexpr int kMinDurationS = 1, kMaxDurationS = 15;  // X-GEN: "Range: [1, 15]"

// The result fixture for a requested length: the nearest of the 6 s and 10 s files, ties
// to the shorter (engine/media.cc has no other lengths; README fidelity notes).
int FixtureDuration(int seconds) { return seconds <= 8 ? 6 : 10; }

class XaiDialect final : public Dialect {
 public:
  explicit XaiDialect(const XaiOptions& options)
      : Dialect(Traits{options.provider, "schemas/xai.openapi.yaml", "xai.models", options.models, options.validation,
                       xai::Rules(options), {}, options.allow_private_images, options.allow_private_uploads,
                       CallbackShape{"PUT", "video/mp4", /*only_on_success=*/true}}) {
    // Price and timing grow with the video's length, at the resolution's rate (README):
    // one ModelOptions per model, height and duration, made once here.
    for (const auto& [name, base] : options.models) {
      for (const auto& [height, rate] : options.per_second) {
        for (int s = kMinDurationS; s <= kMaxDurationS; ++s) {
          ModelOptions m = base;
          m.price = base.price + rate.price * s;
          m.timing.total_min_s = base.timing.total_min_s + rate.total_min_s * s;
          m.timing.total_max_s = base.timing.total_max_s + rate.total_max_s * s;
          m.timing.complex_total_min_s = base.timing.complex_total_min_s + rate.total_min_s * s;
          m.timing.complex_total_max_s = base.timing.complex_total_max_s + rate.total_max_s * s;
          shaped_.emplace(std::make_tuple(name, height, s), std::move(m));
        }
      }
    }
  }

  // The requested duration and resolution pick the result video, its price and its timing.
  void ShapeTask(const nlohmann::json& body, const std::optional<Task>& /*source*/, NewTask* task) const override {
    const int seconds = std::clamp(body.value("duration", xai::kDefaultDurationS), kMinDurationS, kMaxDurationS);
    const int height = body.value("resolution", "480p") == "720p" ? 720 : 480;
    task->output.duration_s = FixtureDuration(seconds);
    task->output.quality_p = height;
    auto shaped = shaped_.find(std::make_tuple(task->reported_model, height, seconds));
    if (shaped != shaped_.end()) task->model = &shaped->second;
  }

  // X-GEN: 200 {"request_id": "..."}.
  ApiResponse RenderCreated(const Task& task, const RenderContext& /*ctx*/) const override {
    nlohmann::ordered_json body;
    body["request_id"] = task.id;
    return xai::Json(200, body);
  }

  // X-GET: HTTP 200 in every state.
  ApiResponse RenderTask(const Task& task, const RenderContext& ctx) const override {
    return xai::Json(200, xai::Result(task, ctx));
  }

  // xAI's video API has no balance route (the document names no credits operation).
  ApiResponse RenderCredits(const Balance& /*balance*/, const RenderContext& /*ctx*/) const override {
    return xai::Json(404, {{"code", "Some requested entity was not found"}, {"error", "Not found"}});
  }

  ApiResponse RenderError(const Status& /*status*/, const ErrorWords& words, const std::string& message) const override {
    return xai::ErrorBody(words, message);
  }

  // X-GEN output.upload_url: the video PUT to the signed URL once it is done (traits:
  // PUT, video/mp4, success only); xAI sends no webhook.
  std::string CallbackBody(const Task& task, const RenderContext& ctx) const override {
    return xai::UploadBody(task, ctx);
  }

 private:
  std::map<std::tuple<std::string, int, int>, ModelOptions> shaped_;  // (model, height, seconds)
};

}  // namespace

std::unique_ptr<const Dialect> MakeXaiDialect(const XaiOptions& options) { return std::make_unique<XaiDialect>(options); }

}  // namespace imagine
