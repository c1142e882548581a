// HttpImageFetcher: the real ImageFetcher (engine/input_image.h) — downloads a create
// request's input image over HTTP or HTTPS with cpp-httplib when inputs.fetch is on:
// a fresh connection per hop, at most max_redirects redirects, the whole download (name
// lookups included) within timeout_s, at most max_bytes read (the seeds' 10 MB), then
// ProbeImage. Every hop goes through the callbacks' outgoing-request policy
// (callbacks/callback_destination.h): the host is resolved once, every address checked
// (private ones unless allowed, the emulator's own port on a local address never), and
// only a checked address is connected to; a refused address fails as a closed port does
// ("connection refused"). Thread-safe: Fetch() is const and runs on the request's thread.
#ifndef IMAGINE_APP_HTTP_IMAGE_FETCHER_H_
#define IMAGINE_APP_HTTP_IMAGE_FETCHER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "callbacks/host_resolver.h"
#include "engine/input_image.h"

namespace imagine {

struct ImageFetchOptions {
  bool fetch = false;                 // inputs.fetch: on
  double timeout_s = 10;              // connect, TLS, every read and write, and the whole download
  int max_redirects = 3;              // 3xx hops followed before image_unreachable
  size_t max_bytes = 10 * 1024 * 1024;  // a larger image is image_too_large (the seeds: "10MB")
  bool verify_tls = true;             // callbacks.verify_tls: the same trust as callbacks
  std::string ca_file;                // callbacks.ca_file
  std::vector<int> own_ports;         // the emulator's listening ports: never fetched from a local address
};

class HttpImageFetcher final : public ImageFetcher {
 public:
  // `lookup`: how image hosts are resolved (callbacks/host_resolver.h); null = getaddrinfo.
  // Tests inject one.
  explicit HttpImageFetcher(ImageFetchOptions options, LookupFunction lookup = nullptr)
      : options_(std::move(options)), resolver_(std::move(lookup)) {}
  InputImageCheck Fetch(std::string_view url, bool allow_private) const override;

 private:
  ImageFetchOptions options_;
  HostResolver resolver_;  // names are looked up under the download's deadline
};

}  // namespace imagine

#endif  // IMAGINE_APP_HTTP_IMAGE_FETCHER_H_
