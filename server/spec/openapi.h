// OpenApiDocument: one provider's OpenAPI document (schemas/*.yaml), loaded at start-up and
// compiled once into validators (at load, or each at its first use). The router takes its routes
// from operations(); dialects validate request bodies with the compiled schemas.
// Immutable after Parse(); share it by pointer between threads.
//
// Extensions the emulator reads on an operation:
//   x-emulator-models:        {<model name>: {$ref: <full request schema>}}  per-model bodies
//   x-emulator-model-aliases: {<accepted name>: <reported name>}
#ifndef IMAGINE_SPEC_OPENAPI_H_
#define IMAGINE_SPEC_OPENAPI_H_

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "spec/json_schema.h"
#include "spec/lazy_validator.h"

namespace imagine {

// One declared parameter of an operation (path-item parameters included).
struct OpenApiParameter {
  std::string name;
  std::string in;             // "query", "path" or "header"
  bool required = false;
  std::string type;           // the schema's type ("string", "integer", "number", "boolean"; "" = any)
  spec::LazyValidator schema;  // null when none is declared
  nlohmann::json default_value;                   // the schema's default; null when none
};

struct OpenApiOperation {
  std::string method;        // upper case: "GET", "POST"
  std::string path;          // "/v1/tasks/{task_id}"
  std::string operation_id;  // handlers are bound by this name
  spec::LazyValidator request_body;  // application/json body schema; null when none
  std::map<std::string, spec::LazyValidator> models;  // x-emulator-models
  std::map<std::string, std::string> model_aliases;  // x-emulator-model-aliases
  std::map<std::string, spec::LazyValidator> responses;  // status ("200") -> body schema
  std::vector<OpenApiParameter> parameters;  // in declared order
};

// Finds another document named by a `$ref` outside this one ("config.schema.yaml#/..."),
// as parsed JSON; kNotFound when there is none.
using DocumentResolver = std::function<StatusOr<nlohmann::json>(const std::string& name)>;

// Bundles the documents `root`'s external $refs name ("<name>#/<pointer>", and theirs) under
// root["x-emulator-bundled"] and points every $ref there, so that any schema in `root`
// compiles with local refs only (OpenApiDocument::Parse, LoadEmbeddedSchema). kInvalidArgument
// naming `source` when a document cannot be found.
Status BundleExternalRefs(nlohmann::json& root, const DocumentResolver& resolver, const std::string& source);

// When a document's schemas are compiled: all at load (a bad schema fails the load, naming
// its place), or each at its first use (start-up compiles nothing it does not use; for the
// embedded documents, which a unit test compiles whole).
enum class SchemaCompilation { kAtLoad, kAtFirstUse };

class OpenApiDocument {
 public:
  OpenApiDocument() = default;
  OpenApiDocument(const OpenApiDocument&) = delete;
  OpenApiDocument& operator=(const OpenApiDocument&) = delete;

  // Parses and compiles. A `$ref` into another document ("<name>#/<pointer>") is resolved
  // with `resolver` and that document is bundled into this one (under
  // "x-emulator-bundled"), so every schema compiles with local refs only. Fails with the
  // source name and the offending location on bad YAML, a missing operationId, an
  // unsupported schema keyword or an unresolved $ref.
  static StatusOr<std::shared_ptr<const OpenApiDocument>> Parse(std::string_view yaml_text,
                                                                std::string_view source_name,
                                                                const DocumentResolver& resolver = nullptr);
  // The same from a document already parsed (e.g. an embedded one, parsed once); with
  // kAtFirstUse, only the document's shape is checked here and each schema is compiled when
  // first asked for (see SchemaCompilation).
  static StatusOr<std::shared_ptr<const OpenApiDocument>> FromJson(
      nlohmann::json document, std::string_view source_name, const DocumentResolver& resolver = nullptr,
      SchemaCompilation compilation = SchemaCompilation::kAtLoad);

  const std::vector<OpenApiOperation>& operations() const { return operations_; }
  // The operation with this operationId, or null.
  const OpenApiOperation* Find(std::string_view operation_id) const;
  // The schema "#/components/schemas/<name>" (compiled at its first use), or null when absent.
  spec::LazyValidator ComponentSchema(std::string_view name) const;
  const nlohmann::json& document() const { return *document_; }
  const std::string& source_name() const { return source_name_; }

 private:
  std::string source_name_;
  std::shared_ptr<nlohmann::json> document_;  // shared with the LazyValidators pointing into it
  std::vector<OpenApiOperation> operations_;
  std::map<std::string, spec::LazyValidator, std::less<>> components_;
};

}  // namespace imagine

#endif  // IMAGINE_SPEC_OPENAPI_H_
