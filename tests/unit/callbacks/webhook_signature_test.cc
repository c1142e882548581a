#include "callbacks/webhook_signature.h"

#include <doctest/doctest.h>

namespace imagine {

// Expected values computed with Python's hmac/hashlib/base64, independently of OpenSSL.
TEST_CASE("KieWebhookSignature is base64(HMAC-SHA256(taskId.timestamp, key))") {
  struct Row {
    const char* task_id;
    const char* timestamp;
    std::string key;
    const char* expected;
  };
  const Row rows[] = {
      {"task123", "1700000000", "secret", "ykwzd/UtPwP/s3EW7aSnBbqa5/DzkljakdcgR0jeHqo="},
      {"", "", "", "DQq3i6vM5HtoYJRqrXINzBNjD3AHQ2S2VmXEyu+4Hs8="},
      {"281e5b0f39b9", "1787567409", std::string(100, 'k'), "GTbJUBuae4K60s1hFewTUsdsmQ7v7EkHbhVTV2wHj9s="},
  };
  for (const Row& row : rows) {
    CAPTURE(row.task_id);
    CHECK(KieWebhookSignature(row.task_id, row.timestamp, row.key) == row.expected);
  }
}

}  // namespace imagine
