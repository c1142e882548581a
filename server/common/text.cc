#include "common/text.h"

#include <cctype>

namespace imagine {

bool StartsWithNoCase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != lower_prefix[i]) return false;
  }
  return true;
}

void AppendJsonString(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain = 0;  // start of the run of bytes appended as they are
  for (size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out->append(text.data() + plain, i - plain);
    plain = i + 1;
    const char* shorthand = u == '\b' ? "\\b" : u == '\f' ? "\\f" : u == '\n' ? "\\n" : u == '\r' ? "\\r" : u == '\t' ? "\\t" : nullptr;
    if (u >= 0x20) {
      out->push_back('\\');
      out->push_back(static_cast<char>(u));
    } else if (shorthand != nullptr) {
      out->append(shorthand);
    } else {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    }
  }
  out->append(text.data() + plain, text.size() - plain);
  out->push_back('"');
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

StatusOr<std::string> ParseBearer(std::string_view authorization) {
  if (authorization.empty()) {
    return Status(Code::kUnauthenticated, "missing Authorization header", Violation{"", "missing", ""});
  }
  if (!StartsWithNoCase(authorization, "bearer ")) {
    return Status(Code::kUnauthenticated, "Authorization is not a Bearer token", Violation{"", "malformed", ""});
  }
  std::string_view key = authorization.substr(7);
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  if (key.empty() || key.find(' ') != std::string_view::npos) {
    return Status(Code::kUnauthenticated, "Bearer token is empty or malformed", Violation{"", "malformed", ""});
  }
  return std::string(key);
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string UnescapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

std::string PointerToFieldPath(std::string_view pointer) {
  if (pointer.empty() || pointer == "/") return "body";
  std::string out;
  size_t i = 1;
  while (i <= pointer.size()) {
    size_t j = pointer.find('/', i);
    if (j == std::string_view::npos) j = pointer.size();
    const std::string seg = UnescapePointerToken(pointer.substr(i, j - i));
    bool index = !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos;
    if (index && !out.empty()) {
      out += "[" + seg + "]";
    } else {
      if (!out.empty()) out += '.';
      out += seg;
    }
    i = j + 1;
  }
  return out;
}

std::string TruncatedJson(const nlohmann::json& value, size_t max_chars) {
  std::string s = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() <= max_chars) return s;
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "…";
}

std::string MaskSecret(std::string_view secret) {
  if (secret.size() <= 4) return std::string(secret.size(), '*');
  return "…" + std::string(secret.substr(secret.size() - 4));
}

std::string MaskAuthorization(std::string_view value) {
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) return MaskSecret(value);
  return std::string(value.substr(0, space + 1)) + MaskSecret(value.substr(space + 1));
}

}  // namespace imagine
