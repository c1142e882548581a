// HttpImageFetcher: the real ImageFetcher (engine/input_image.h) — downloads a create
// request's input image over HTTP or HTTPS with cpp-httplib when inputs.fetch is on:
// a fresh connection per hop, at most max_redirects redirects (each hop's host checked
// against the private-address policy of common/url.h, as callbacks are), the whole
// download within timeout_s, at most max_bytes read (the seeds' 10 MB), then
// ProbeImage. Thread-safe: Fetch() is const and runs on the request's thread.
#ifndef IMAGINE_APP_HTTP_IMAGE_FETCHER_H_
#define IMAGINE_APP_HTTP_IMAGE_FETCHER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/input_image.h"

namespace imagine {

struct ImageFetchOptions {
  bool fetch = false;                 // inputs.fetch: on
  double timeout_s = 10;              // connect, TLS, every read and write, and the whole download
  int max_redirects = 3;              // 3xx hops followed before image_unreachable
  size_t max_bytes = 10 * 1024 * 1024;  // a larger image is image_too_large (the seeds: "10MB")
  bool verify_tls = true;             // callbacks.verify_tls: the same trust as callbacks
  std::string ca_file;                // callbacks.ca_file
};

class HttpImageFetcher final : public ImageFetcher {
 public:
  explicit HttpImageFetcher(ImageFetchOptions options) : options_(std::move(options)) {}
  InputImageCheck Fetch(std::string_view url, bool allow_private) const override;

 private:
  ImageFetchOptions options_;
};

}  // namespace imagine

#endif  // IMAGINE_APP_HTTP_IMAGE_FETCHER_H_
