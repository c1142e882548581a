// libFuzzer target: callback URL parsing and the private-address / own-port checks on the
// host it yields (IP literals only: no resolver traffic while fuzzing).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "callbacks/callback_destination.h"
#include "callbacks/webhook_sender.h"
#include "common/url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  (void)imagine::IsAbsoluteUri(url);
  auto split = imagine::SplitUrl(url);
  if (split.ok()) (void)imagine::IsPrivateHost(split->host);
  auto parsed = imagine::ParseCallbackUrl(url);
  if (!parsed.ok()) return 0;
  const bool is_private = imagine::IsPrivateHost(parsed->host);
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, parsed->host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, parsed->host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
  } else {
    return 0;
  }
  std::string why;
  const imagine::DestinationRules strict{false, {parsed->port}};
  const bool forbidden = imagine::IsForbiddenAddress(reinterpret_cast<sockaddr*>(&ss), parsed->port, strict, &why);
  // A literal private host must never pass the strict rules, nor the own port on loopback.
  if (is_private && !forbidden) __builtin_trap();
  return 0;
}
