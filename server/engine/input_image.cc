#include "engine/input_image.h"

#include <cstdint>

namespace imagine {
namespace {

uint32_t Be16(std::string_view b, size_t at) {
  return (static_cast<uint8_t>(b[at]) << 8) | static_cast<uint8_t>(b[at + 1]);
}
uint32_t Be32(std::string_view b, size_t at) { return (Be16(b, at) << 16) | Be16(b, at + 2); }
uint32_t Le16(std::string_view b, size_t at) {
  return static_cast<uint8_t>(b[at]) | (static_cast<uint8_t>(b[at + 1]) << 8);
}
uint32_t Le24(std::string_view b, size_t at) { return Le16(b, at) | (static_cast<uint8_t>(b[at + 2]) << 16); }

InputImageCheck Usable(const char* format, uint32_t width, uint32_t height) {
  InputImageCheck c;
  if (width == 0 || height == 0) {
    c.reason = kImageInvalid;
    c.detail = std::string("the ") + format + " header gives a zero width or height";
    return c;
  }
  c.format = format;
  c.width = static_cast<int>(width);
  c.height = static_cast<int>(height);
  return c;
}

InputImageCheck Invalid(std::string detail) {
  InputImageCheck c;
  c.reason = kImageInvalid;
  c.detail = std::move(detail);
  return c;
}

// JPEG: walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
InputImageCheck Jpeg(std::string_view b) {
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[at]) != 0xFF) return Invalid("the JPEG has a broken segment");
    const uint8_t marker = static_cast<uint8_t>(b[at + 1]);
    if (marker == 0xFF) { ++at; continue; }  // fill byte
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { at += 2; continue; }
    if (marker == 0xD9 || marker == 0xDA) break;  // end of image / start of scan before a frame header
    const uint32_t length = Be16(b, at + 2);
    if (length < 2) return Invalid("the JPEG has a broken segment");
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (at + 9 > b.size()) break;
      return Usable("jpeg", Be16(b, at + 7), Be16(b, at + 5));
    }
    at += 2 + length;
  }
  return Invalid("the JPEG has no frame header giving its size");
}

InputImageCheck Png(std::string_view b) {
  if (b.size() < 24 || b.substr(12, 4) != "IHDR") return Invalid("the PNG has no IHDR header giving its size");
  return Usable("png", Be32(b, 16), Be32(b, 20));
}

InputImageCheck Webp(std::string_view b) {
  if (b.size() < 30) return Invalid("the WEBP is too short to hold its size");
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {  // lossy: frame tag (3), start code 9D 01 2A, 14-bit width and height
    if (static_cast<uint8_t>(b[23]) != 0x9D || static_cast<uint8_t>(b[24]) != 0x01 ||
        static_cast<uint8_t>(b[25]) != 0x2A) {
      return Invalid("the WEBP (VP8) has no frame start code");
    }
    return Usable("webp", Le16(b, 26) & 0x3FFF, Le16(b, 28) & 0x3FFF);
  }
  if (chunk == "VP8L") {  // lossless: signature 0x2F, then 14 bits width-1, 14 bits height-1
    if (static_cast<uint8_t>(b[20]) != 0x2F) return Invalid("the WEBP (VP8L) has no signature");
    const uint32_t bits = Le16(b, 21) | (Le16(b, 23) << 16);
    return Usable("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (chunk == "VP8X") return Usable("webp", Le24(b, 24) + 1, Le24(b, 27) + 1);  // extended: canvas size - 1
  return Invalid("the WEBP has no VP8, VP8L or VP8X header");
}

}  // namespace

InputImageCheck ProbeImage(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return Jpeg(b);
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) return Png(b);
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return Webp(b);
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a")) {
    return Invalid("a GIF is not a JPEG, PNG or WEBP image");
  }
  return Invalid(b.empty() ? "the response body is empty" : "the body is not a JPEG, PNG or WEBP image");
}

}  // namespace imagine
