// Small text helpers every layer shares: bearer tokens, JSON-pointer field paths, short
// JSON renderings of offending values, and masking of secrets for logs and the journal.
// Pure functions; thread-safe.
#ifndef IMAGINE_COMMON_TEXT_H_
#define IMAGINE_COMMON_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace imagine {

// True when `text` starts with `lower_prefix` ignoring ASCII case (`lower_prefix` is lower case).
bool StartsWithNoCase(std::string_view text, std::string_view lower_prefix);

// True when `a` and `b` are equal ignoring ASCII case.
bool EqualsNoCase(std::string_view a, std::string_view b);

// The key from "Bearer <key>". kUnauthenticated with rule "missing" when the header is
// absent, "malformed" when it is not a bearer token with a non-empty key.
StatusOr<std::string> ParseBearer(std::string_view authorization);

// RFC 6901: one JSON pointer token with "~" as "~0" and "/" as "~1", and back.
std::string EscapePointerToken(std::string_view token);
std::string UnescapePointerToken(std::string_view token);

// "/input/image_urls/0" -> "input.image_urls[0]"; "" -> "body".
std::string PointerToFieldPath(std::string_view pointer);

// Appends `text` to *out as a JSON string literal, escaped as nlohmann::json's dump does
// (quotes, backslash, control characters; other bytes as they are): for small JSON made on
// a hot path without a json tree.
void AppendJsonString(std::string* out, std::string_view text);

// `value` as compact JSON, cut to `max_chars` characters (UTF-8 safe) with "…" appended.
std::string TruncatedJson(const nlohmann::json& value, size_t max_chars = 100);

// "…abcd": keeps the last 4 characters of a secret ("****" for 4 or fewer).
std::string MaskSecret(std::string_view secret);

// An Authorization header value with its credential masked: "Bearer …abcd".
std::string MaskAuthorization(std::string_view value);

}  // namespace imagine

#endif  // IMAGINE_COMMON_TEXT_H_
