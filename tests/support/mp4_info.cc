#include "support/mp4_info.h"

namespace imagine::testing {
namespace {

uint32_t U32(std::string_view b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) | (uint32_t(uint8_t(b[at + 2])) << 8) |
         uint32_t(uint8_t(b[at + 3]));
}
uint64_t U64(std::string_view b, size_t at) { return (uint64_t(U32(b, at)) << 32) | U32(b, at + 4); }

void Walk(std::string_view b, size_t begin, size_t end, Mp4Info* info, bool* has_mvhd) {
  size_t at = begin;
  while (at + 8 <= end) {
    uint64_t size = U32(b, at);
    std::string_view type = b.substr(at + 4, 4);
    size_t header = 8;
    if (size == 1 && at + 16 <= end) {
      size = U64(b, at + 8);
      header = 16;
    } else if (size == 0) {
      size = end - at;
    }
    if (size < header || at + size > end) return;
    size_t body = at + header;
    if (type == "moov" || type == "trak") {
      Walk(b, body, at + size, info, has_mvhd);
    } else if (type == "mvhd" && body + 32 <= at + size) {
      uint8_t version = uint8_t(b[body]);
      uint32_t timescale = version == 1 ? U32(b, body + 20) : U32(b, body + 12);
      uint64_t duration = version == 1 ? U64(b, body + 24) : U32(b, body + 16);
      if (timescale != 0) info->duration_s = double(duration) / timescale;
      *has_mvhd = true;
    } else if (type == "tkhd" && info->width == 0) {
      uint8_t version = uint8_t(b[body]);
      size_t wh = body + (version == 1 ? 88 : 76);
      if (wh + 8 <= at + size) {
        info->width = int(U32(b, wh) >> 16);
        info->height = int(U32(b, wh + 4) >> 16);
      }
    }
    at += size;
  }
}

}  // namespace

Mp4Info ReadMp4Info(std::string_view bytes) {
  Mp4Info info;
  if (bytes.size() < 16 || bytes.substr(4, 4) != "ftyp") return info;
  bool has_mvhd = false;
  Walk(bytes, 0, bytes.size(), &info, &has_mvhd);
  info.valid = has_mvhd;
  return info;
}

PngSize ReadPngSize(std::string_view bytes) {
  static constexpr char kSig[] = "\x89PNG\r\n\x1a\n";
  if (bytes.size() < 24 || bytes.substr(0, 8) != std::string_view(kSig, 8) || bytes.substr(12, 4) != "IHDR") return {};
  return {int(U32(bytes, 16)), int(U32(bytes, 20))};
}

}  // namespace imagine::testing
