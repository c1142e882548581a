#include "spec/published_model.h"

#include <vector>

#include "common/text.h"
#include "spec/openapi.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

constexpr const char* kPublished = "x-emulator-published";
constexpr const char* kMethods[] = {"get", "post", "put", "patch", "delete"};

// Prefixes every local $ref of `node` with `prefix`; the first external one is returned.
std::string RebaseRefs(nlohmann::json& node, const std::string& prefix) {
  std::string external;
  if (node.is_array()) {
    for (nlohmann::json& item : node) {
      std::string e = RebaseRefs(item, prefix);
      if (external.empty()) external = e;
    }
  } else if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "$ref" && it->is_string()) {
        const std::string ref = it->get<std::string>();
        if (ref.rfind('#', 0) == 0) {
          *it = "#" + prefix + ref.substr(1);
        } else if (external.empty()) {
          external = ref;
        }
      } else {
        std::string e = RebaseRefs(*it, prefix);
        if (external.empty()) external = e;
      }
    }
  }
  return external;
}

}  // namespace

bool DeclaresModel(const nlohmann::json& provider_doc, const std::string& model) {
  auto paths = provider_doc.find("paths");
  if (paths == provider_doc.end() || !paths->is_object()) return false;
  for (const auto& [path, item] : paths->items()) {
    if (!item.is_object()) continue;
    for (const char* method : kMethods) {
      auto op = item.find(method);
      if (op == item.end() || !op->is_object()) continue;
      auto models = op->find("x-emulator-models");
      if (models != op->end() && models->is_object() && models->contains(model)) return true;
    }
  }
  return false;
}

Status GraftPublishedModel(nlohmann::json& provider_doc, const std::string& model, std::string_view published_yaml,
                           const std::string& file) {
  auto parsed = spec::ParseYamlDocument(published_yaml, file);
  if (!parsed.ok()) return parsed.status();
  nlohmann::json published = std::move(parsed).value();
  auto version = published.is_object() ? published.find("openapi") : published.end();
  if (version == published.end() || !version->is_string() || version->get_ref<const std::string&>().rfind("3.", 0) != 0) {
    return InvalidArgument(file + ": openapi: must be an OpenAPI 3.0 or 3.1 document");
  }
  // Its schemas compile on their own (errors name the file and the place).
  auto compiled = OpenApiDocument::Parse(published_yaml, file);
  if (!compiled.ok()) return compiled.status();
  std::vector<std::string> bodies;  // JSON pointers of the operations' request schemas
  for (const auto& [path, item] : published["paths"].items()) {
    for (const char* method : kMethods) {
      if (!item.contains(method)) continue;
      const nlohmann::json::json_pointer schema("/paths/" + EscapePointerToken(path) + "/" + method +
                                                "/requestBody/content/application~1json/schema");
      if (published.contains(schema)) bodies.push_back(schema.to_string());
    }
  }
  if (bodies.size() != 1) {
    return InvalidArgument(file + ": paths: needs exactly one operation with an application/json request body (found " +
                           std::to_string(bodies.size()) + ")");
  }
  nlohmann::json& shelf = provider_doc[kPublished];
  if (!shelf.is_array()) shelf = nlohmann::json::array();
  const std::string prefix = std::string("/") + kPublished + "/" + std::to_string(shelf.size());
  const std::string external = RebaseRefs(published, prefix);
  if (!external.empty()) {
    return InvalidArgument(file + ": $ref " + external + ": a published model document must be self-contained");
  }
  shelf.push_back(std::move(published));
  for (auto& [path, item] : provider_doc["paths"].items()) {
    for (const char* method : kMethods) {
      if (!item.contains(method) || !item[method].contains("x-emulator-models")) continue;
      nlohmann::json& models = item[method]["x-emulator-models"];
      if (models.is_object() && models.contains(model)) {
        models[model] = nlohmann::json{{"$ref", "#" + prefix + bodies.front()}};
        return Status::Ok();
      }
    }
  }
  return InvalidArgument(file + ": the provider's document declares no model '" + model + "'");
}

}  // namespace imagine
