#include "spec/embedded_documents.h"

#include <optional>
#include <string_view>

#include "common/resources.h"
#include "spec/cbor_decode.h"
#include "spec/yaml_json.h"

namespace imagine {

namespace {

// `name`'s pre-parsed form decoded as Json (the fast decoder; from_cbor says what is wrong when
// it cannot), else its YAML parsed with `parse_yaml`.
template <class Json, class ParseYaml>
StatusOr<Json> ParseEmbedded(const std::string& name, std::optional<Json> (*decode)(std::string_view),
                             ParseYaml parse_yaml) {
  if (auto cbor = FindPreparsed(name)) {  // converted from the YAML at build time
    if (std::optional<Json> decoded = decode(*cbor)) return std::move(*decoded);
    try {
      return Json::from_cbor(cbor->begin(), cbor->end());
    } catch (const nlohmann::json::exception& e) {
      return Internal(name + ": the pre-parsed form does not decode: " + e.what());
    }
  }
  auto text = FindResource(name);
  if (!text) return NotFound(name + " is not embedded in this build");
  return parse_yaml(*text, name);
}

}  // namespace

StatusOr<nlohmann::json> ParseEmbeddedDocument(const std::string& name) {
  return ParseEmbedded<nlohmann::json>(name, spec::DecodeCbor, spec::ParseYamlDocument);
}

StatusOr<nlohmann::ordered_json> ParseEmbeddedOrderedDocument(const std::string& name) {
  return ParseEmbedded<nlohmann::ordered_json>(name, spec::DecodeOrderedCbor, spec::ParseOrderedYamlDocument);
}

StatusOr<nlohmann::json> LoadEmbeddedJson(const std::string& name) {
  // Decoded at each call (~0.1 ms for the largest document): each caller changes its copy, and
  // copying a cached tree cost about as much as decoding it; nothing is kept after start-up.
  return ParseEmbeddedDocument(name);
}

StatusOr<nlohmann::json> LoadEmbeddedSchema(const std::string& name) {
  auto doc = LoadEmbeddedJson(name);
  if (!doc.ok()) return doc.status();
  // Other documents are named relative to schemas/, where they all live.
  IMAGINE_RETURN_IF_ERROR(
      BundleExternalRefs(*doc, [](const std::string& other) { return LoadEmbeddedJson("schemas/" + other); }, name));
  return doc;
}

StatusOr<std::shared_ptr<const OpenApiDocument>> LoadEmbeddedSpec(const std::string& name) {
  auto doc = LoadEmbeddedJson(name);
  if (!doc.ok()) return doc.status().code() == Code::kNotFound ? Internal(doc.status().message()) : doc.status();
  // Other documents are named relative to schemas/, where they all live.
  return OpenApiDocument::FromJson(std::move(doc).value(), name,
                                   [](const std::string& other) { return LoadEmbeddedJson("schemas/" + other); },
                                   SchemaCompilation::kAtFirstUse);  // a unit test compiles every embedded schema
}

}  // namespace imagine
