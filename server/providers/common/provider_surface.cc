#include "providers/common/provider_surface.h"

#include "common/log.h"
#include "common/url.h"
#include "providers/common/data_uri.h"
#include "providers/common/scenario_gate.h"

namespace imagine {
namespace {

// The string at `pointer` in `body`, or "" when absent or not a string.
const std::string& StringAt(const nlohmann::json& body, const std::string& pointer) {
  static const std::string kNone;
  const nlohmann::json::json_pointer p(pointer);
  if (!body.contains(p)) return kNone;
  const nlohmann::json& v = body.at(p);
  return v.is_string() ? v.get_ref<const std::string&>() : kNone;
}

// The length of UTF-8 `text` in code points (the body parser checked it is UTF-8).
size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// Removes each optional field of `pointers` whose value is "" (clients send "" for "not set").
void DropEmptyStrings(const std::vector<std::string>& pointers, nlohmann::json& body) {
  for (const std::string& pointer : pointers) {
    const nlohmann::json::json_pointer p(pointer);
    if (!body.contains(p) || body.at(p) != "") continue;
    nlohmann::json& parent = body.at(p.parent_pointer());
    if (parent.is_object()) parent.erase(p.back());
  }
}

// Removes each optional field of `pointers` whose value is null ("string | null" fields).
void DropNulls(const std::vector<std::string>& pointers, nlohmann::json& body) {
  for (const std::string& pointer : pointers) {
    const nlohmann::json::json_pointer p(pointer);
    if (!body.contains(p) || !body.at(p).is_null()) continue;
    nlohmann::json& parent = body.at(p.parent_pointer());
    if (parent.is_object()) parent.erase(p.back());
  }
}

}  // namespace

struct ProviderSurface::Caller {
  KeyContext key;
  int64_t now_ms = 0;
};

StatusOr<std::unique_ptr<ProviderSurface>> ProviderSurface::Create(std::unique_ptr<const Dialect> dialect,
                                                                   std::shared_ptr<const OpenApiDocument> spec,
                                                                   Engine* engine, const ImageFetcher* fetcher) {
  try {
    auto document = ReadDialectDocument(*spec, dialect->traits().models, dialect->traits().models_section);
    if (!document.ok()) return document.status();
    for (const std::string* pointer :
         {&document->prompt_pointer, &document->callback_url_pointer, &document->image_urls_pointer}) {
      nlohmann::json::json_pointer check(*pointer);  // throws on a malformed pointer
    }
    for (const std::string& pointer : document->empty_as_absent) nlohmann::json::json_pointer check(pointer);
    for (const std::string& pointer : document->null_as_absent) nlohmann::json::json_pointer check(pointer);
    return std::unique_ptr<ProviderSurface>(
        new ProviderSurface(std::move(dialect), std::move(spec), std::move(document).value(), engine, fetcher));
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(spec->source_name() + ": x-emulator-dialect.create_fields: " + e.what());
  }
}

ProviderSurface::ProviderSurface(std::unique_ptr<const Dialect> dialect, std::shared_ptr<const OpenApiDocument> spec,
                                 DialectDocument document, Engine* engine, const ImageFetcher* fetcher)
    : dialect_(std::move(dialect)),
      traits_(dialect_->traits()),
      spec_(std::move(spec)),
      document_(std::move(document)),
      engine_(engine),
      fetcher_(fetcher) {}

std::map<std::string, Handler> ProviderSurface::Handlers() {
  std::map<std::string, Handler> handlers = {
      {document_.create_operation, [this](ApiRequest& r) { return Create(r); }},
      {document_.query_operation, [this](ApiRequest& r) { return Query(r); }},
  };
  if (!document_.credits_operation.empty()) {
    handlers[document_.credits_operation] = [this](ApiRequest& r) { return Credits(r); };
  }
  return handlers;
}

std::vector<std::string> ProviderSurface::MountBases() const {
  const std::string own = "/" + std::string(name());
  // A document whose paths are already under /<name>/ (tests/providers/acme) is its own base.
  if (document_.path_prefix.compare(0, own.size() + 1, own + "/") == 0) return {""};
  if (!document_.serve_at_root) return {own};
  return {"", own};
}

ApiResponse ProviderSurface::RenderError(const Status& status, std::string_view operation) const {
  const ErrorWords& words = document_.words.ErrorFor(status, traits_.wording_flags, operation);
  ApiResponse r = dialect_->RenderError(status, words, Wording::MessageFor(words, status));
  if (!words.hint.empty()) r.headers.emplace_back("X-Emulator-Hint", words.hint);
  r.is_error = true;
  return r;
}

std::shared_ptr<const spec::Validator> ProviderSurface::ResponseSchema(std::string_view operation_id,
                                                                       const ApiResponse& response) const {
  if (response.is_error && !document_.error_schema.empty()) return spec_->ComponentSchema(document_.error_schema);
  return ApiSurface::ResponseSchema(operation_id, response);
}

std::string ProviderSurface::CallbackBody(const Task& task, int64_t now_ms) const {
  std::shared_ptr<const KeyProfile> owner = engine_->accounts().ProfileFor(task.owner_key);
  return dialect_->CallbackBody(task, RenderContext{now_ms, engine_->options().public_url, *owner, document_.words,
                                                    engine_->options().result_ttl_ms});
}

StatusOr<ProviderSurface::Caller> ProviderSurface::Authenticate(ApiRequest& req) const {
  auto bearer = ParseBearer(req.Header("Authorization"));
  if (!bearer.ok()) return bearer.status();
  req.api_key = std::move(bearer).value();  // a refused key is journaled under its own name too
  Caller caller{engine_->accounts().Lookup(req.api_key), engine_->NowMs()};
  if (!caller.key.auth.ok()) return caller.key.auth;
  return caller;
}

RenderContext ProviderSurface::ContextFor(const Caller& caller) const {
  return RenderContext{caller.now_ms, engine_->options().public_url, *caller.key.profile, document_.words,
                       engine_->options().result_ttl_ms};
}

StatusOr<std::string> ProviderSurface::ValidateBody(nlohmann::json& body) const {
  const OpenApiOperation& op = *document_.create;
  IMAGINE_RETURN_IF_ERROR(ValidateAgainst(*op.request_body, body, /*reject_unknown_fields=*/false));
  const nlohmann::json& named = body["model"];
  std::string model = named.is_string() ? named.get<std::string>() : "";
  if (auto alias = op.model_aliases.find(model); alias != op.model_aliases.end()) {
    model = alias->second;  // e.g. Evolink's legacy name "will be automatically mapped" (seed)
  }
  auto schema = op.models.find(model);
  if (schema == op.models.end()) {
    return InvalidArgument("must be one of: " + document_.model_list, Violation{"/model", "enum", TruncatedJson(named)});
  }
  // An alias is checked as the model it names (a published schema's enum lists only that).
  const nlohmann::json given = named;
  if (given != model) body["model"] = model;
  Status valid = ValidateAgainst(*schema->second, body, traits_.validation.strict);
  body["model"] = given;
  IMAGINE_RETURN_IF_ERROR(valid);
  IMAGINE_RETURN_IF_ERROR(CheckImageUrls(body));
  return model;
}

Status ProviderSurface::CheckImageUrls(const nlohmann::json& body) const {
  if (document_.image_urls_pointer.empty()) return Status::Ok();
  const nlohmann::json::json_pointer pointer(document_.image_urls_pointer);
  if (!body.contains(pointer)) return Status::Ok();
  const nlohmann::json& given = body.at(pointer);
  // A list of URLs (image_urls[i]) or one URL string (image.url).
  const bool one = given.is_string();
  if (!one && !given.is_array()) return Status::Ok();  // the schema refused it already
  for (size_t i = 0; i < (one ? 1 : given.size()); ++i) {
    const nlohmann::json& item = one ? given : given[i];
    if (!item.is_string()) continue;  // the schema refused it already
    const std::string where = one ? document_.image_urls_pointer : document_.image_urls_pointer + "/" + std::to_string(i);
    const std::string& text = item.get_ref<const std::string&>();
    if (document_.image_data_uris && IsDataUri(text)) {
      IMAGINE_RETURN_IF_ERROR(CheckImageDataUri(text, where));
      continue;
    }
    auto url = SplitUrl(text);
    const bool web = url.ok() && (EqualsNoCase(url->scheme, "http") || EqualsNoCase(url->scheme, "https")) &&
                     url->has_authority && !url->host.empty();
    if (!web) {
      return InvalidArgument(document_.image_data_uris ? "must be an http or https URL with a host, or a data:image/ URI"
                                                       : "must be an http or https URL with a host",
                             Violation{where, "image_url_http", TruncatedJson(item)});
    }
  }
  return Status::Ok();
}

std::string ProviderSurface::FetchInputImage(const nlohmann::json& body, const std::string& task_hint) const {
  if (fetcher_ == nullptr || document_.image_urls_pointer.empty()) return "";
  const nlohmann::json::json_pointer pointer(document_.image_urls_pointer);
  const bool one = body.contains(pointer) && body.at(pointer).is_string();
  const std::string& url = StringAt(body, one ? document_.image_urls_pointer : document_.image_urls_pointer + "/0");
  if (url.empty() || IsDataUri(url)) return "";  // a data: URI was checked at create
  InputImageCheck check = fetcher_->Fetch(url, traits_.allow_private_images);
  if (check.reason.empty()) return "";
  Log(LogLevel::kInfo, std::string(ProviderName(traits_.provider)) + " input image " + url + " (" + task_hint +
                           "): " + check.reason + ": " + check.detail);
  return check.reason;
}

StatusOr<std::string> ProviderSurface::QueryTaskId(const ApiRequest& req) const {
  const std::string& name = document_.query_id_name;
  const std::string_view id = document_.query_id_in_path ? req.PathParam(name) : req.Query(name);
  if (id.empty() && !document_.query_id_missing_rule.empty()) {
    return InvalidArgument(name + " is required", Violation{"", document_.query_id_missing_rule, ""});
  }
  if (!document_.query_id_malformed_rule.empty() && !document_.task_id.Matches(id)) {
    return InvalidArgument("malformed task id", Violation{"", document_.query_id_malformed_rule, ""});
  }
  return std::string(id);
}

ApiResponse ProviderSurface::Create(ApiRequest& req) {
  const std::string& op = document_.create_operation;
  // 1. auth
  auto caller = Authenticate(req);
  if (!caller.ok()) return RenderError(caller.status(), op);
  // 2. parse
  auto body = ParseJsonObjectBody(req.body, req.Header("Content-Type"), traits_.validation);
  if (!body.ok()) return RenderError(body.status(), op);
  nlohmann::json& request = body.value();
  DropEmptyStrings(document_.empty_as_absent, request);
  DropNulls(document_.null_as_absent, request);
  // 3. schema
  auto model = ValidateBody(request);
  if (!model.ok()) return RenderError(model.status(), op);
  // 4. rules
  RuleContext rules{request, *model, req.api_key, caller->now_ms, engine_, std::nullopt, traits_.provider};
  Status s = CheckRules(traits_.rules, rules);
  if (!s.ok()) return RenderError(s, op);
  // 5. scenario: both emulator headers are read before a scripted answer is given
  auto armed = SelectScenario(*engine_, traits_.provider, Endpoint::kCreate, req, *caller->key.profile, *model,
                              StringAt(request, document_.prompt_pointer));
  if (!armed.ok()) return RenderError(armed.status(), op);
  auto faults = CallbackFaultsHeader(req);
  if (!faults.ok()) {
    if (*armed) engine_->ReleaseScenario(**armed);  // refused before it acted: its match goes back
    return RenderError(faults.status(), op);
  }
  if (*armed && (*armed)->effects.respond) {
    engine_->CommitScenario(**armed);
    return RenderError(ScenarioError(**armed, *model), op);
  }
  // 6. engine
  const ModelOptions& options = traits_.models.at(*model);
  NewTask spec;
  spec.provider = traits_.provider;
  spec.owner_key = req.api_key;
  spec.model = &options;
  spec.reported_model = *model;
  spec.request_json = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  spec.callback_url = StringAt(request, document_.callback_url_pointer);
  spec.prompt_chars = CodePoints(StringAt(request, document_.prompt_pointer));
  spec.output.kind = options.output;
  spec.output.count = options.outputs;
  spec.scenario = *armed ? &**armed : nullptr;
  spec.callback_faults = std::move(faults).value();
  if (!(*armed && !(*armed)->effects.fail_reason.empty())) {  // a scripted failure wins over the fetch
    spec.input_failure = FetchInputImage(request, std::string(req.request_id));
  }
  dialect_->ShapeTask(request, rules.source, &spec);
  auto task = engine_->CreateTask(
      std::move(spec), [this](Random& random, int64_t now) { return document_.task_id.Make(random, now); }, caller->key,
      caller->now_ms);
  if (!task.ok()) {
    if (*armed) engine_->ReleaseScenario(**armed);  // no task (credits, store full): the match goes back
    return RenderError(task.status(), op);
  }
  // 7. render
  ApiResponse r = dialect_->RenderCreated(*task, ContextFor(*caller));
  r.task_id = task->id;
  r.scenario = task->scenario;
  return r;
}

ApiResponse ProviderSurface::Query(ApiRequest& req) {
  const std::string& op = document_.query_operation;
  auto caller = Authenticate(req);
  if (!caller.ok()) return RenderError(caller.status(), op);
  auto id = QueryTaskId(req);
  if (!id.ok()) return RenderError(id.status(), op);
  auto task = engine_->FindTask(traits_.provider, req.api_key, *id);
  Status gate = GateQuery(*engine_, traits_.provider, req, *caller->key.profile, task);
  ApiResponse r = gate.ok() ? dialect_->RenderTask(*task, ContextFor(*caller)) : RenderError(gate, op);
  r.task_id = *id;
  return r;
}

ApiResponse ProviderSurface::Credits(ApiRequest& req) {
  auto caller = Authenticate(req);
  if (!caller.ok()) return RenderError(caller.status(), document_.credits_operation);
  const Balance balance = engine_->BalanceOf(caller->key, caller->now_ms);
  return dialect_->RenderCredits(balance, ContextFor(*caller));
}

}  // namespace imagine
