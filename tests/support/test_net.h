// Test-only helpers shared by the unit and integration callback tests: the Kie webhook
// signature recomputed with OpenSSL directly (not with the code under test), and a
// loopback port that nobody listens on, for "connection refused" cases.
#ifndef IMAGINE_TESTS_SUPPORT_TEST_NET_H_
#define IMAGINE_TESTS_SUPPORT_TEST_NET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <string>

namespace imagine::testing {

// base64(HMAC-SHA256(message, key)), as Kie documents for X-Webhook-Signature.
inline std::string ExpectedSignature(const std::string& message, const std::string& key) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &mac_len);
  unsigned char b64[128];
  int n = EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
}

// A loopback port nobody listens on (bound, read back, closed); -1 if none could be had.
inline int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_TEST_NET_H_
