// Input images: what a create request's image URL turns out to be when the emulator
// fetches it (inputs.fetch: on). ImageFetcher is the interface the request flow calls
// (the app wires in HttpImageFetcher, app/http_image_fetcher.h; tests may put in a fake);
// ProbeImage judges downloaded bytes the way the providers' documents put it: JPEG, PNG
// or WEBP, with a size header that decodes. Pure functions; implementations thread-safe.
//
//   InputImageCheck c = fetcher->Fetch("https://example.com/cat.png", /*allow_private=*/false);
//   if (!c.reason.empty()) task.fail_reason = c.reason;   // "image_unreachable", ...
#ifndef IMAGINE_ENGINE_INPUT_IMAGE_H_
#define IMAGINE_ENGINE_INPUT_IMAGE_H_

#include <string>
#include <string_view>

namespace imagine {

// The neutral failure reasons (each provider words them in its document's `failures`).
inline constexpr const char* kImageUnreachable = "image_unreachable";
inline constexpr const char* kImageTooLarge = "image_too_large";
inline constexpr const char* kImageInvalid = "image_invalid";

struct InputImageCheck {
  std::string reason;  // "" = a usable image; else one of the reasons above
  std::string detail;  // one line for the log, e.g. "HTTP 404", "GIF is not JPEG, PNG or WEBP"
  std::string format;  // "jpeg" | "png" | "webp" when usable
  int width = 0, height = 0;
};

class ImageFetcher {
 public:
  virtual ~ImageFetcher() = default;
  // Downloads `url` (redirects and size bounded by the implementation) and probes it.
  // `allow_private`: false refuses loopback/private hosts at every hop (image_unreachable).
  virtual InputImageCheck Fetch(std::string_view url, bool allow_private) const = 0;
};

// Judges `bytes` (a whole file, or its first bytes): JPEG (FF D8 FF and a SOFn segment),
// PNG (signature and IHDR) or WEBP (RIFF/WEBP with a VP8, VP8L or VP8X header), each
// with a non-zero width and height. Otherwise reason image_invalid with the detail.
InputImageCheck ProbeImage(std::string_view bytes);

}  // namespace imagine

#endif  // IMAGINE_ENGINE_INPUT_IMAGE_H_
