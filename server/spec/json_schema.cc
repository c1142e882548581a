// JSON Schema compiler and evaluator; see json_schema.h for the supported subset and contracts.
// Compile-time work (keyword parsing, $ref resolution, regex compilation) happens once; the
// evaluator only reads the node table, allocates nothing on the success path and builds
// pointers and messages only when it reports an error.
#include "spec/json_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <regex>
#include <unordered_map>
#include <utility>

namespace imagine::spec {
namespace {

using json = nlohmann::json;

// Instance/schema type bits. An integer instance carries both kInteger and kNumber; a float
// carries kInteger too when it has no fractional part (1.0 is an integer, as in the suite).
enum TypeBit : uint8_t {
  kNullBit = 1 << 0,
  kBooleanBit = 1 << 1,
  kObjectBit = 1 << 2,
  kArrayBit = 1 << 3,
  kNumberBit = 1 << 4,
  kStringBit = 1 << 5,
  kIntegerBit = 1 << 6,
};

constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

// libstdc++'s default std::regex matcher backtracks recursively, one stack frame chain per
// input character: on an 8 MiB stack `^(a|b)*$` crashes near 12k characters and `^[a-z]*$`
// near 27k. Its Thompson-NFA mode (the libstdc++ extension flag __polynomial) keeps the
// recursion bounded by the pattern size and the time polynomial, with the same ECMAScript
// syntax and the same yes/no answer for regex_search; it rejects back-references, for which
// the backtracking matcher is kept and its input capped at kMaxBacktrackingInput bytes.
#if defined(__GLIBCXX__)
constexpr std::regex::flag_type kBoundedPatternSyntax =
    std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
constexpr std::regex::flag_type kBoundedPatternSyntax = std::regex::ECMAScript;
#endif
constexpr size_t kMaxBacktrackingInput = 2048;
constexpr size_t kMaxValueCodePoints = 100;  // ValidationError::value length before "…"
constexpr char kEllipsis[] = "\xE2\x80\xA6";   // U+2026

// Keys that carry no validation meaning; accepted anywhere a keyword may appear.
constexpr const char* kAnnotationKeywords[] = {
    "$schema", "$id",      "id",        "title",        "description", "example",
    "examples", "deprecated", "readOnly", "writeOnly", "discriminator", "xml",
    "externalDocs", "$comment",
};

// Every keyword Compile understands (validation keywords and annotations).
constexpr const char* kValidationKeywords[] = {
    "type",          "enum",          "const",     "required",  "properties",
    "additionalProperties", "items",  "additionalItems", "minItems", "maxItems",
    "minLength",     "maxLength",     "pattern",   "minimum",   "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "format", "allOf",  "anyOf",
    "oneOf",         "not",           "$ref",      "nullable",  "default",
    "definitions",
};

bool IsAnnotation(const std::string& key) {
  if (key.size() >= 2 && key[0] == 'x' && key[1] == '-') return true;
  for (const char* k : kAnnotationKeywords) {
    if (key == k) return true;
  }
  return false;
}

bool IsKnownKeyword(const std::string& key) {
  if (IsAnnotation(key)) return true;
  for (const char* k : kValidationKeywords) {
    if (key == k) return true;
  }
  return false;
}

// RFC 6901 token escaping: "~" -> "~0", "/" -> "~1".
void AppendPointerToken(std::string& out, const std::string& token) {
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
}

std::string ChildPointer(const std::string& parent, const std::string& token) {
  std::string out = parent;
  AppendPointerToken(out, token);
  return out;
}

std::string ChildPointer(const std::string& parent, size_t index) {
  return parent + "/" + std::to_string(index);
}

// "#/a/b" for messages; "#" for the root.
std::string Where(const std::string& pointer) { return "#" + pointer; }

size_t CountCodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Byte offset where code point number `count` starts (or s.size() if s is shorter).
size_t CodePointOffset(const std::string& s, size_t count) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == count) return i;
      ++seen;
    }
  }
  return s.size();
}

std::string DumpCompact(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Compact JSON of `v`, stopping soon after `out` exceeds `budget` bytes so a huge value never
// gets serialized in full just to be truncated.
void DumpBounded(const json& v, size_t budget, std::string& out) {
  if (out.size() > budget) return;
  switch (v.type()) {
    case json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (out.size() > budget) return;
        if (!first) out.push_back(',');
        first = false;
        out += DumpCompact(json(it.key()));
        out.push_back(':');
        DumpBounded(it.value(), budget, out);
      }
      out.push_back('}');
      return;
    }
    case json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const json& item : v) {
        if (out.size() > budget) return;
        if (!first) out.push_back(',');
        first = false;
        DumpBounded(item, budget, out);
      }
      out.push_back(']');
      return;
    }
    case json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.size() <= budget) {
        out += DumpCompact(v);
      } else {
        size_t cut = budget;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
        out += DumpCompact(json(s.substr(0, cut)));
      }
      return;
    }
    default:
      out += DumpCompact(v);
      return;
  }
}

// The ValidationError::value rendering: compact JSON cut to 100 code points plus "…".
std::string RenderValue(const json& v) {
  // 4 bytes per code point at most, so a 512-byte prefix always holds 101 code points
  // whenever the full rendering does.
  std::string out;
  DumpBounded(v, 512, out);
  if (CountCodePoints(out) > kMaxValueCodePoints) {
    out.resize(CodePointOffset(out, kMaxValueCodePoints));
    out += kEllipsis;
  }
  return out;
}

// A schema value inside a message: strings bare, everything else compact JSON.
std::string RenderForMessage(const json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>();
  return DumpCompact(v);
}

double ToDouble(const json& v) {
  switch (v.type()) {
    case json::value_t::number_float: return v.get_ref<const json::number_float_t&>();
    case json::value_t::number_integer:
      return static_cast<double>(v.get_ref<const json::number_integer_t&>());
    case json::value_t::number_unsigned:
      return static_cast<double>(v.get_ref<const json::number_unsigned_t&>());
    default: return 0;
  }
}

constexpr int kUnordered = 2;

// Numeric comparison of two JSON numbers: -1, 0, 1, or kUnordered (NaN). Exact when both are
// integers (signed/unsigned mixed), double arithmetic otherwise.
int CompareNumbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool au = a.is_number_unsigned();
    const bool bu = b.is_number_unsigned();
    if (au && bu) {
      auto x = a.get_ref<const json::number_unsigned_t&>();
      auto y = b.get_ref<const json::number_unsigned_t&>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (!au && !bu) {
      auto x = a.get_ref<const json::number_integer_t&>();
      auto y = b.get_ref<const json::number_integer_t&>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (au) {  // a unsigned, b signed
      auto y = b.get_ref<const json::number_integer_t&>();
      if (y < 0) return 1;
      auto x = a.get_ref<const json::number_unsigned_t&>();
      auto uy = static_cast<uint64_t>(y);
      return x < uy ? -1 : (x > uy ? 1 : 0);
    }
    auto x = a.get_ref<const json::number_integer_t&>();  // a signed, b unsigned
    if (x < 0) return -1;
    auto ux = static_cast<uint64_t>(x);
    auto y = b.get_ref<const json::number_unsigned_t&>();
    return ux < y ? -1 : (ux > y ? 1 : 0);
  }
  const double x = ToDouble(a);
  const double y = ToDouble(b);
  if (x < y) return -1;
  if (x > y) return 1;
  if (x == y) return 0;
  return kUnordered;
}

// JSON Schema equality: numbers by value (1 == 1.0), containers structurally.
bool JsonEqual(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      const auto& x = a.get_ref<const json::object_t&>();
      const auto& y = b.get_ref<const json::object_t&>();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->first != j->first || !JsonEqual(i->second, j->second)) return false;
      }
      return true;
    }
    case json::value_t::array: {
      const auto& x = a.get_ref<const json::array_t&>();
      const auto& y = b.get_ref<const json::array_t&>();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

uint8_t InstanceTypeBits(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return kNullBit;
    case json::value_t::boolean: return kBooleanBit;
    case json::value_t::object: return kObjectBit;
    case json::value_t::array: return kArrayBit;
    case json::value_t::string: return kStringBit;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return kNumberBit | kIntegerBit;
    case json::value_t::number_float: {
      const double d = v.get_ref<const json::number_float_t&>();
      if (std::isfinite(d) && std::floor(d) == d) return kNumberBit | kIntegerBit;
      return kNumberBit;
    }
    default: return 0;  // binary / discarded: matches no type
  }
}

bool TypeBitFor(const std::string& name, uint8_t* bit) {
  static const std::pair<const char*, uint8_t> kTypes[] = {
      {"null", kNullBit},     {"boolean", kBooleanBit}, {"object", kObjectBit},
      {"array", kArrayBit},   {"number", kNumberBit},   {"string", kStringBit},
      {"integer", kIntegerBit},
  };
  for (const auto& [type_name, type_bit] : kTypes) {
    if (name == type_name) {
      *bit = type_bit;
      return true;
    }
  }
  return false;
}

// --- format: uri (RFC 3986 section 3: scheme ":" hier-part [ "?" query ] [ "#" fragment ]) ---

bool IsAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsUnreserved(unsigned char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(unsigned char c) {
  switch (c) {
    case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=':
      return true;
    default:
      return false;
  }
}

// True when s[begin, end) consists of unreserved / sub-delims / pct-encoded characters and
// the characters in `extra`.
bool AllUriChars(const std::string& s, size_t begin, size_t end, const char* extra) {
  for (size_t i = begin; i < end; ++i) {
    const unsigned char c = s[i];
    if (c == '%') {
      if (i + 2 >= end) return false;
      if (!IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (IsUnreserved(c) || IsSubDelim(c)) continue;
    bool ok = false;
    for (const char* e = extra; *e != '\0'; ++e) {
      if (c == static_cast<unsigned char>(*e)) ok = true;
    }
    if (!ok) return false;
  }
  return true;
}

bool IsUri(const std::string& s) {
  // scheme
  if (s.empty() || !IsAlpha(s[0])) return false;
  size_t i = 1;
  while (i < s.size() && (IsAlpha(s[i]) || IsDigit(s[i]) || s[i] == '+' || s[i] == '-' ||
                          s[i] == '.')) {
    ++i;
  }
  if (i >= s.size() || s[i] != ':') return false;
  ++i;
  const size_t query = s.find('?', i);
  const size_t fragment = s.find('#', i);
  const size_t hier_end = std::min(query, fragment);
  const size_t hier_stop = hier_end == std::string::npos ? s.size() : hier_end;
  size_t path_begin = i;
  if (s.compare(i, 2, "//") == 0) {
    const size_t auth_begin = i + 2;
    size_t auth_end = s.find('/', auth_begin);
    if (auth_end == std::string::npos || auth_end > hier_stop) auth_end = hier_stop;
    size_t host_begin = auth_begin;
    const size_t at = s.find('@', auth_begin);
    if (at != std::string::npos && at < auth_end) {
      if (!AllUriChars(s, auth_begin, at, ":")) return false;
      host_begin = at + 1;
    }
    size_t host_end;
    if (host_begin < auth_end && s[host_begin] == '[') {
      const size_t close = s.find(']', host_begin);
      if (close == std::string::npos || close >= auth_end || close == host_begin + 1) {
        return false;
      }
      for (size_t k = host_begin + 1; k < close; ++k) {
        const unsigned char c = s[k];
        if (!(IsHex(c) || c == ':' || c == '.' || c == 'v' || c == 'V' || IsUnreserved(c) ||
              IsSubDelim(c))) {
          return false;
        }
      }
      host_end = close + 1;
    } else {
      host_end = host_begin;
      while (host_end < auth_end && s[host_end] != ':') ++host_end;
      if (!AllUriChars(s, host_begin, host_end, "")) return false;
    }
    if (host_end < auth_end) {
      if (s[host_end] != ':') return false;
      for (size_t k = host_end + 1; k < auth_end; ++k) {
        if (!IsDigit(s[k])) return false;
      }
    }
    path_begin = auth_end;
  }
  if (!AllUriChars(s, path_begin, hier_stop, ":@/")) return false;
  if (query != std::string::npos && query < (fragment == std::string::npos ? s.size() : fragment)) {
    const size_t query_end = fragment == std::string::npos ? s.size() : fragment;
    if (!AllUriChars(s, query + 1, query_end, ":@/?")) return false;
  }
  if (fragment != std::string::npos) {
    if (!AllUriChars(s, fragment + 1, s.size(), ":@/?")) return false;
  }
  return true;
}

// Reads a non-negative integer keyword value (1.0 accepted).
bool ReadCount(const json& v, size_t* out) {
  if (v.is_number_unsigned()) {
    *out = static_cast<size_t>(v.get<json::number_unsigned_t>());
    return true;
  }
  if (v.is_number_integer()) {
    const auto i = v.get<json::number_integer_t>();
    if (i < 0) return false;
    *out = static_cast<size_t>(i);
    return true;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < 0 || std::floor(d) != d || d > 9.0e18) return false;
    *out = static_cast<size_t>(d);
    return true;
  }
  return false;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Node: one compiled schema. Children are indices into Validator::nodes_.

struct Validator::Node {
  enum class Kind : uint8_t {
    kAny,     // `true` or an empty schema: everything is valid
    kNever,   // `false`: nothing is valid
    kSchema,  // keyword checks below
  };
  struct Bound {
    bool present = false;
    bool exclusive = false;
    const char* keyword = "";  // reported keyword
    json value;                // the limit (a number)
  };

  Kind kind = Kind::kSchema;
  bool nullable = false;  // OpenAPI 3.0: a null instance is valid outright

  uint8_t types = 0;  // TypeBit mask; 0 = unconstrained
  std::vector<std::string> type_names;  // declared order, for the message

  bool has_enum = false;
  std::vector<json> enum_values;
  bool has_const = false;
  json const_value;

  // Objects.
  bool has_object_checks = false;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, int>> properties;  // sorted by name (std::map order)
  int additional_properties = -1;                       // -1: extra properties are allowed
  bool additional_properties_stated = false;            // the keyword is present (even as `true`)

  // Arrays.
  bool has_array_checks = false;
  size_t min_items = 0;
  size_t max_items = kNoLimit;
  int items = -1;                 // single-schema form
  bool tuple = false;             // array form: tuple_items + additional_items
  std::vector<int> tuple_items;
  int additional_items = -1;      // -1: extra items are allowed

  // Strings.
  bool has_string_checks = false;
  size_t min_length = 0;
  size_t max_length = kNoLimit;
  std::unique_ptr<std::regex> pattern;  // immutable after compile; regex_search is const
  bool pattern_bounded = false;         // compiled for the non-recursive matcher
  std::string pattern_source;
  bool format_uri = false;

  // Numbers.
  bool has_number_checks = false;
  Bound minimum, exclusive_minimum, maximum, exclusive_maximum;

  // Combinators (applied to the same instance).
  bool has_combinators = false;
  std::vector<int> all_of, any_of, one_of;
  int not_schema = -1;

  bool has_default = false;
  json default_value;
  bool may_apply_defaults = false;  // this node or a walked child declares a property default
};

Validator::Validator() = default;
Validator::~Validator() = default;

// ------------------------------------------------------------------------------------------
// Compiler

class Validator::Compiler {
 public:
  Compiler(const json& root, std::vector<Node>& nodes) : root_(root), nodes_(nodes) {}

  // Compiles the schema `s` found at schema pointer `ptr`; returns its node index.
  StatusOr<int> CompileSchema(const json& s, const std::string& ptr);
  // Whole-graph checks and derived flags once every node exists.
  Status Finish();

 private:
  Status CompileKeywords(const json& s, const std::string& ptr, Node& n);
  Status CompileSchemaList(const json& v, const std::string& ptr, const char* keyword,
                           std::vector<int>* out);
  Status ResolveRef(const std::string& ref, const std::string& ptr, const json** target,
                    std::string* target_ptr) const;
  Status ReadBound(const json& v, const std::string& ptr, const char* keyword,
                   Node::Bound* bound) const;
  bool InPlaceCycleFrom(int node, std::vector<uint8_t>& color) const;

  static Status Malformed(const char* keyword, const std::string& ptr, const std::string& why) {
    return InvalidArgument("malformed keyword '" + std::string(keyword) + "' at " + Where(ptr) +
                           ": " + why);
  }

  const json& root_;
  std::vector<Node>& nodes_;
  std::vector<std::string> node_pointers_;         // schema pointer of each node, for messages
  std::unordered_map<const json*, int> compiled_;  // schema json address -> node index
  std::vector<const json*> ref_chain_;             // $ref objects being resolved right now
};

StatusOr<int> Validator::Compiler::CompileSchema(const json& s, const std::string& ptr) {
  if (auto it = compiled_.find(&s); it != compiled_.end()) return it->second;

  if (s.is_boolean()) {
    const int index = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    nodes_.back().kind = s.get<bool>() ? Node::Kind::kAny : Node::Kind::kNever;
    node_pointers_.push_back(ptr);
    compiled_.emplace(&s, index);
    return index;
  }
  if (!s.is_object()) {
    return InvalidArgument("schema at " + Where(ptr) + " must be an object or a boolean");
  }

  if (auto ref = s.find("$ref"); ref != s.end()) {
    // Siblings of $ref are ignored (draft4/7, OpenAPI 3.0) but must still be known keywords.
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (!IsKnownKeyword(it.key())) {
        return InvalidArgument("unsupported keyword '" + it.key() + "' at " + Where(ptr));
      }
    }
    if (!ref->is_string()) return Malformed("$ref", ptr, "must be a string");
    if (std::find(ref_chain_.begin(), ref_chain_.end(), &s) != ref_chain_.end()) {
      return InvalidArgument("circular $ref '" + ref->get<std::string>() + "' at " + Where(ptr) +
                             " never reaches a schema");
    }
    const json* target = nullptr;
    std::string target_ptr;
    IMAGINE_RETURN_IF_ERROR(ResolveRef(ref->get<std::string>(), ptr, &target, &target_ptr));
    ref_chain_.push_back(&s);
    StatusOr<int> index = CompileSchema(*target, target_ptr);
    ref_chain_.pop_back();
    if (!index.ok()) return index.status();
    compiled_.emplace(&s, *index);
    return *index;
  }

  // Allocate first so recursive refs back to this schema find its index.
  const int index = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  node_pointers_.push_back(ptr);
  compiled_.emplace(&s, index);
  // Refs resolved below start from a real schema node, so an earlier ref chain is no cycle.
  std::vector<const json*> saved_chain;
  saved_chain.swap(ref_chain_);
  Node n;
  Status status = CompileKeywords(s, ptr, n);
  ref_chain_.swap(saved_chain);
  IMAGINE_RETURN_IF_ERROR(status);
  nodes_[index] = std::move(n);
  return index;
}

Status Validator::Compiler::CompileSchemaList(const json& v, const std::string& ptr,
                                              const char* keyword, std::vector<int>* out) {
  if (!v.is_array() || v.empty()) return Malformed(keyword, ptr, "must be a non-empty array");
  const std::string base = ChildPointer(ptr, keyword);
  for (size_t i = 0; i < v.size(); ++i) {
    StatusOr<int> child = CompileSchema(v[i], ChildPointer(base, i));
    if (!child.ok()) return child.status();
    out->push_back(*child);
  }
  return Status::Ok();
}

Status Validator::Compiler::ReadBound(const json& v, const std::string& ptr, const char* keyword,
                                      Node::Bound* bound) const {
  if (!v.is_number()) return Malformed(keyword, ptr, "must be a number");
  bound->present = true;
  bound->keyword = keyword;
  bound->value = v;
  return Status::Ok();
}

Status Validator::Compiler::CompileKeywords(const json& s, const std::string& ptr, Node& n) {
  bool saw_validation_keyword = false;
  std::optional<bool> exclusive_min_flag, exclusive_max_flag;  // draft4 boolean form
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    if (IsAnnotation(key)) continue;

    if (key == "type") {
      std::vector<std::string> names;
      if (v.is_string()) {
        names.push_back(v.get<std::string>());
      } else if (v.is_array() && !v.empty()) {
        for (const json& t : v) {
          if (!t.is_string()) {
            return Malformed("type", ptr, "must be a type name or an array of type names");
          }
          names.push_back(t.get<std::string>());
        }
      } else {
        return Malformed("type", ptr, "must be a type name or a non-empty array of type names");
      }
      for (const std::string& name : names) {
        uint8_t bit = 0;
        if (!TypeBitFor(name, &bit)) return Malformed("type", ptr, "unknown type '" + name + "'");
        n.types |= bit;
      }
      n.type_names = std::move(names);
    } else if (key == "enum") {
      if (!v.is_array()) return Malformed("enum", ptr, "must be an array");
      n.has_enum = true;
      n.enum_values.assign(v.begin(), v.end());
    } else if (key == "const") {
      n.has_const = true;
      n.const_value = v;
    } else if (key == "required") {
      if (!v.is_array()) return Malformed("required", ptr, "must be an array of strings");
      for (const json& name : v) {
        if (!name.is_string()) return Malformed("required", ptr, "must be an array of strings");
        n.required.push_back(name.get<std::string>());
      }
      n.has_object_checks = n.has_object_checks || !n.required.empty();
    } else if (key == "properties") {
      if (!v.is_object()) return Malformed("properties", ptr, "must be an object");
      const std::string base = ChildPointer(ptr, "properties");
      for (auto p = v.begin(); p != v.end(); ++p) {
        StatusOr<int> child = CompileSchema(p.value(), ChildPointer(base, p.key()));
        if (!child.ok()) return child.status();
        n.properties.emplace_back(p.key(), *child);
      }
      // nlohmann objects iterate in std::map order already; sort anyway to pin the invariant
      // the evaluator's merge walk relies on.
      std::sort(n.properties.begin(), n.properties.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      n.has_object_checks = n.has_object_checks || !n.properties.empty();
    } else if (key == "additionalProperties") {
      if (!v.is_boolean() && !v.is_object()) {
        return Malformed("additionalProperties", ptr, "must be a boolean or a schema");
      }
      StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key));
      if (!child.ok()) return child.status();
      n.additional_properties_stated = true;
      if (nodes_[*child].kind != Node::Kind::kAny) {
        n.additional_properties = *child;
        n.has_object_checks = true;
      }
    } else if (key == "items") {
      if (v.is_array()) {
        n.tuple = true;
        const std::string base = ChildPointer(ptr, "items");
        for (size_t i = 0; i < v.size(); ++i) {
          StatusOr<int> child = CompileSchema(v[i], ChildPointer(base, i));
          if (!child.ok()) return child.status();
          n.tuple_items.push_back(*child);
        }
      } else if (v.is_object() || v.is_boolean()) {
        StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key));
        if (!child.ok()) return child.status();
        n.items = *child;
      } else {
        return Malformed("items", ptr, "must be a schema or an array of schemas");
      }
      n.has_array_checks = true;
    } else if (key == "additionalItems") {
      if (!v.is_boolean() && !v.is_object()) {
        return Malformed("additionalItems", ptr, "must be a boolean or a schema");
      }
      StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key));
      if (!child.ok()) return child.status();
      if (nodes_[*child].kind != Node::Kind::kAny) n.additional_items = *child;
    } else if (key == "minItems" || key == "maxItems" || key == "minLength" ||
               key == "maxLength") {
      size_t count = 0;
      if (!ReadCount(v, &count)) {
        return Malformed(key.c_str(), ptr, "must be a non-negative integer");
      }
      if (key == "minItems") n.min_items = count;
      if (key == "maxItems") n.max_items = count;
      if (key == "minLength") n.min_length = count;
      if (key == "maxLength") n.max_length = count;
    } else if (key == "pattern") {
      if (!v.is_string()) return Malformed("pattern", ptr, "must be a string");
      n.pattern_source = v.get<std::string>();
      try {
        n.pattern = std::make_unique<std::regex>(n.pattern_source, kBoundedPatternSyntax);
        n.pattern_bounded = true;
      } catch (const std::regex_error&) {
        // Back-references need the backtracking matcher (or the pattern is invalid: the
        // retry reports it).
        try {
          n.pattern = std::make_unique<std::regex>(n.pattern_source, std::regex::ECMAScript);
          n.pattern_bounded = false;
        } catch (const std::regex_error& e) {
          return InvalidArgument("invalid regex in 'pattern' at " + Where(ptr) + ": " +
                                 e.what());
        }
      }
      n.has_string_checks = true;
    } else if (key == "format") {
      if (!v.is_string()) return Malformed("format", ptr, "must be a string");
      if (v.get_ref<const std::string&>() == "uri") {
        n.format_uri = true;
        n.has_string_checks = true;
      }
    } else if (key == "minimum") {
      IMAGINE_RETURN_IF_ERROR(ReadBound(v, ptr, "minimum", &n.minimum));
      n.has_number_checks = true;
    } else if (key == "maximum") {
      IMAGINE_RETURN_IF_ERROR(ReadBound(v, ptr, "maximum", &n.maximum));
      n.has_number_checks = true;
    } else if (key == "exclusiveMinimum" || key == "exclusiveMaximum") {
      const bool is_min = key == "exclusiveMinimum";
      if (v.is_boolean()) {  // draft4 / OpenAPI 3.0: modifies minimum/maximum
        (is_min ? exclusive_min_flag : exclusive_max_flag) = v.get<bool>();
      } else {  // draft6+ / OpenAPI 3.1: a bound of its own
        Node::Bound* bound = is_min ? &n.exclusive_minimum : &n.exclusive_maximum;
        if (!v.is_number()) return Malformed(key.c_str(), ptr, "must be a number or a boolean");
        IMAGINE_RETURN_IF_ERROR(ReadBound(v, ptr, is_min ? "exclusiveMinimum" : "exclusiveMaximum",
                                          bound));
        bound->exclusive = true;
        n.has_number_checks = true;
      }
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      std::vector<int>* list = key == "allOf" ? &n.all_of : key == "anyOf" ? &n.any_of : &n.one_of;
      IMAGINE_RETURN_IF_ERROR(CompileSchemaList(v, ptr, key == "allOf"   ? "allOf"
                                                        : key == "anyOf" ? "anyOf"
                                                                         : "oneOf",
                                                list));
      n.has_combinators = true;
    } else if (key == "not") {
      if (!v.is_boolean() && !v.is_object()) return Malformed("not", ptr, "must be a schema");
      StatusOr<int> child = CompileSchema(v, ChildPointer(ptr, key));
      if (!child.ok()) return child.status();
      n.not_schema = *child;
      n.has_combinators = true;
    } else if (key == "nullable") {
      if (!v.is_boolean()) return Malformed("nullable", ptr, "must be a boolean");
      n.nullable = v.get<bool>();
    } else if (key == "default") {
      n.has_default = true;
      n.default_value = v;
      continue;  // an annotation for validation purposes
    } else if (key == "definitions") {
      if (!v.is_object()) return Malformed("definitions", ptr, "must be an object");
      // Compiled eagerly so an unsupported keyword fails at load even when unreferenced.
      const std::string base = ChildPointer(ptr, "definitions");
      for (auto d = v.begin(); d != v.end(); ++d) {
        StatusOr<int> child = CompileSchema(d.value(), ChildPointer(base, d.key()));
        if (!child.ok()) return child.status();
      }
      continue;
    } else {
      return InvalidArgument("unsupported keyword '" + key + "' at " + Where(ptr));
    }
    saw_validation_keyword = true;
  }

  if (exclusive_min_flag.value_or(false)) {
    if (!n.minimum.present) return Malformed("exclusiveMinimum", ptr, "true requires minimum");
    n.minimum.exclusive = true;
    n.minimum.keyword = "exclusiveMinimum";
  }
  if (exclusive_max_flag.value_or(false)) {
    if (!n.maximum.present) return Malformed("exclusiveMaximum", ptr, "true requires maximum");
    n.maximum.exclusive = true;
    n.maximum.keyword = "exclusiveMaximum";
  }
  if (n.min_items > 0 || n.max_items != kNoLimit) n.has_array_checks = true;
  if (n.min_length > 0 || n.max_length != kNoLimit) n.has_string_checks = true;
  if (!saw_validation_keyword && !n.nullable && !n.has_default) n.kind = Node::Kind::kAny;
  return Status::Ok();
}

Status Validator::Compiler::ResolveRef(const std::string& ref, const std::string& ptr,
                                       const json** target, std::string* target_ptr) const {
  if (ref.empty() || ref[0] != '#') {
    return InvalidArgument("unsupported $ref '" + ref + "' at " + Where(ptr) +
                           ": only local refs (\"#/...\") are supported");
  }
  // The fragment is URI-encoded (RFC 6901 section 6): %-decode, then read a JSON pointer.
  std::string pointer;
  for (size_t i = 1; i < ref.size(); ++i) {
    if (ref[i] == '%') {
      const int hi = i + 2 < ref.size() ? HexValue(ref[i + 1]) : -1;
      const int lo = i + 2 < ref.size() ? HexValue(ref[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return InvalidArgument("malformed %-escape in $ref '" + ref + "' at " + Where(ptr));
      }
      pointer.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      pointer.push_back(ref[i]);
    }
  }
  if (!pointer.empty() && pointer[0] != '/') {
    return InvalidArgument("unsupported $ref '" + ref + "' at " + Where(ptr) +
                           ": only JSON-pointer fragments are supported");
  }
  const json* cur = &root_;
  size_t pos = 0;
  while (pos < pointer.size()) {
    const size_t next = pointer.find('/', pos + 1);
    const std::string raw =
        pointer.substr(pos + 1, (next == std::string::npos ? pointer.size() : next) - pos - 1);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token.push_back(raw[i]);
      } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        return InvalidArgument("malformed JSON pointer in $ref '" + ref + "' at " + Where(ptr));
      }
    }
    const json* child = nullptr;
    if (cur->is_object()) {
      auto it = cur->find(token);
      if (it != cur->end()) child = &*it;
    } else if (cur->is_array() && !token.empty() &&
               std::all_of(token.begin(), token.end(), [](char c) { return IsDigit(c); }) &&
               (token.size() == 1 || token[0] != '0') && token.size() < 10) {
      const size_t index = std::stoul(token);
      if (index < cur->size()) child = &(*cur)[index];
    }
    if (child == nullptr) {
      return InvalidArgument("unresolved $ref '" + ref + "' at " + Where(ptr));
    }
    cur = child;
    if (next == std::string::npos) break;
    pos = next;
  }
  *target = cur;
  *target_ptr = pointer;
  return Status::Ok();
}

// Depth-first search over in-place edges (allOf/anyOf/oneOf/not, refs already aliased): a
// cycle there would recurse forever on one instance value.
bool Validator::Compiler::InPlaceCycleFrom(int node, std::vector<uint8_t>& color) const {
  color[node] = 1;
  const Node& n = nodes_[node];
  auto visit = [&](int child) {
    if (child < 0) return false;
    if (color[child] == 1) return true;
    return color[child] == 0 && InPlaceCycleFrom(child, color);
  };
  for (const auto* list : {&n.all_of, &n.any_of, &n.one_of}) {
    for (int child : *list) {
      if (visit(child)) return true;
    }
  }
  if (visit(n.not_schema)) return true;
  color[node] = 2;
  return false;
}

Status Validator::Compiler::Finish() {
  std::vector<uint8_t> color(nodes_.size(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (color[i] == 0 && InPlaceCycleFrom(static_cast<int>(i), color)) {
      return InvalidArgument("schema at " + Where(node_pointers_[i]) +
                             " refers back to itself through allOf/anyOf/oneOf/not without "
                             "descending into the instance");
    }
  }
  // may_apply_defaults: a fixed point over the graph (recursive schemas make it cyclic).
  bool changed = true;
  while (changed) {
    changed = false;
    for (Node& n : nodes_) {
      if (n.may_apply_defaults || n.kind != Node::Kind::kSchema) continue;
      bool may = false;
      auto walk = [&](int child) {
        if (child >= 0 && nodes_[child].may_apply_defaults) may = true;
      };
      for (const auto& [name, child] : n.properties) {
        if (nodes_[child].has_default) may = true;
        walk(child);
      }
      walk(n.items);
      for (int child : n.tuple_items) walk(child);
      for (int child : n.all_of) walk(child);
      if (may) {
        n.may_apply_defaults = true;
        changed = true;
      }
    }
  }
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
// Evaluator

class Validator::Evaluator {
 public:
  // `errors` null = silent (stop at the first failure, build nothing).
  Evaluator(const std::vector<Node>& nodes, std::vector<ValidationError>* errors, bool all_errors,
            bool reject_unknown_properties = false)
      : nodes_(nodes), errors_(errors), all_errors_(all_errors && errors != nullptr),
        reject_unknown_properties_(reject_unknown_properties) {}

  // One step of the instance location, kept on the C++ stack; turned into a JSON pointer
  // only when an error is reported.
  struct Path {
    const Path* parent;
    const std::string* key;  // null for an array index
    size_t index;
  };

  bool Check(int node, const json& inst, const Path* path, int depth);
  void ApplyDefaults(int node, json& inst, int depth) const;

 private:
  bool CheckObject(const Node& n, const json& inst, const Path* path, int depth);
  bool CheckArray(const Node& n, const json& inst, const Path* path, int depth);
  bool CheckString(const Node& n, const json& inst, const Path* path);
  bool CheckNumber(const Node& n, const json& inst, const Path* path);
  bool CheckBound(const Node::Bound& b, bool lower, const json& inst, const Path* path);
  bool CheckCombinators(const Node& n, const json& inst, const Path* path, int depth);

  // Records one error; returns whether evaluation should go on (all_errors).
  bool Report(const Path* path, const std::string* missing, const char* keyword,
              std::string message, const json* value);
  bool Collecting() const { return all_errors_; }

  static std::string PointerOf(const Path* path, const std::string* last);
  static std::string TypeMessage(const Node& n);

  const std::vector<Node>& nodes_;
  std::vector<ValidationError>* errors_;
  bool all_errors_;
  bool reject_unknown_properties_;
};

// Fails the current check: builds the message only when errors are being recorded.
#define IMAGINE_SCHEMA_FAIL(path, missing, keyword, message, value)     \
  do {                                                                  \
    ok = false;                                                         \
    if (errors_ == nullptr) return false;                               \
    if (!Report((path), (missing), (keyword), (message), (value))) return false; \
  } while (0)

// Propagates a failed sub-check: stop unless collecting every error.
#define IMAGINE_SCHEMA_SUB(expr)          \
  do {                                    \
    if (!(expr)) {                        \
      ok = false;                         \
      if (!Collecting()) return false;    \
    }                                     \
  } while (0)

std::string Validator::Evaluator::PointerOf(const Path* path, const std::string* last) {
  std::vector<const Path*> steps;
  for (const Path* p = path; p != nullptr; p = p->parent) steps.push_back(p);
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if ((*it)->key != nullptr) {
      AppendPointerToken(out, *(*it)->key);
    } else {
      out += "/" + std::to_string((*it)->index);
    }
  }
  if (last != nullptr) AppendPointerToken(out, *last);
  return out;
}

std::string Validator::Evaluator::TypeMessage(const Node& n) {
  std::vector<std::string> names = n.type_names;
  if (n.nullable && std::find(names.begin(), names.end(), "null") == names.end()) {
    names.push_back("null");
  }
  std::string out = "must be of type ";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

bool Validator::Evaluator::Report(const Path* path, const std::string* missing,
                                  const char* keyword, std::string message, const json* value) {
  ValidationError e;
  e.pointer = PointerOf(path, missing);
  e.keyword = keyword;
  e.message = std::move(message);
  if (value != nullptr) e.value = RenderValue(*value);
  errors_->push_back(std::move(e));
  return all_errors_;
}

bool Validator::Evaluator::Check(int node, const json& inst, const Path* path, int depth) {
  const Node& n = nodes_[node];
  bool ok = true;
  switch (n.kind) {
    case Node::Kind::kAny:
      return true;
    case Node::Kind::kNever:
      IMAGINE_SCHEMA_FAIL(path, nullptr, "false", "is not allowed", &inst);
      return false;
    case Node::Kind::kSchema:
      break;
  }
  if (n.nullable && inst.is_null()) return true;
  if (depth > kMaxInstanceDepth) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "maxDepth",
                        "is nested more than " + std::to_string(kMaxInstanceDepth) +
                            " levels deep",
                        &inst);
    return false;
  }
  if (n.types != 0 && (InstanceTypeBits(inst) & n.types) == 0) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "type", TypeMessage(n), &inst);
  }
  if (n.has_enum) {
    bool found = false;
    for (const json& candidate : n.enum_values) {
      if (JsonEqual(candidate, inst)) {
        found = true;
        break;
      }
    }
    if (!found) {
      std::string message = "must be one of: ";
      for (size_t i = 0; i < n.enum_values.size(); ++i) {
        if (i > 0) message += ", ";
        message += RenderForMessage(n.enum_values[i]);
      }
      IMAGINE_SCHEMA_FAIL(path, nullptr, "enum", std::move(message), &inst);
    }
  }
  if (n.has_const && !JsonEqual(n.const_value, inst)) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "const",
                        "must be equal to " + RenderForMessage(n.const_value), &inst);
  }
  switch (inst.type()) {
    case json::value_t::object:
      if (n.has_object_checks) IMAGINE_SCHEMA_SUB(CheckObject(n, inst, path, depth));
      break;
    case json::value_t::array:
      if (n.has_array_checks) IMAGINE_SCHEMA_SUB(CheckArray(n, inst, path, depth));
      break;
    case json::value_t::string:
      if (n.has_string_checks) IMAGINE_SCHEMA_SUB(CheckString(n, inst, path));
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      if (n.has_number_checks) IMAGINE_SCHEMA_SUB(CheckNumber(n, inst, path));
      break;
    default:
      break;
  }
  if (n.has_combinators) IMAGINE_SCHEMA_SUB(CheckCombinators(n, inst, path, depth));
  return ok;
}

bool Validator::Evaluator::CheckObject(const Node& n, const json& inst, const Path* path,
                                       int depth) {
  bool ok = true;
  const auto& object = *inst.get_ptr<const json::object_t*>();
  for (const std::string& name : n.required) {
    if (object.find(name) == object.end()) {
      IMAGINE_SCHEMA_FAIL(path, &name, "required", "is required", nullptr);
    }
  }
  if (n.properties.empty() && n.additional_properties < 0) return ok;
  // Merge walk: instance members and n.properties are both sorted by name.
  auto prop = n.properties.begin();
  const auto prop_end = n.properties.end();
  for (const auto& [key, value] : object) {
    int cmp = 1;
    while (prop != prop_end && (cmp = prop->first.compare(key)) < 0) ++prop;
    int child;
    if (prop != prop_end && cmp == 0) {
      child = prop->second;
    } else if (n.additional_properties >= 0) {
      child = n.additional_properties;
      if (nodes_[child].kind == Node::Kind::kNever) {
        Path step{path, &key, 0};
        IMAGINE_SCHEMA_FAIL(&step, nullptr, "additionalProperties", "is not allowed", &value);
        continue;
      }
    } else if (reject_unknown_properties_ && !n.properties.empty() && !n.additional_properties_stated) {
      Path step{path, &key, 0};
      IMAGINE_SCHEMA_FAIL(&step, nullptr, "additionalProperties", "is not a known field", &value);
      continue;
    } else {
      continue;
    }
    Path step{path, &key, 0};
    IMAGINE_SCHEMA_SUB(Check(child, value, &step, depth + 1));
  }
  return ok;
}

bool Validator::Evaluator::CheckArray(const Node& n, const json& inst, const Path* path,
                                      int depth) {
  bool ok = true;
  const auto& array = *inst.get_ptr<const json::array_t*>();
  if (array.size() < n.min_items) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "minItems",
                        "must have at least " + std::to_string(n.min_items) + (n.min_items == 1 ? " item" : " items"), &inst);
  }
  if (array.size() > n.max_items) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "maxItems",
                        "must have at most " + std::to_string(n.max_items) + (n.max_items == 1 ? " item" : " items"), &inst);
  }
  if (n.items >= 0) {
    for (size_t i = 0; i < array.size(); ++i) {
      Path step{path, nullptr, i};
      IMAGINE_SCHEMA_SUB(Check(n.items, array[i], &step, depth + 1));
    }
  } else if (n.tuple) {
    for (size_t i = 0; i < array.size(); ++i) {
      Path step{path, nullptr, i};
      if (i < n.tuple_items.size()) {
        IMAGINE_SCHEMA_SUB(Check(n.tuple_items[i], array[i], &step, depth + 1));
      } else if (n.additional_items < 0) {
        break;
      } else if (nodes_[n.additional_items].kind == Node::Kind::kNever) {
        IMAGINE_SCHEMA_FAIL(&step, nullptr, "additionalItems", "is not allowed", &array[i]);
      } else {
        IMAGINE_SCHEMA_SUB(Check(n.additional_items, array[i], &step, depth + 1));
      }
    }
  }
  return ok;
}

bool Validator::Evaluator::CheckString(const Node& n, const json& inst, const Path* path) {
  bool ok = true;
  const std::string& s = *inst.get_ptr<const std::string*>();
  // A UTF-8 string has between size/4 and size code points: count only when that matters.
  const bool may_be_short = n.min_length > 0 && s.size() / 4 < n.min_length;
  const bool may_be_long = n.max_length != kNoLimit && s.size() > n.max_length;
  bool length_ok = true;
  if (may_be_short || may_be_long) {
    const size_t length = CountCodePoints(s);
    if (length < n.min_length) {
      length_ok = false;
      IMAGINE_SCHEMA_FAIL(path, nullptr, "minLength",
                          "must be at least " + std::to_string(n.min_length) +
                              " characters long",
                          &inst);
    }
    if (length > n.max_length) {
      length_ok = false;
      IMAGINE_SCHEMA_FAIL(path, nullptr, "maxLength",
                          "must be at most " + std::to_string(n.max_length) + " characters long",
                          &inst);
    }
  }
  // A string that already broke a length limit is not fed to the regex matcher.
  if (n.pattern != nullptr && length_ok) {
    bool matched = false;
    bool threw = false;
    if (!n.pattern_bounded && s.size() > kMaxBacktrackingInput) {
      threw = true;  // would risk a stack overflow in the backtracking matcher
    } else {
      try {
        matched = std::regex_search(s, *n.pattern);
      } catch (const std::exception&) {  // error_complexity / error_stack
        threw = true;
      }
    }
    if (threw) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "pattern",
                          "could not be matched against pattern " + n.pattern_source, &inst);
    } else if (!matched) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "pattern", "must match pattern " + n.pattern_source,
                          &inst);
    }
  }
  if (n.format_uri && !IsUri(s)) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "format", "must be a valid URI", &inst);
  }
  return ok;
}

bool Validator::Evaluator::CheckBound(const Node::Bound& b, bool lower, const json& inst,
                                      const Path* path) {
  bool ok = true;
  const int c = CompareNumbers(inst, b.value);
  bool pass;
  if (lower) {
    pass = b.exclusive ? c == 1 : (c == 0 || c == 1);
  } else {
    pass = b.exclusive ? c == -1 : (c == 0 || c == -1);
  }
  if (!pass) {
    std::string message = lower ? "must be greater than " : "must be less than ";
    if (!b.exclusive) message += "or equal to ";
    message += DumpCompact(b.value);
    IMAGINE_SCHEMA_FAIL(path, nullptr, b.keyword, std::move(message), &inst);
  }
  return ok;
}

bool Validator::Evaluator::CheckNumber(const Node& n, const json& inst, const Path* path) {
  bool ok = true;
  if (n.minimum.present) IMAGINE_SCHEMA_SUB(CheckBound(n.minimum, true, inst, path));
  if (n.exclusive_minimum.present) {
    IMAGINE_SCHEMA_SUB(CheckBound(n.exclusive_minimum, true, inst, path));
  }
  if (n.maximum.present) IMAGINE_SCHEMA_SUB(CheckBound(n.maximum, false, inst, path));
  if (n.exclusive_maximum.present) {
    IMAGINE_SCHEMA_SUB(CheckBound(n.exclusive_maximum, false, inst, path));
  }
  return ok;
}

bool Validator::Evaluator::CheckCombinators(const Node& n, const json& inst, const Path* path,
                                            int depth) {
  bool ok = true;
  for (int child : n.all_of) IMAGINE_SCHEMA_SUB(Check(child, inst, path, depth));
  // Branches of anyOf/oneOf/not are evaluated silently: only the combinator reports.
  Evaluator silent(nodes_, nullptr, false);
  if (!n.any_of.empty()) {
    bool any = false;
    for (int child : n.any_of) {
      if (silent.Check(child, inst, path, depth)) {
        any = true;
        break;
      }
    }
    if (!any) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "anyOf", "must match at least one schema in anyOf",
                          &inst);
    }
  }
  if (!n.one_of.empty()) {
    int matches = 0;
    for (int child : n.one_of) {
      if (silent.Check(child, inst, path, depth) && ++matches > 1) break;
    }
    if (matches != 1) {
      IMAGINE_SCHEMA_FAIL(path, nullptr, "oneOf", "must match exactly one schema in oneOf",
                          &inst);
    }
  }
  if (n.not_schema >= 0 && silent.Check(n.not_schema, inst, path, depth)) {
    IMAGINE_SCHEMA_FAIL(path, nullptr, "not", "must not match the schema in not", &inst);
  }
  return ok;
}

#undef IMAGINE_SCHEMA_FAIL
#undef IMAGINE_SCHEMA_SUB

void Validator::Evaluator::ApplyDefaults(int node, json& inst, int depth) const {
  const Node& n = nodes_[node];
  if (!n.may_apply_defaults || depth > kMaxInstanceDepth) return;
  if (inst.is_object()) {
    auto& object = *inst.get_ptr<json::object_t*>();
    for (const auto& [name, child] : n.properties) {
      auto it = object.find(name);
      if (it == object.end()) {
        if (!nodes_[child].has_default) continue;
        it = object.emplace(name, nodes_[child].default_value).first;
      }
      ApplyDefaults(child, it->second, depth + 1);
    }
  } else if (inst.is_array()) {
    auto& array = *inst.get_ptr<json::array_t*>();
    for (size_t i = 0; i < array.size(); ++i) {
      if (n.items >= 0) {
        ApplyDefaults(n.items, array[i], depth + 1);
      } else if (i < n.tuple_items.size()) {
        ApplyDefaults(n.tuple_items[i], array[i], depth + 1);
      }
    }
  }
  for (int child : n.all_of) ApplyDefaults(child, inst, depth);
}

// ------------------------------------------------------------------------------------------
// Validator

namespace {

// Finds the JSON pointer of the value at address `target` inside `node`.
bool FindPointer(const json& node, const json* target, std::string& pointer) {
  if (&node == target) return true;
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const size_t mark = pointer.size();
      AppendPointerToken(pointer, it.key());
      if (FindPointer(it.value(), target, pointer)) return true;
      pointer.resize(mark);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      const size_t mark = pointer.size();
      pointer += "/" + std::to_string(i);
      if (FindPointer(node[i], target, pointer)) return true;
      pointer.resize(mark);
    }
  }
  return false;
}

}  // namespace

StatusOr<std::shared_ptr<const Validator>> Validator::Compile(const json& schema,
                                                              const json& root) {
  try {
    std::shared_ptr<Validator> validator(new Validator());
    std::string pointer;
    if (!FindPointer(root, &schema, pointer)) pointer.clear();
    Compiler compiler(root, validator->nodes_);
    StatusOr<int> index = compiler.CompileSchema(schema, pointer);
    if (!index.ok()) return index.status();
    validator->root_ = *index;
    IMAGINE_RETURN_IF_ERROR(compiler.Finish());
    return std::shared_ptr<const Validator>(std::move(validator));
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("schema compilation failed: ") + e.what());
  }
}

bool Validator::Validate(json& instance, std::vector<ValidationError>* errors,
                         const ValidateOptions& options) const {
  try {
    if (errors != nullptr) errors->clear();
    Evaluator evaluator(nodes_, errors, options.all_errors, options.reject_unknown_properties);
    const bool ok = evaluator.Check(root_, instance, nullptr, 0);
    if (ok && options.apply_defaults) evaluator.ApplyDefaults(root_, instance, 0);
    return ok;
  } catch (const std::exception& e) {  // only std::bad_alloc is possible here
    if (errors != nullptr) {
      errors->push_back({"", "internal", std::string("validation failed: ") + e.what(), ""});
    }
    return false;
  }
}

bool Validator::Validate(const json& instance, std::vector<ValidationError>* errors) const {
  try {
    if (errors != nullptr) errors->clear();
    Evaluator evaluator(nodes_, errors, false);
    return evaluator.Check(root_, instance, nullptr, 0);
  } catch (const std::exception& e) {
    if (errors != nullptr) {
      errors->push_back({"", "internal", std::string("validation failed: ") + e.what(), ""});
    }
    return false;
  }
}

}  // namespace imagine::spec
