#include "providers/common/data_uri.h"

#include "common/text.h"
#include "engine/input_image.h"

namespace imagine {
namespace {

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Status Refuse(std::string message, const std::string& pointer, std::string_view uri) {
  std::string head(uri.substr(0, 48));
  if (uri.size() > head.size()) head += "...";
  return InvalidArgument(std::move(message), Violation{pointer, "image_data_uri", "\"" + head + "\""});
}

}  // namespace

bool IsDataUri(std::string_view url) { return url.size() >= 5 && StartsWithNoCase(url, "data:"); }

bool DecodeBase64(std::string_view text, std::string* out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;
  out->clear();
  out->reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = Sextet(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

Status CheckImageDataUri(std::string_view uri, const std::string& pointer, size_t max_bytes) {
  const size_t comma = uri.find(',');
  const std::string_view head = uri.substr(0, comma);  // data:image/png;base64
  if (comma == std::string_view::npos || !StartsWithNoCase(head, "data:image/") || head.size() < 7 ||
      !EqualsNoCase(head.substr(head.size() - 7), ";base64")) {
    return Refuse("must be a data:image/<type>;base64, URI", pointer, uri);
  }
  const std::string_view data = uri.substr(comma + 1);
  if (data.size() / 4 * 3 > max_bytes + 3) {
    return Refuse("the image exceeds the maximum size of " + std::to_string(max_bytes >> 20) + " MB", pointer, uri);
  }
  std::string bytes;
  if (data.empty() || !DecodeBase64(data, &bytes)) return Refuse("is not valid base64 data", pointer, uri);
  if (bytes.size() > max_bytes) {
    return Refuse("the image exceeds the maximum size of " + std::to_string(max_bytes >> 20) + " MB", pointer, uri);
  }
  InputImageCheck probe = ProbeImage(bytes);
  if (!probe.reason.empty()) return Refuse("is not a JPEG, PNG or WEBP image", pointer, uri);
  return Status::Ok();
}

}  // namespace imagine
