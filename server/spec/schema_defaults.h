// Applying a JSON Schema's defaults to an instance straight from the schema's JSON, without
// compiling it: what Validator::Validate with ValidateOptions::apply_defaults inserts after a
// successful validation, for an instance already known to satisfy the schema (the config
// reader's embedded default and flags checked key by key; app/config_document.h). Pure
// functions; thread-safe.
#ifndef IMAGINE_SPEC_SCHEMA_DEFAULTS_H_
#define IMAGINE_SPEC_SCHEMA_DEFAULTS_H_

#include <nlohmann/json.hpp>

namespace imagine::spec {

// Inserts into `instance` every missing object property whose schema declares a default (a
// copy of it), walking properties, additionalProperties (into the values of undeclared
// properties), items, allOf and local $refs into `root` (siblings of a $ref ignored), never
// anyOf, oneOf or not; recursively, also inside an inserted default. Present properties (even
// null) are left alone: the rules of json_schema.h's ValidateOptions::apply_defaults.
// PRECONDITION: `schema` compiles against `root` and `instance` satisfies it (nothing is
// checked here). Returns false, with `instance` partly filled, on a $ref it cannot follow
// (not a plain local JSON pointer): then compile the schema and validate instead.
bool ApplySchemaDefaults(const nlohmann::json& root, const nlohmann::json& schema, nlohmann::json& instance);

}  // namespace imagine::spec

#endif  // IMAGINE_SPEC_SCHEMA_DEFAULTS_H_
