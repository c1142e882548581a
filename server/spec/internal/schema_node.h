// Internals of the JSON Schema validator shared by its compiler and evaluator
// (json_schema_compiler.cc, json_schema_evaluator.cc): the compiled node, type bits, JSON
// pointer and value-rendering helpers, and exact number comparison. Not part of spec/'s
// public face. Pure data and functions; thread-safe.
#ifndef IMAGINE_SPEC_INTERNAL_SCHEMA_NODE_H_
#define IMAGINE_SPEC_INTERNAL_SCHEMA_NODE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/internal/schema_values.h"
#include "spec/json_schema.h"

namespace imagine::spec {
namespace internal {

using json = nlohmann::json;

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


// --- JSON pointers (RFC 6901)
void AppendPointerToken(std::string& out, const std::string& token);  // "/" + token, ~ and / escaped
std::string ChildPointer(const std::string& parent, const std::string& token);
std::string ChildPointer(const std::string& parent, size_t index);
std::string Where(const std::string& pointer);  // "#/a/b" for messages; "#" for the root

// --- Rendering values into errors and messages
size_t CodePointOffset(const std::string& s, size_t count);  // byte offset of code point `count`
std::string DumpCompact(const json& v);
std::string RenderValue(const json& v);       // ValidationError::value: compact, cut to 100 code points + "…"
std::string RenderForMessage(const json& v);  // strings bare, everything else compact JSON

// --- Types by name (the compiler)
bool TypeBitFor(const std::string& name, uint8_t* bit);

}  // namespace internal

// One compiled schema. Children are indices into Validator::nodes_.
struct Validator::Node {
  using json = nlohmann::json;
  static constexpr size_t kNoLimit = internal::kNoLimit;
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
  // The compiled `pattern`: at compile time, or, for a schema compiled with
  // CompileOptions::defer_patterns, by the first Validate that reaches it (Pattern()).
  struct Pattern {
    std::once_flag once;               // compiles `regex` once when deferred
    std::unique_ptr<std::regex> regex;  // immutable once compiled; regex_search is const
    bool bounded = false;               // compiled for the non-recursive matcher
    std::string error;                  // why it does not compile ("" when it does)
  };
  std::unique_ptr<Pattern> pattern;  // null when the schema has no pattern
  bool pattern_deferred = false;     // compiled at first use
  std::string pattern_source;
  // Compiles `source` into `*out` (the non-recursive matcher when it can take it, else the
  // backtracking one). False, with out->error set, when it is not a valid ECMAScript regex.
  static bool CompilePattern(const std::string& source, Pattern* out);
  // The pattern compiled (now, once, when it was deferred); null when there is none or it does
  // not compile (only a deferred one can: see CompileOptions::defer_patterns). Thread-safe.
  const Pattern* CompiledPattern() const;
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


}  // namespace imagine::spec

#endif  // IMAGINE_SPEC_INTERNAL_SCHEMA_NODE_H_
