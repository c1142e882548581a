// Input images given inline: a `data:image/<type>;base64,<data>` URI in a create body (xAI's
// image.url takes one). The flow decodes it at create and judges the bytes the way the
// image fetcher judges a download (engine/input_image.h ProbeImage: JPEG, PNG or WEBP with a
// size header that decodes), within the providers' 10 MB. Pure functions; thread-safe.
#ifndef IMAGINE_PROVIDERS_COMMON_DATA_URI_H_
#define IMAGINE_PROVIDERS_COMMON_DATA_URI_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace imagine {

// The providers' input image limit ("Maximum file size: 10MB"), decoded bytes.
inline constexpr size_t kMaxInlineImageBytes = size_t{10} << 20;

// True when `url` starts with "data:" (any case).
bool IsDataUri(std::string_view url);

// Checks the data URI `uri` of the field at `pointer`: kInvalidArgument with rule
// image_data_uri, the pointer and the URI's head as value, saying what is wrong — not
// `data:image/...;base64,`, not valid base64, over `max_bytes` decoded, or bytes that are not
// a JPEG, PNG or WEBP image. Ok otherwise.
Status CheckImageDataUri(std::string_view uri, const std::string& pointer, size_t max_bytes = kMaxInlineImageBytes);

// Standard base64 (RFC 4648 §4; padding optional, no whitespace) decoded into *out; false
// on any other character or a bad length.
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace imagine

#endif  // IMAGINE_PROVIDERS_COMMON_DATA_URI_H_
