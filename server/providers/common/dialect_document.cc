#include "providers/common/dialect_document.h"

namespace imagine {
namespace {

// `object[key]` as a string, or false.
bool StringAt(const nlohmann::json& object, const char* key, std::string* out) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

}  // namespace

StatusOr<DialectDocument> ReadDialectDocument(const OpenApiDocument& spec,
                                              const std::map<std::string, ModelOptions>& models,
                                              std::string_view models_section) {
  const std::string& src = spec.source_name();
  auto bad = [&](const std::string& key, const std::string& problem) {
    return InvalidArgument(src + ": x-emulator-dialect" + (key.empty() ? "" : "." + key) + ": " + problem);
  };
  const nlohmann::json& doc = spec.document();
  auto ext = doc.find("x-emulator-dialect");
  if (ext == doc.end() || !ext->is_object()) return bad("", "is required (a mapping)");
  DialectDocument d;
  if (!StringAt(*ext, "path_prefix", &d.path_prefix)) return bad("path_prefix", "must be a string");
  if (auto root = ext->find("serve_at_root"); root != ext->end()) {
    if (!root->is_boolean()) return bad("serve_at_root", "must be true or false");
    d.serve_at_root = root->get<bool>();
  }
  if (auto data = ext->find("image_data_uris"); data != ext->end()) {
    if (!data->is_boolean()) return bad("image_data_uris", "must be true or false");
    d.image_data_uris = data->get<bool>();
  }
  auto ops = ext->find("operations");
  if (ops == ext->end() || !ops->is_object() || !StringAt(*ops, "create", &d.create_operation) ||
      !StringAt(*ops, "query", &d.query_operation) ||
      (ops->contains("credits") && !StringAt(*ops, "credits", &d.credits_operation))) {
    return bad("operations", "must name the create and query operationIds (and credits, if any)");
  }
  for (const std::string* op : {&d.create_operation, &d.query_operation, &d.credits_operation}) {
    if (op->empty() && op == &d.credits_operation) continue;
    if (spec.Find(*op) == nullptr) return bad("operations", "no operation '" + *op + "' in the document");
  }
  auto fields = ext->find("create_fields");
  if (fields == ext->end() || !fields->is_object() || !StringAt(*fields, "prompt", &d.prompt_pointer) ||
      !StringAt(*fields, "callback_url", &d.callback_url_pointer)) {
    return bad("create_fields", "must give the JSON pointers of prompt and callback_url");
  }
  if (fields->contains("image_urls") && !StringAt(*fields, "image_urls", &d.image_urls_pointer)) {
    return bad("create_fields.image_urls", "must be a JSON pointer");
  }
  if (ext->contains("error_schema")) {
    if (!StringAt(*ext, "error_schema", &d.error_schema) || spec.ComponentSchema(d.error_schema) == nullptr) {
      return bad("error_schema", "must name a schema under components/schemas");
    }
  }
  for (auto [key, list] : {std::pair{"empty_as_absent", &d.empty_as_absent}, std::pair{"null_as_absent", &d.null_as_absent}}) {
    auto given = ext->find(key);
    if (given == ext->end()) continue;
    if (!given->is_array()) return bad(key, "must be a list of JSON pointers");
    for (const nlohmann::json& pointer : *given) {
      if (!pointer.is_string() || pointer.get_ref<const std::string&>().rfind('/', 0) != 0) {
        return bad(key, "must be a list of JSON pointers such as /callback_url");
      }
      list->push_back(pointer.get<std::string>());
    }
  }
  std::string pattern;
  if (!StringAt(*ext, "task_id", &pattern)) return bad("task_id", "must be an id pattern");
  auto id_format = IdFormat::Parse(pattern);
  if (!id_format.ok()) return bad("task_id", id_format.status().message());
  d.task_id = std::move(id_format).value();
  auto query = ext->find("query_task_id");
  std::string where;
  if (query == ext->end() || !query->is_object() || !StringAt(*query, "in", &where) ||
      (where != "path" && where != "query") || !StringAt(*query, "name", &d.query_id_name)) {
    return bad("query_task_id", "must give in (path or query) and name");
  }
  d.query_id_in_path = where == "path";
  StringAt(*query, "missing_rule", &d.query_id_missing_rule);
  StringAt(*query, "malformed_rule", &d.query_id_malformed_rule);
  auto words = Wording::Parse(*ext, src);
  if (!words.ok()) return words.status();
  d.words = std::move(words).value();

  d.create = spec.Find(d.create_operation);
  if (d.create->request_body == nullptr || d.create->models.empty()) {
    return InvalidArgument(src + ": " + d.create_operation + " needs a request body and x-emulator-models");
  }
  for (const auto& [model, schema] : d.create->models) {
    if (models.count(model) == 0) {
      return InvalidArgument("config: " + std::string(models_section) + " has no entry for model '" + model +
                             "' of the spec");
    }
    if (!d.model_list.empty()) d.model_list += ", ";
    d.model_list += model;
  }
  return d;
}

}  // namespace imagine
