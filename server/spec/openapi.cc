#include "spec/openapi.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

constexpr const char* kBundled = "x-emulator-bundled";

// Rewrites every $ref in `node`: a local one ("#/x") gets `local_prefix` (the place its
// document is bundled at, "" for the main one); an external one ("file#/x") points into
// the bundle, and `file` is added to `needed`.
void RewriteRefs(nlohmann::json& node, const std::string& local_prefix, std::vector<std::string>* needed) {
  if (node.is_array()) {
    for (nlohmann::json& item : node) RewriteRefs(item, local_prefix, needed);
    return;
  }
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() == "$ref" && it->is_string()) {
      const std::string ref = it->get<std::string>();
      const size_t hash = ref.find('#');
      if (hash == 0) {
        *it = "#" + local_prefix + ref.substr(1);
      } else {
        const std::string file = ref.substr(0, hash);
        *it = std::string("#/") + kBundled + "/" + EscapePointerToken(file) +
              (hash == std::string::npos ? "" : ref.substr(hash + 1));
        needed->push_back(file);
      }
    } else {
      RewriteRefs(*it, local_prefix, needed);
    }
  }
}

}  // namespace

Status BundleExternalRefs(nlohmann::json& root, const DocumentResolver& resolver, const std::string& src) {
  std::vector<std::string> needed;
  RewriteRefs(root, "", &needed);
  nlohmann::json bundle = nlohmann::json::object();
  while (!needed.empty()) {
    const std::string file = needed.back();
    needed.pop_back();
    if (bundle.contains(file)) continue;
    if (!resolver) return InvalidArgument(src + ": $ref into another document (" + file + ") cannot be resolved here");
    auto other = resolver(file);
    if (!other.ok()) return InvalidArgument(src + ": $ref into " + file + ": " + other.status().message());
    nlohmann::json doc = std::move(other).value();
    RewriteRefs(doc, std::string("/") + kBundled + "/" + EscapePointerToken(file), &needed);
    bundle[file] = std::move(doc);
  }
  if (!bundle.empty()) root[kBundled] = std::move(bundle);
  return Status::Ok();
}

namespace {

constexpr const char* kMethods[] = {"get", "post", "put", "patch", "delete"};

// What FromJson is building: the document (shared with its LazyValidators) and when to compile.
struct Loading {
  std::shared_ptr<const nlohmann::json> root;
  std::string source;
  SchemaCompilation compilation;
};

// The schema `schema` of the document, compiled now (kAtLoad) or at its first use.
StatusOr<spec::LazyValidator> CompileAt(const nlohmann::json& schema, const Loading& loading, const std::string& where) {
  spec::LazyValidator lazy(loading.root, &schema);
  if (loading.compilation == SchemaCompilation::kAtLoad) {
    if (Status compiled = lazy.Compile(); !compiled.ok()) {
      return InvalidArgument(loading.source + ": " + where + ": " + compiled.message());
    }
  }
  return lazy;
}

// `node`, or what its local $ref points at (one level).
const nlohmann::json& Deref(const nlohmann::json& root, const nlohmann::json& node) {
  if (!node.is_object() || !node.contains("$ref") || !node["$ref"].is_string()) return node;
  const std::string ref = node["$ref"].get<std::string>();
  try {
    return root.at(nlohmann::json::json_pointer(ref.substr(1)));
  } catch (const nlohmann::json::exception&) {
    return node;
  }
}

// The parameters of a path item and its operation (the operation's win by name and place).
Status CompileParameters(const Loading& loading, const nlohmann::json& item, const nlohmann::json& op,
                         const std::string& where, std::vector<OpenApiParameter>* out) {
  const nlohmann::json& root = *loading.root;
  const std::string& src = loading.source;
  for (const nlohmann::json* list : {&item, &op}) {
    auto params = list->find("parameters");
    if (params == list->end()) continue;
    if (!params->is_array()) return InvalidArgument(src + ": " + where + "/parameters: must be a list");
    for (size_t i = 0; i < params->size(); ++i) {
      const nlohmann::json& p = Deref(root, (*params)[i]);
      const std::string at = where + "/parameters/" + std::to_string(i);
      if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || !p.contains("in") || !p["in"].is_string()) {
        return InvalidArgument(src + ": " + at + ": a parameter needs a name and an in");
      }
      OpenApiParameter param;
      param.name = p["name"].get<std::string>();
      param.in = p["in"].get<std::string>();
      if (auto req = p.find("required"); req != p.end()) {
        if (!req->is_boolean()) return InvalidArgument(src + ": " + at + "/required: must be true or false");
        param.required = req->get<bool>();
      }
      if (auto schema = p.find("schema"); schema != p.end()) {
        auto v = CompileAt(*schema, loading, at + "/schema");
        if (!v.ok()) return v.status();
        param.schema = std::move(v).value();
        const nlohmann::json& resolved = Deref(root, *schema);
        if (resolved.is_object() && resolved.contains("type") && resolved["type"].is_string()) {
          param.type = resolved["type"].get<std::string>();
        }
        if (resolved.is_object() && resolved.contains("default")) param.default_value = resolved["default"];
      }
      auto same = std::find_if(out->begin(), out->end(), [&](const OpenApiParameter& o) {
        return o.name == param.name && o.in == param.in;
      });
      if (same != out->end()) {
        *same = std::move(param);
      } else {
        out->push_back(std::move(param));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::shared_ptr<const OpenApiDocument>> OpenApiDocument::Parse(std::string_view yaml_text,
                                                                        std::string_view source_name,
                                                                        const DocumentResolver& resolver) {
  auto parsed = spec::ParseYamlDocument(yaml_text, source_name);
  if (!parsed.ok()) return parsed.status();
  return FromJson(std::move(parsed).value(), source_name, resolver);
}

StatusOr<std::shared_ptr<const OpenApiDocument>> OpenApiDocument::FromJson(nlohmann::json document,
                                                                           std::string_view source_name,
                                                                           const DocumentResolver& resolver,
                                                                           SchemaCompilation compilation) {
  auto doc = std::make_shared<OpenApiDocument>();
  doc->source_name_ = std::string(source_name);
  doc->document_ = std::make_shared<nlohmann::json>(std::move(document));
  if (doc->document_->is_object()) {
    IMAGINE_RETURN_IF_ERROR(BundleExternalRefs(*doc->document_, resolver, doc->source_name_));
  }
  const nlohmann::json& root = *doc->document_;
  const std::string& src = doc->source_name_;
  const Loading loading{doc->document_, src, compilation};
  if (!root.is_object() || !root.contains("paths") || !root["paths"].is_object()) {
    return InvalidArgument(src + ": not an OpenAPI document (no 'paths' object)");
  }

  if (root.contains("components") && root["components"].contains("schemas")) {
    for (const auto& [name, schema] : root["components"]["schemas"].items()) {
      auto v = CompileAt(schema, loading, "components/schemas/" + name);
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
        auto v = CompileAt(*schema, loading, where + "/requestBody");
        if (!v.ok()) return v.status();
        operation.request_body = std::move(v).value();
      }
      if (auto models = op.find("x-emulator-models"); models != op.end()) {
        for (const auto& [model, schema] : models->items()) {
          auto v = CompileAt(schema, loading, where + "/x-emulator-models/" + model);
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
          auto v = CompileAt(media["schema"], loading, where + "/responses/" + status);
          if (!v.ok()) return v.status();
          operation.responses.emplace(status, std::move(v).value());
        }
      }
      IMAGINE_RETURN_IF_ERROR(CompileParameters(loading, item, op, where, &operation.parameters));
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

spec::LazyValidator OpenApiDocument::ComponentSchema(std::string_view name) const {
  auto it = components_.find(name);
  return it == components_.end() ? nullptr : it->second;
}

}  // namespace imagine
