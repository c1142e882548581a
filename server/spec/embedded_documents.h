// The OpenAPI and JSON Schema documents embedded in the binary (schemas/*.yaml), loaded by
// resource name; a $ref from one into another ("config.schema.yaml#/definitions/X") is
// resolved among them. Called at start-up (and on restoring a state directory); thread-safe.
#ifndef IMAGINE_SPEC_EMBEDDED_DOCUMENTS_H_
#define IMAGINE_SPEC_EMBEDDED_DOCUMENTS_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "spec/openapi.h"

namespace imagine {

// An embedded OpenAPI document, e.g. "schemas/evolink.openapi.yaml", parsed; each schema is
// compiled at its first use (SchemaCompilation::kAtFirstUse).
StatusOr<std::shared_ptr<const OpenApiDocument>> LoadEmbeddedSpec(const std::string& name);

// An embedded YAML document as JSON, e.g. "schemas/config.schema.yaml": ParseEmbeddedDocument,
// whose decoding of the pre-parsed form costs about what copying a cached tree did.
StatusOr<nlohmann::json> LoadEmbeddedJson(const std::string& name);

// An embedded YAML document as JSON, decoded from its pre-parsed form (FindPreparsed: CBOR made
// at build time with spec::ParseYamlDocument) when the build has one, else parsed from the YAML
// text. kNotFound when nothing is embedded under `name`; uncached.
StatusOr<nlohmann::json> ParseEmbeddedDocument(const std::string& name);
// The same with each mapping's keys in the YAML's order (as the pre-parsed form lists them).
StatusOr<nlohmann::ordered_json> ParseEmbeddedOrderedDocument(const std::string& name);

// An embedded JSON Schema document, e.g. "schemas/state-records.schema.yaml", with the other
// embedded documents its $refs name bundled in (BundleExternalRefs): ready for
// spec::Validator::Compile(node, document) with any node of it.
StatusOr<nlohmann::json> LoadEmbeddedSchema(const std::string& name);

}  // namespace imagine

#endif  // IMAGINE_SPEC_EMBEDDED_DOCUMENTS_H_
