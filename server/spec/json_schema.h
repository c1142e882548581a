// A JSON Schema validator (the draft4/draft7 subset used by OpenAPI 3.0/3.1 specs): a schema is
// compiled once into an immutable tree of nodes, then every request body is checked against it.
// Used by the spec loader and the dialects' request validation. A compiled Validator is
// immutable: Validate is const, lock-free and safe to call from any number of threads at once.
//
//   auto v = Validator::Compile(schema, schema);           // StatusOr<shared_ptr<const Validator>>
//   std::vector<ValidationError> errors;
//   if (!(*v)->Validate(body, &errors, {/*apply_defaults=*/true})) Reject(errors.front());
#ifndef IMAGINE_SPEC_JSON_SCHEMA_H_
#define IMAGINE_SPEC_JSON_SCHEMA_H_

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace imagine::spec {

// One failed check. Errors are reported in a fixed order (see Validator::Validate).
struct ValidationError {
  // JSON pointer of the instance location, "" = root, e.g. "/input/prompt". For `required`, the
  // pointer of the MISSING property (parent + "/" + name); for additionalProperties:false (and
  // additionalItems:false), the pointer of the extra property (item).
  std::string pointer;
  // The failing keyword: "type", "enum", "const", "required", "maxLength", "minimum",
  // "exclusiveMinimum", "additionalProperties", "format", "oneOf", ... Two pseudo-keywords:
  // "false" (the boolean schema false, e.g. `properties: {x: false}`) and "maxDepth" (the
  // instance nests deeper than kMaxInstanceDepth under a recursive schema).
  std::string keyword;
  // Lower-case text without the location, e.g. "is required", "must be of type integer",
  // "must be one of: fun, normal, spicy", "must be at most 5000 characters long".
  std::string message;
  // The offending instance value as compact JSON, cut to 100 code points plus a trailing "…"
  // when longer; "" for a missing property.
  std::string value;
};

// Per-call switches for Validator::Validate.
struct ValidateOptions {
  // After a SUCCESSFUL validation, insert every missing object property whose schema declares a
  // "default" (a copy of it), walking properties, additionalProperties (into the values of
  // undeclared properties), items, allOf and $ref — never anyOf, oneOf or not. Defaults are applied recursively, also inside an inserted default value (so
  // `default: {}` picks up the defaults of its own properties). Present properties (even null)
  // are left alone. The instance is left untouched when it is invalid.
  bool apply_defaults = false;
  // Collect every error instead of stopping at the first one.
  bool all_errors = false;
  // Treat an object schema that declares `properties` but says nothing about extra ones as
  // if it had `additionalProperties: false` (the emulator's `validation.strict` switch).
  // Meant for flat request schemas: under allOf each branch would refuse the others' fields.
  bool reject_unknown_properties = false;
};

// Per-call switches for Validator::Compile.
struct CompileOptions {
  // Compile each `pattern` at the first Validate that reaches it instead of now (libstdc++
  // takes ~0.1 ms for a pattern with a few bracket expressions). Only for schemas known to be
  // valid, e.g. the embedded ones, which a unit test compiles without this: a deferred pattern
  // that turns out not to compile fails every string with "could not be matched against
  // pattern ...", where an eager compile refuses the schema.
  bool defer_patterns = false;
};

// A compiled schema. Keywords: type (string or array; "integer" accepts 1.0), enum, const,
// required, properties, additionalProperties, items (schema or tuple array) + additionalItems,
// minItems/maxItems, minLength/maxLength (Unicode code points), pattern (ECMAScript, unanchored),
// minimum/maximum, exclusiveMinimum/exclusiveMaximum (draft4 boolean form and draft6+ numeric
// form), format "uri" (RFC 3986 absolute URI; other formats are annotations), allOf/anyOf/oneOf/
// not, local $ref (siblings ignored), nullable (OpenAPI 3.0), default, definitions, boolean
// schemas. Annotations accepted and ignored: $schema $id id title description example examples
// deprecated readOnly writeOnly discriminator xml externalDocs $comment and any "x-*" key.
// Patterns run in libstdc++'s non-backtracking matcher (no stack overflow on long strings); a
// pattern with back-references falls back to backtracking, and a string over 2048 bytes then
// fails with "could not be matched against pattern ...". A string that already broke
// minLength/maxLength is not matched against the pattern.
class Validator {
 public:
  // An instance nested deeper than this (only possible under a recursive schema) is rejected
  // with keyword "maxDepth" instead of recursing further.
  static constexpr int kMaxInstanceDepth = 256;

  // Compiles `schema`. Every "$ref" must be local ("#" or "#/..." JSON pointer, with ~0/~1 and
  // %-escapes) and resolve inside `root`; pass the same json for both when the schema is
  // self-contained, or a subschema of `root` (e.g. an OpenAPI request body inside the document).
  // Recursive refs are supported. Error messages name the schema location as "#/json/pointer",
  // relative to `root` when `schema` lies inside it (found by address), else to `schema`.
  // Returns Code::kInvalidArgument on: an unsupported keyword ("unsupported keyword 'X' at #/p"),
  // a malformed keyword value, an invalid regex, a non-local or unresolved ref, a $ref cycle
  // that never reaches a schema, or a recursion that never consumes the instance (e.g.
  // `{"allOf": [{"$ref": "#"}]}`). `schema` and `root` are not retained after the call.
  static StatusOr<std::shared_ptr<const Validator>> Compile(const nlohmann::json& schema,
                                                            const nlohmann::json& root,
                                                            const CompileOptions& options = {});

  // Returns true when `instance` is valid. On failure appends to *errors (cleared first) the
  // first error, or every error when options.all_errors; `errors` may be null. Applies defaults
  // into `instance` per options.apply_defaults; nothing else is modified. Never throws.
  // Error order: within one schema node, type, enum, const, then for objects required (in
  // declared order) and then each instance property in key order (properties /
  // additionalProperties), for arrays minItems, maxItems, then items in index order, for strings
  // minLength, maxLength, pattern, format, for numbers minimum, exclusiveMinimum, maximum,
  // exclusiveMaximum; then allOf (branch errors reported as-is), anyOf, oneOf, not (reported as
  // one error at the instance). A null instance under `nullable: true` is valid outright.
  bool Validate(nlohmann::json& instance, std::vector<ValidationError>* errors,
                const ValidateOptions& options = {}) const;
  // As above without applying defaults and stopping at the first error.
  bool Validate(const nlohmann::json& instance, std::vector<ValidationError>* errors) const;

  ~Validator();

 private:
  struct Node;      // one compiled schema (keyword set); defined in json_schema.cc
  class Compiler;   // builds nodes_ from the schema json
  class Evaluator;  // walks nodes_ for one Validate call

  Validator();

  std::vector<Node> nodes_;  // every compiled (sub)schema; children refer to each other by index
  int root_ = 0;             // index in nodes_ of the compiled `schema`
};

}  // namespace imagine::spec

namespace imagine {

// A compiled schema's verdict as a Status, the form the request flow, the control API and
// the config reader want.
// Validates `body` against `schema`, applying defaults when it passes and, when
// `reject_unknown_fields`, refusing fields the schema does not declare. On failure returns
// kInvalidArgument carrying the first violation (pointer, keyword as rule, value) and
// leaves `body` as it was.
Status ValidateAgainst(const spec::Validator& schema, nlohmann::json& body, bool reject_unknown_fields);

}  // namespace imagine

#endif  // IMAGINE_SPEC_JSON_SCHEMA_H_
