// ProbeImage: the JPEG / PNG / WEBP magic and size headers, and what is refused.
#include <doctest/doctest.h>

#include "engine/input_image.h"

namespace imagine {

TEST_CASE("ProbeImage reads the size of JPEG, PNG and WEBP (VP8, VP8L, VP8X) files") {
  const std::string png = std::string("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR\0\0\x01\x00\0\0\0\xC8\x08\x02\0\0\0", 29);
  InputImageCheck p = ProbeImage(png);
  CHECK(p.reason == "");
  CHECK(p.format == "png");
  CHECK(p.width == 256);
  CHECK(p.height == 200);
  // JPEG with an APP0 segment before the baseline frame header; 64 x 48.
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20) +
                           std::string("\xFF\xC0\x00\x11\x08\x00\x30\x00\x40\x03", 10);
  InputImageCheck j = ProbeImage(jpeg);
  CHECK(j.format == "jpeg");
  CHECK(j.width == 64);
  CHECK(j.height == 48);
  // Lossy VP8: start code 9D 01 2A, 14-bit sizes 320 x 240.
  const std::string vp8 = std::string("RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x00\x00\x00\x9D\x01\x2A\x40\x01\xF0\x00", 30);
  InputImageCheck w = ProbeImage(vp8);
  CHECK(w.format == "webp");
  CHECK(w.width == 320);
  CHECK(w.height == 240);
  // Lossless VP8L: 0x2F, then width-1 and height-1 in 14 bits each: 1 x 1.
  const std::string vp8l = std::string("RIFF\x00\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2F\x00\x00\x00\x00", 25) + std::string(5, '\0');
  InputImageCheck l = ProbeImage(vp8l);
  CHECK(l.format == "webp");
  CHECK(l.width == 1);
  CHECK(l.height == 1);
  const std::string vp8x = std::string("RIFF\x00\x00\x00\x00WEBPVP8X\x0A\x00\x00\x00\x00\x00\x00\x00\x3F\x00\x00\x1F\x00\x00", 30);
  CHECK(ProbeImage(vp8x).width == 64);
  CHECK(ProbeImage(vp8x).height == 32);
}

TEST_CASE("ProbeImage refuses GIF, text, truncated headers and zero sizes as image_invalid") {
  const std::string cases[] = {
      "",
      "GIF89a\x01\x00\x01\x00",
      "<html></html>",
      std::string("\x89PNG\r\n\x1A\n", 8),                                                        // no IHDR
      std::string("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR\0\0\0\0\0\0\0\x01\x08\x02\0\0\0", 29),        // width 0
      std::string("\xFF\xD8\xFF\xD9", 4),                                                        // no frame header
      std::string("RIFF\x00\x00\x00\x00WEBPVP8 ", 16) + std::string(14, '\0'),                    // no start code
      std::string("RIFF\x00\x00\x00\x00WEBPABCD", 16) + std::string(14, '\0'),
  };
  for (const std::string& bytes : cases) {
    INFO(bytes.size());
    InputImageCheck c = ProbeImage(bytes);
    CHECK(c.reason == kImageInvalid);
    CHECK_FALSE(c.detail.empty());
    CHECK(c.format.empty());
  }
  CHECK(ProbeImage("GIF89a\x01\x00\x01\x00").detail == "a GIF is not a JPEG, PNG or WEBP image");
}

}  // namespace imagine
