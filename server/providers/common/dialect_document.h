// DialectDocument: the data half of a dialect, read once at start-up from the provider's
// OpenAPI document — its `x-emulator-dialect` extension (path prefix, which operation is
// create / query / credits, where the prompt and callback URL sit in a create body, the
// schema every error answer satisfies, the wording table) and its create operation, which
// must declare per-model bodies (`x-emulator-models`) that the config gives options for.
// Immutable; thread-safe.
//
//   x-emulator-dialect:
//     path_prefix: /v1/
//     serve_at_root: true                # optional: false = only under /<provider name>/
//     operations: {create: createVideoGeneration, query: getTaskDetail, credits: getCredits}  # credits optional
//     create_fields: {prompt: /prompt, callback_url: /callback_url, image_urls: /image_urls}
//                                        # callback_url '' = no callbacks; image_urls may point
//                                        # at a list of URLs or at one URL string
//     image_data_uris: false             # optional: true = an input image may be a data: URI
//     task_id: task-unified-{unix_seconds}-{alnum:8}     # see id_format.h
//     query_task_id: {in: path, name: task_id, malformed_rule: invalid_task_id}
//     error_schema: ErrorResponse        # optional
//     empty_as_absent: [/callback_url]   # optional: fields whose "" means "not given"
//     null_as_absent: [/model]           # optional: fields whose null means "not given"
//     errors: [...]  failures: {...}  messages: {...}   # see wording.h
#ifndef IMAGINE_PROVIDERS_COMMON_DIALECT_DOCUMENT_H_
#define IMAGINE_PROVIDERS_COMMON_DIALECT_DOCUMENT_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine_options.h"
#include "providers/common/id_format.h"
#include "providers/common/wording.h"
#include "spec/openapi.h"

namespace imagine {

struct DialectDocument {
  std::string path_prefix;     // paths under it that match no route get this provider's 404
  bool serve_at_root = true;   // false: served only under /<provider name> (another provider has its paths)
  std::string create_operation, query_operation;  // operationIds
  std::string credits_operation;  // "" = the provider has no balance route
  std::string prompt_pointer;        // JSON pointer of the prompt in a create body
  std::string callback_url_pointer;  // JSON pointer of the callback URL in a create body; "" = no callbacks
  std::string image_urls_pointer;    // JSON pointer of the input image URL list, or of one URL string; "" = none
  bool image_data_uris = false;      // an input image may be a data:image/...;base64, URI (checked at create)
  std::string error_schema;    // components/schemas name of every error answer; "" = by HTTP status
  std::vector<std::string> empty_as_absent;  // JSON pointers of optional fields where "" = absent
  std::vector<std::string> null_as_absent;   // JSON pointers of optional fields where null = absent
  IdFormat task_id;            // how task ids look
  // Where a status query names its task: a query parameter or a path parameter `name`.
  // Absent: kInvalidArgument with missing_rule; not shaped like task_id: with
  // malformed_rule ("" = not checked, the lookup says not found).
  bool query_id_in_path = false;
  std::string query_id_name, query_id_missing_rule, query_id_malformed_rule;
  Wording words;
  const OpenApiOperation* create = nullptr;  // the create operation (owned by the document)
  std::string model_list;      // "a, b": the models of the create operation, for errors
};

// Reads `spec` for a dialect whose config gives `models` (named `models_section` in
// errors). kInvalidArgument naming the document and the key when something is missing or
// malformed, or when a model of the spec has no options.
StatusOr<DialectDocument> ReadDialectDocument(const OpenApiDocument& spec,
                                              const std::map<std::string, ModelOptions>& models,
                                              std::string_view models_section);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_DIALECT_DOCUMENT_H_
