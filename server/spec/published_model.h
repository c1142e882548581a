// Published per-model documents: a provider publishes one OpenAPI document per model
// (the seeds: Apikley's 3.0 image-to-video page, Evolink's 3.1 one), each with a single
// operation whose JSON request body is that model's create body. GraftPublishedModel puts
// such a document, as it comes, into the provider's own document: the model's entry in
// x-emulator-models then points at the published request schema (its defaults, enums and
// limits), with the published document's own $refs kept working. Pure; thread-safe.
//
//   schemas:
//     models:
//       grok-imagine-image-to-video-beta: docs/grok-imagine-image-to-video.yaml
#ifndef IMAGINE_SPEC_PUBLISHED_MODEL_H_
#define IMAGINE_SPEC_PUBLISHED_MODEL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace imagine {

// True when an operation of `provider_doc` lists `model` under x-emulator-models.
bool DeclaresModel(const nlohmann::json& provider_doc, const std::string& model);

// Replaces `model`'s schema in `provider_doc` (which must declare it) by the request body
// schema of the one operation of the published document `published_yaml` (named `file`
// in errors). kInvalidArgument "<file>: <where>: <problem>" when it is not YAML, not an
// OpenAPI 3.x document, has no or several operations with an application/json request
// body, refers to another file, or its schemas do not compile.
Status GraftPublishedModel(nlohmann::json& provider_doc, const std::string& model, std::string_view published_yaml,
                           const std::string& file);

}  // namespace imagine

#endif  // IMAGINE_SPEC_PUBLISHED_MODEL_H_
