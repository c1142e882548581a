#include "providers/common/request_body.h"

#include <algorithm>
#include <cctype>
#include <vector>

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
    if (c == 0) {
      // nlohmann's lexer takes a NUL for the end of input and would ignore what follows;
      // JSON allows no raw NUL anywhere (inside a string it must be escaped).
      return InvalidArgument("request body is not valid JSON: NUL byte at offset " + std::to_string(i),
                             Violation{"", "json", ""});
    }
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

// A SAX pass that only tracks where it is, to name the field of a number too large for a
// double (nlohmann reports it as out_of_range 406 without a position we can map to a field).
class PathTracker : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string pointer;  // JSON pointer of the value being parsed when the error came

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override { return Value(); }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    frames_.push_back({true, "", 0});
    return true;
  }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override { return Leave(); }
  bool start_array(std::size_t) override {
    frames_.push_back({false, "", 0});
    return true;
  }
  bool end_array() override { return Leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    pointer.clear();
    for (const Frame& f : frames_) {
      pointer += "/";
      if (f.object) {
        for (char c : f.key) pointer += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      } else {
        pointer += std::to_string(f.index);
      }
    }
    return false;
  }

 private:
  struct Frame {
    bool object;
    std::string key;
    size_t index;
  };
  bool Value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  bool Leave() {  // a container is a value of its parent: counted when it ends
    frames_.pop_back();
    return Value();
  }
  std::vector<Frame> frames_;
};

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
  } catch (const nlohmann::json::exception& e) {
    // out_of_range 406: a number such as 1e400 that no double holds. Name its field.
    PathTracker tracker;
    nlohmann::json::sax_parse(body, &tracker);
    std::string value = "number";
    if (size_t q = std::string_view(e.what()).find('\''); q != std::string_view::npos) {
      std::string_view rest = std::string_view(e.what()).substr(q + 1);
      value = std::string(rest.substr(0, std::min<size_t>(rest.find('\''), 40)));
    }
    if (tracker.pointer.empty()) {
      return InvalidArgument("request body is not valid JSON: number " + value + " is out of range",
                             Violation{"", "json", ""});
    }
    return InvalidArgument("number is out of range (larger than a double holds)",
                           Violation{tracker.pointer, "maximum", value});
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
