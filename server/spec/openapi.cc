#include "spec/openapi.h"

#include <algorithm>
#include <cctype>

#include "spec/yaml_json.h"

namespace imagine {
namespace {

constexpr const char* kMethods[] = {"get", "post", "put", "patch", "delete"};

StatusOr<std::shared_ptr<const spec::Validator>> CompileAt(const nlohmann::json& schema, const nlohmann::json& root,
                                                           const std::string& where, const std::string& source) {
  auto compiled = spec::Validator::Compile(schema, root);
  if (!compiled.ok()) {
    return InvalidArgument(source + ": " + where + ": " + compiled.status().message());
  }
  return std::move(compiled).value();
}

}  // namespace

StatusOr<std::shared_ptr<const OpenApiDocument>> OpenApiDocument::Parse(std::string_view yaml_text,
                                                                        std::string_view source_name) {
  auto doc = std::make_shared<OpenApiDocument>();
  doc->source_name_ = std::string(source_name);
  auto parsed = spec::ParseYamlDocument(yaml_text, source_name);
  if (!parsed.ok()) return parsed.status();
  doc->document_ = std::move(parsed).value();
  const nlohmann::json& root = doc->document_;
  const std::string& src = doc->source_name_;
  if (!root.is_object() || !root.contains("paths") || !root["paths"].is_object()) {
    return InvalidArgument(src + ": not an OpenAPI document (no 'paths' object)");
  }

  if (root.contains("components") && root["components"].contains("schemas")) {
    for (const auto& [name, schema] : root["components"]["schemas"].items()) {
      auto v = CompileAt(schema, root, "components/schemas/" + name, src);
      if (!v.ok()) return v.status();
      doc->components_.emplace(name, std::move(v).value());
    }
  }

  for (const auto& [path, item] : root["paths"].items()) {
    for (const char* method : kMethods) {
      if (!item.contains(method)) continue;
      const nlohmann::json& op = item[method];
      OpenApiOperation operation;
      operation.method = method;
      std::transform(operation.method.begin(), operation.method.end(), operation.method.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      operation.path = path;
      const std::string where = "paths/" + path + "/" + method;
      if (!op.contains("operationId") || !op["operationId"].is_string()) {
        return InvalidArgument(src + ": " + where + ": operationId is required");
      }
      operation.operation_id = op["operationId"].get<std::string>();
      auto body = op.find("requestBody");
      if (body != op.end()) {
        const nlohmann::json* schema = nullptr;
        try {
          schema = &body->at("content").at("application/json").at("schema");
        } catch (const nlohmann::json::exception&) {
          return InvalidArgument(src + ": " + where + ": requestBody needs content/application/json/schema");
        }
        auto v = CompileAt(*schema, root, where + "/requestBody", src);
        if (!v.ok()) return v.status();
        operation.request_body = std::move(v).value();
      }
      if (auto models = op.find("x-emulator-models"); models != op.end()) {
        for (const auto& [model, schema] : models->items()) {
          auto v = CompileAt(schema, root, where + "/x-emulator-models/" + model, src);
          if (!v.ok()) return v.status();
          operation.models.emplace(model, std::move(v).value());
        }
      }
      if (auto aliases = op.find("x-emulator-model-aliases"); aliases != op.end()) {
        for (const auto& [alias, target] : aliases->items()) {
          if (!target.is_string() || operation.models.count(target.get<std::string>()) == 0) {
            return InvalidArgument(src + ": " + where + ": alias '" + alias + "' must name a model in x-emulator-models");
          }
          operation.model_aliases.emplace(alias, target.get<std::string>());
        }
      }
      if (auto responses = op.find("responses"); responses != op.end()) {
        for (const auto& [status, declared] : responses->items()) {
          const nlohmann::json* resolved = &declared;
          if (declared.contains("$ref") && declared["$ref"].is_string()) {
            std::string ref = declared["$ref"].get<std::string>();
            try {
              resolved = &root.at(nlohmann::json::json_pointer(ref.substr(ref.find('#') + 1)));
            } catch (const nlohmann::json::exception&) {
              return InvalidArgument(src + ": " + where + "/responses/" + status + ": unresolved $ref " + ref);
            }
          }
          const nlohmann::json& response = *resolved;
          auto content = response.find("content");
          if (content == response.end() || !content->contains("application/json")) continue;
          const nlohmann::json& media = (*content)["application/json"];
          if (!media.contains("schema")) continue;
          auto v = CompileAt(media["schema"], root, where + "/responses/" + status, src);
          if (!v.ok()) return v.status();
          operation.responses.emplace(status, std::move(v).value());
        }
      }
      doc->operations_.push_back(std::move(operation));
    }
  }
  return std::shared_ptr<const OpenApiDocument>(std::move(doc));
}

const OpenApiOperation* OpenApiDocument::Find(std::string_view operation_id) const {
  for (const OpenApiOperation& op : operations_) {
    if (op.operation_id == operation_id) return &op;
  }
  return nullptr;
}

std::shared_ptr<const spec::Validator> OpenApiDocument::ComponentSchema(std::string_view name) const {
  auto it = components_.find(name);
  return it == components_.end() ? nullptr : it->second;
}

}  // namespace imagine
