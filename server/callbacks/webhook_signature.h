// Kie's webhook signature (api-reference 1.6, ambiguity 8), used by the CallbackDispatcher
// when a CallbackRequest carries an HMAC key. Pure functions; thread-safe.
#ifndef IMAGINE_CALLBACKS_WEBHOOK_SIGNATURE_H_
#define IMAGINE_CALLBACKS_WEBHOOK_SIGNATURE_H_

#include <string>
#include <string_view>

namespace imagine {

// Header names as Kie sends them.
inline constexpr const char* kWebhookTimestampHeader = "X-Webhook-Timestamp";
inline constexpr const char* kWebhookSignatureHeader = "X-Webhook-Signature";

// base64(HMAC-SHA256(task_id + "." + timestamp, key)), standard alphabet with padding.
// `timestamp` is the decimal Unix seconds sent in X-Webhook-Timestamp.
std::string KieWebhookSignature(std::string_view task_id, std::string_view timestamp, std::string_view key);

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_WEBHOOK_SIGNATURE_H_
