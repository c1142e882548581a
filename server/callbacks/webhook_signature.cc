#include "callbacks/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace imagine {

std::string KieWebhookSignature(std::string_view task_id, std::string_view timestamp, std::string_view key) {
  std::string message;
  message.reserve(task_id.size() + 1 + timestamp.size());
  message.append(task_id).append(".").append(timestamp);

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len);

  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, mac, static_cast<int>(mac_len));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(n));
}

}  // namespace imagine
