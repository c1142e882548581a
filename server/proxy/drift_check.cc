#include "proxy/drift_check.h"

#include <algorithm>
#include <cctype>

#include "common/text.h"
#include "providers/common/request_body.h"

namespace imagine {
namespace {

DriftObservation FromError(const spec::ValidationError& e) {
  std::string expected = e.message;
  if (e.keyword == "additionalProperties" || e.keyword == "false") expected = "no such field in the document";
  return DriftObservation{e.pointer, e.keyword, expected, e.value.empty() ? "(absent)" : e.value};
}

// Every error of `schema` on `body`; with `reject_unknown`, fields the schema does not declare count too.
std::vector<spec::ValidationError> AllErrors(const spec::Validator& schema, const nlohmann::json& body,
                                             bool reject_unknown = true) {
  nlohmann::json copy = body;
  std::vector<spec::ValidationError> errors;
  spec::ValidateOptions options;
  options.all_errors = true;
  options.reject_unknown_properties = reject_unknown;
  schema.Validate(copy, &errors, options);
  return errors;
}

bool Passes(const spec::Validator& schema, const nlohmann::json& body) {
  nlohmann::json copy = body;
  spec::ValidateOptions options;
  return schema.Validate(copy, nullptr, options);
}

std::string DeclaredStatuses(const OpenApiOperation& op) {
  std::string out;
  for (const auto& [status, schema] : op.responses) out += (out.empty() ? "" : ", ") + status;
  return out;
}

std::vector<DriftObservation> CheckJsonBody(const spec::Validator& schema, std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return {DriftObservation{"", "json", "a JSON body", TruncatedJson(std::string(body))}};
  }
  std::vector<DriftObservation> out;
  for (const spec::ValidationError& e : AllErrors(schema, parsed)) out.push_back(FromError(e));
  return out;
}

}  // namespace

std::vector<DriftObservation> CheckClientRequest(const OpenApiOperation& op, const ApiRequest& request,
                                                 const RequestValidation& limits) {
  std::vector<DriftObservation> out;
  for (const OpenApiParameter& p : op.parameters) {
    if (p.in == "query" && p.required && !request.HasQuery(p.name)) {
      out.push_back(DriftObservation{"/query/" + p.name, "required", "is required", "(absent)"});
    }
  }
  if (op.request_body == nullptr) return out;
  auto body = ParseJsonObjectBody(request.body, request.Header("Content-Type"), limits);
  if (!body.ok()) {
    const Violation& v = body.status().violation();
    out.push_back(DriftObservation{v.pointer, v.rule, body.status().message(),
                                   v.value.empty() ? TruncatedJson(std::string(request.body.substr(0, 100))) : v.value});
    return out;
  }
  // The envelope leaves the model's fields to the model's schema, as the request flow does.
  for (const spec::ValidationError& e : AllErrors(*op.request_body, *body, false)) out.push_back(FromError(e));
  const nlohmann::json& named = (*body)["model"];
  std::string model = named.is_string() ? named.get<std::string>() : "";
  if (auto alias = op.model_aliases.find(model); alias != op.model_aliases.end()) model = alias->second;
  auto schema = op.models.find(model);
  if (schema == op.models.end()) return out;  // the envelope's enum has reported the model already
  for (const spec::ValidationError& e : AllErrors(*schema->second, *body, limits.strict)) {
    DriftObservation o = FromError(e);
    bool repeated = std::any_of(out.begin(), out.end(), [&o](const DriftObservation& d) {
      return d.pointer == o.pointer && d.rule == o.rule;
    });
    if (!repeated) out.push_back(std::move(o));
  }
  return out;
}

std::vector<DriftObservation> CheckUpstreamAnswer(const ApiSurface& surface, const OpenApiOperation& op, int status,
                                                  std::string_view content_type, std::string_view body) {
  std::vector<DriftObservation> out;
  ApiResponse probe;
  probe.status = status;
  auto declared = op.responses.find(std::to_string(status));
  std::shared_ptr<const spec::Validator> schema = declared != op.responses.end() ? declared->second : nullptr;
  probe.is_error = true;
  std::shared_ptr<const spec::Validator> error_schema = surface.ResponseSchema(op.operation_id, probe);
  if (error_schema == schema) error_schema = nullptr;  // the document names no separate error envelope
  if (declared == op.responses.end()) {
    out.push_back(DriftObservation{"", "status", "one of HTTP " + DeclaredStatuses(op), std::to_string(status)});
    schema = error_schema;  // an undeclared status can still carry the provider's error envelope
    error_schema = nullptr;
  }
  if (schema == nullptr) return out;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    out.push_back(DriftObservation{"", "json", "a JSON body", content_type.empty() ? "(no Content-Type)"
                                                                                   : std::string(content_type)});
    return out;
  }
  std::vector<spec::ValidationError> errors = AllErrors(*schema, parsed);
  if (!errors.empty() && status >= 200 && status < 300 && error_schema != nullptr && Passes(*error_schema, parsed)) {
    errors = AllErrors(*error_schema, parsed);  // an error answer: judged by the error envelope
  }
  for (const spec::ValidationError& e : errors) out.push_back(FromError(e));
  return out;
}

std::shared_ptr<const spec::Validator> CallbackSchema(const OpenApiDocument& document, const OpenApiOperation& create) {
  try {
    std::string method = create.method;
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    const nlohmann::json& op = document.document().at("paths").at(create.path).at(method);
    if (!op.contains("callbacks")) return nullptr;
    for (const auto& callback : op.at("callbacks")) {
      for (const auto& expression : callback) {
        const nlohmann::json& schema =
            expression.at("post").at("requestBody").at("content").at("application/json").at("schema");
        auto compiled = spec::Validator::Compile(schema, document.document());
        if (compiled.ok()) return *compiled;
      }
    }
  } catch (const nlohmann::json::exception&) {
  }
  return nullptr;
}

std::vector<DriftObservation> CheckCallbackBody(const spec::Validator& schema, std::string_view body) {
  return CheckJsonBody(schema, body);
}

}  // namespace imagine
