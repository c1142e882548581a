// CallbackDelivery: the next attempt of one delivery of an accepted CallbackRequest, as the
// CallbackDispatcher's parts pass it around (fair_queue.h, delivery_timers.h); WorkItem is a
// worker's unit. Plain value types; the request they share is immutable.
#ifndef IMAGINE_CALLBACKS_CALLBACK_DELIVERY_H_
#define IMAGINE_CALLBACKS_CALLBACK_DELIVERY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "callbacks/callback_request.h"

namespace imagine {

struct CallbackDelivery {
  std::shared_ptr<const CallbackRequest> request;  // shared by its deliveries and attempts; never null
  int delivery = 1;    // 1, or 2 for the duplicate copy
  int attempt = 1;     // the attempt to make next
  int64_t due_ms = 0;  // emulated instant the attempt fell due
};

// A worker's unit: one delivery, or an out-of-order batch already in sending order. Never
// empty. A batch may mix keys; it is queued and counted under the key of its first delivery.
using WorkItem = std::vector<CallbackDelivery>;

inline const std::string& KeyOf(const WorkItem& item) { return item.front().request->key; }

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_CALLBACK_DELIVERY_H_
