// A fast decoder for the CBOR of the embedded documents' pre-parsed forms (what
// nlohmann::json::to_cbor writes for a document converted from YAML, tools/preparse_yaml.cc).
// Used at start-up by spec/embedded_documents.cc, where nlohmann::json::from_cbor was the
// largest single cost: this builds the same values 3-4x faster (no SAX layer; each key is
// constructed once, in place, at the end of its mapping). Stateless; safe from any thread.
#ifndef IMAGINE_SPEC_CBOR_DECODE_H_
#define IMAGINE_SPEC_CBOR_DECODE_H_

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace imagine::spec {

// The value `bytes` holds, exactly as nlohmann::json::from_cbor decodes it: unsigned integers
// (major type 0) as number_unsigned, negative ones (1) as number_integer, half, single and
// double floats as number_float, text strings, arrays, maps with text keys, true, false, null.
// nullopt for anything else: another CBOR item (byte strings, tags, indefinite lengths,
// undefined), a duplicate key, a truncated item, bytes after the value, or nesting deeper than
// kMaxYamlDepth (spec/yaml_json.h). The caller then decodes with from_cbor, which says why.
std::optional<nlohmann::json> DecodeCbor(std::string_view bytes);

// The same into an ordered_json, whose mappings keep the order the CBOR lists their keys in
// (the pre-parsed forms list them in the YAML's order).
std::optional<nlohmann::ordered_json> DecodeOrderedCbor(std::string_view bytes);

}  // namespace imagine::spec

#endif  // IMAGINE_SPEC_CBOR_DECODE_H_
