// CallbackRequest: one webhook to deliver, as the app submits it to the CallbackDispatcher
// (callback_dispatcher.h). Each request brings its own retry policy and faults. Plain value
// type; not synchronized.
#ifndef IMAGINE_CALLBACKS_CALLBACK_REQUEST_H_
#define IMAGINE_CALLBACKS_CALLBACK_REQUEST_H_

#include <string>

#include "callbacks/retry_policy.h"
#include "callbacks/webhook_faults.h"

namespace imagine {

struct CallbackRequest {
  std::string task_id;
  std::string provider;  // the provider's name, e.g. "evolink" (recorded only)
  std::string url;       // http:// or https://
  std::string body;      // the payload, sent as-is with Content-Type: content_type
  // "POST" (a webhook) or "PUT" (an upload: xAI's output.upload_url gets the video).
  std::string method = "POST";
  std::string content_type = "application/json";
  // Non-empty: sign with Kie's scheme (api-reference 1.6) — X-Webhook-Timestamp is the Unix
  // seconds of the emulated clock at the attempt, X-Webhook-Signature is
  // base64(HMAC-SHA256(task_id + "." + timestamp, hmac_key)). Each attempt is signed anew.
  std::string hmac_key;
  RetryPolicy policy;
  WebhookFaults faults;
  // Whose callback it is (the task's owner key): workers and queue slots are shared
  // fairly between keys (fair_queue.h). "" is a key like any other.
  std::string key;
  // false: loopback, private and link-local receivers are refused at connect time, after
  // resolving the host (Evolink's rule). The emulator's own listening port is never reached.
  bool allow_private_hosts = true;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_CALLBACK_REQUEST_H_
