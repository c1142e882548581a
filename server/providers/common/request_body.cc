#include "providers/common/request_body.h"

#include <cctype>

#include "common/text.h"

namespace imagine {
namespace {

// One pass over the bytes: valid UTF-8, and the nesting depth outside strings.
Status ScanBody(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  const size_t n = body.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        if (++depth > max_depth) {
          return InvalidArgument("request body nests deeper than " + std::to_string(max_depth) + " levels",
                                 Violation{"", "depth", ""});
        }
      } else if (c == '}' || c == ']') {
        --depth;
      }
      ++i;
      continue;
    }
    escaped = false;
    size_t len = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xC0) == 0x80;
    if (ok) {
      uint32_t cp = len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
      ok = (len == 2 && cp >= 0x80) || (len == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) ||
           (len == 4 && cp >= 0x10000 && cp <= 0x10FFFF);
    }
    if (!ok) {
      return InvalidArgument("request body is not valid UTF-8 (bad byte at offset " + std::to_string(i) + ")",
                             Violation{"", "utf8", ""});
    }
    i += len;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<nlohmann::json> ParseJsonObjectBody(std::string_view body, std::string_view content_type,
                                             const RequestValidation& limits) {
  if (!StartsWithNoCase(content_type, "application/json")) {
    std::string got = content_type.empty() ? "none" : "\"" + std::string(content_type.substr(0, 100)) + "\"";
    return InvalidArgument("Content-Type must be application/json (got " + got + ")",
                           Violation{"", "content_type", ""});
  }
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return InvalidArgument("request body is empty; expected a JSON object", Violation{"", "body_empty", ""});
  }
  IMAGINE_RETURN_IF_ERROR(ScanBody(body, limits.max_depth));
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    size_t cut = what.find("] ");
    if (cut != std::string::npos) what = what.substr(cut + 2);
    return InvalidArgument("request body is not valid JSON: " + what, Violation{"", "json", ""});
  }
  if (!parsed.is_object()) {
    return InvalidArgument("request body must be a JSON object", Violation{"", "type", TruncatedJson(parsed)});
  }
  return parsed;
}

std::string DescribeViolation(const Status& status) {
  const Violation& v = status.violation();
  if (v.pointer.empty()) return status.message();
  std::string s = PointerToFieldPath(v.pointer) + ": " + status.message();
  if (!v.value.empty()) s += " (got " + v.value + ")";
  return s;
}

}  // namespace imagine
