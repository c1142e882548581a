// Reads the few facts a test needs from an MP4 file — movie duration and the video
// track's width and height — by walking its boxes (ISO/IEC 14496-12). Test-only.
#ifndef IMAGINE_TESTS_SUPPORT_MP4_INFO_H_
#define IMAGINE_TESTS_SUPPORT_MP4_INFO_H_

#include <cstdint>
#include <string_view>

namespace imagine::testing {

struct Mp4Info {
  bool valid = false;   // an ftyp box first and a moov box with mvhd were found
  double duration_s = 0;
  int width = 0;        // of the first track with a non-zero size
  int height = 0;
};

Mp4Info ReadMp4Info(std::string_view bytes);

// Width and height from a PNG's IHDR; {0,0} when not a PNG.
struct PngSize {
  int width = 0;
  int height = 0;
};
PngSize ReadPngSize(std::string_view bytes);

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_MP4_INFO_H_
