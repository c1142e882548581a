#include "providers/apikley/rules.h"


namespace imagine::apikley {
namespace {

constexpr const char* kImageToVideo = "grok-imagine/image-to-video";
constexpr const char* kTextToImage = "grok-imagine/text-to-image";
constexpr const char* kUpscale = "grok-imagine/upscale";

const nlohmann::json& Input(const RuleContext& ctx) { return ctx.body.at("input"); }

constexpr auto Fail = &RuleViolation;

// The seed: "Do not use with task_id" / "Do not use with image_urls" — exactly one source image.
Status ImageUrlsXorTaskId(RuleContext& ctx) {
  const nlohmann::json& in = Input(ctx);
  bool has_urls = in.contains("image_urls");
  bool has_task = in.contains("task_id");
  if (has_urls && has_task) {
    return Fail("image_urls_xor_task_id", "/input/task_id", "must not be combined with input.image_urls",
                &in["task_id"]);
  }
  if (!has_urls && !has_task) {
    return Fail("image_urls_xor_task_id", "/input/image_urls",
                "is required: give one of input.image_urls or input.task_id", nullptr);
  }
  if (has_urls && in["image_urls"].empty()) {
    return Fail("image_urls_xor_task_id", "/input/image_urls", "must contain exactly one image URL",
                &in["image_urls"]);
  }
  return Status::Ok();
}

// The seed: "Spicy mode not available with external images".
Status NoSpicyWithImageUrls(RuleContext& ctx) {
  const nlohmann::json& in = Input(ctx);
  if (in.contains("image_urls") && in.value("mode", "") == "spicy") {
    return Fail("spicy_requires_task_id", "/input/mode",
                "spicy is not available with external images (input.image_urls); use input.task_id", &in["mode"]);
  }
  return Status::Ok();
}

// The seed: task_id is "Task ID from a previously generated Grok image" of text-to-image.
Status SourceIsTextToImage(RuleContext& ctx) {
  const nlohmann::json& in = Input(ctx);
  if (!in.contains("task_id")) return Status::Ok();
  const std::string id = in["task_id"].get<std::string>();
  auto task = ctx.engine->FindTask(ctx.provider, ctx.api_key, id);
  if (!task.ok() || task->model != kTextToImage || task->timeline.StateAt(ctx.now_ms) != TaskState::kSucceeded) {
    return Fail("task_id_is_successful_text_to_image", "/input/task_id",
                "must be the id of a successful grok-imagine/text-to-image task of this API key", &in["task_id"]);
  }
  ctx.source = std::move(task).value();
  return Status::Ok();
}

// Upscale takes "the id of a previously successful" Grok task (api-reference §1.4, §4.20).
Status UpscaleSourceSucceeded(RuleContext& ctx) {
  const nlohmann::json& in = Input(ctx);
  const std::string id = in["task_id"].get<std::string>();
  auto task = ctx.engine->FindTask(ctx.provider, ctx.api_key, id);
  if (!task.ok() || task->model == kUpscale || task->timeline.StateAt(ctx.now_ms) != TaskState::kSucceeded) {
    return Fail("task_id_is_successful_grok_task", "/input/task_id",
                "must be the id of a successful Grok Imagine generation task of this API key", &in["task_id"]);
  }
  ctx.source = std::move(task).value();
  return Status::Ok();
}

}  // namespace

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {"image_urls_xor_task_id", kImageToVideo, &ImageUrlsXorTaskId},
      {"spicy_requires_task_id", kImageToVideo, &NoSpicyWithImageUrls},
      {"task_id_is_successful_text_to_image", kImageToVideo, &SourceIsTextToImage},
      {"task_id_is_successful_grok_task", kUpscale, &UpscaleSourceSucceeded},
  };
  return kRules;
}

}  // namespace imagine::apikley
