#include "proxy/recordings.h"

#include <fstream>
#include <sstream>

#include "common/text.h"
#include "spec/yaml_json.h"

namespace imagine {
namespace {

constexpr char kFormat[] = "imagine-emu-recordings/1";

// Whether the JSON writer takes `s` as a string as it is (valid UTF-8).
bool IsUtf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

std::string Hex(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

bool Unhex(const std::string& hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

bool IsFailure(const RecordedAnswer& a) {
  if (a.status >= 400) return true;
  nlohmann::json body = nlohmann::json::parse(a.body, nullptr, false);
  return body.is_object() && body.contains("code") && body["code"].is_number_integer() && body["code"] != 200;
}

}  // namespace

void Recorder::Add(RecordedAnswer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_.push_back(std::move(answer));
  while (answers_.size() > kCapacity) answers_.pop_front();
}

size_t Recorder::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answers_.size();
}

nlohmann::ordered_json Recorder::Fixtures(const std::string& key, const std::string& provider, bool failures_only,
                                          const std::string& replay_key) const {
  nlohmann::ordered_json answers = nlohmann::ordered_json::array();
  std::lock_guard<std::mutex> lock(mu_);
  for (const RecordedAnswer& a : answers_) {
    if (!key.empty() && a.key != key) continue;
    if (!provider.empty() && a.provider != provider) continue;
    if (failures_only && !IsFailure(a)) continue;
    nlohmann::ordered_json j;
    j["key"] = replay_key.empty() ? MaskSecret(a.key) : replay_key;
    j["provider"] = a.provider;
    j["operation"] = a.operation;
    j["status"] = a.status;
    j["content_type"] = a.content_type;
    if (IsUtf8(a.body)) {
      j["body"] = a.body;
    } else {
      j["body_hex"] = Hex(a.body);
    }
    j["method"] = a.method;
    j["path"] = a.path;
    j["recorded_at_ms"] = a.recorded_at_ms;
    answers.push_back(std::move(j));
  }
  return nlohmann::ordered_json{{"format", kFormat}, {"answers", std::move(answers)}};
}

Status Replayer::Load(const nlohmann::json& document) {
  if (!document.is_object() || !document.contains("answers") || !document["answers"].is_array()) {
    return InvalidArgument("a recordings document is an object with an \"answers\" list",
                           Violation{"/answers", "required", ""});
  }
  if (document.contains("format") && document["format"] != kFormat) {
    return InvalidArgument(std::string("unknown recordings format (expected ") + kFormat + ")",
                           Violation{"/format", "const", TruncatedJson(document["format"])});
  }
  std::map<std::tuple<std::string, std::string, std::string>, Script> scripts;
  size_t i = 0;
  for (const nlohmann::json& a : document["answers"]) {
    const std::string at = "/answers/" + std::to_string(i++);
    auto text = [&](const char* name, bool required, std::string* out) -> Status {
      if (!a.is_object() || !a.contains(name)) {
        return required ? InvalidArgument("is required", Violation{at + "/" + name, "required", ""}) : Status::Ok();
      }
      if (!a[name].is_string()) {
        return InvalidArgument("must be a string", Violation{at + "/" + name, "type", TruncatedJson(a[name])});
      }
      *out = a[name].get<std::string>();
      return Status::Ok();
    };
    RecordedAnswer r;
    IMAGINE_RETURN_IF_ERROR(text("key", true, &r.key));
    IMAGINE_RETURN_IF_ERROR(text("provider", true, &r.provider));
    IMAGINE_RETURN_IF_ERROR(text("operation", true, &r.operation));
    r.content_type = "application/json";
    IMAGINE_RETURN_IF_ERROR(text("content_type", false, &r.content_type));
    if (!a.contains("status") || !a["status"].is_number_integer() || a["status"] < 100 || a["status"] > 599) {
      return InvalidArgument("must be an HTTP status from 100 to 599",
                             Violation{at + "/status", "type", a.contains("status") ? TruncatedJson(a["status"]) : ""});
    }
    r.status = a["status"].get<int>();
    std::string hex;
    IMAGINE_RETURN_IF_ERROR(text("body_hex", false, &hex));
    if (!hex.empty()) {
      if (!Unhex(hex, &r.body)) return InvalidArgument("must be hexadecimal", Violation{at + "/body_hex", "pattern", ""});
    } else {
      IMAGINE_RETURN_IF_ERROR(text("body", true, &r.body));
    }
    scripts[{r.key, r.provider, r.operation}].answers.push_back(std::move(r));
  }
  std::lock_guard<std::mutex> lock(mu_);
  scripts_ = std::move(scripts);
  total_ = i;
  loaded_.store(total_ > 0);
  return Status::Ok();
}

std::optional<ApiResponse> Replayer::Answer(const std::string& key, const std::string& provider,
                                            const std::string& operation) {
  if (!loaded_.load(std::memory_order_relaxed)) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = scripts_.find({key, provider, operation});
  if (it == scripts_.end()) return std::nullopt;
  Script& s = it->second;
  const size_t index = s.next < s.answers.size() ? s.next : s.answers.size() - 1;
  if (s.next < s.answers.size()) ++s.next;
  const RecordedAnswer& a = s.answers[index];
  ApiResponse r;
  r.status = a.status;
  r.content_type = a.content_type;
  r.body = a.body;
  r.scenario = "replay";
  r.headers.emplace_back("X-Emulator-Replayed", std::to_string(index + 1) + "/" + std::to_string(s.answers.size()));
  return r;
}

size_t Replayer::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

StatusOr<nlohmann::json> ReadRecordingsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read recordings file " + path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (!doc.is_discarded()) return doc;
  auto yaml = spec::ParseYamlDocument(text.str(), path);
  if (!yaml.ok()) return InvalidArgument("recordings file " + path + ": " + yaml.status().message());
  return yaml;
}

}  // namespace imagine
