#include "callbacks/host_resolver.h"

#include <netdb.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace imagine {
namespace {

std::string GetAddrInfo(const std::string& host, int port, int flags, std::vector<ResolvedAddress>* out, int* rc_out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  addrinfo* addrs = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addrs);
  if (rc_out != nullptr) *rc_out = rc;
  if (rc != 0) return gai_strerror(rc);
  for (addrinfo* ai = addrs; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addr == nullptr || ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    ResolvedAddress a;
    std::memcpy(&a.addr, ai->ai_addr, ai->ai_addrlen);
    a.len = static_cast<socklen_t>(ai->ai_addrlen);
    out->push_back(a);
  }
  ::freeaddrinfo(addrs);
  return out->empty() ? "no address" : "";
}

// One lookup, shared by the caller (who may stop waiting) and its helper thread.
struct Lookup {
  std::mutex mu;  // protects done, error, addresses
  std::condition_variable cv;
  bool done = false;
  std::string error;
  std::vector<ResolvedAddress> addresses;
};

}  // namespace

struct HostResolver::Shared {
  std::mutex mu;  // protects lookups
  std::condition_variable cv;
  size_t lookups = 0;  // helper threads running
};

std::string SystemLookup(const std::string& host, int port, std::vector<ResolvedAddress>* out) {
  return GetAddrInfo(host, port, 0, out, nullptr);
}

HostResolver::HostResolver(LookupFunction lookup, size_t max_lookups)
    : lookup_(lookup ? std::move(lookup) : LookupFunction(SystemLookup)),
      max_lookups_(max_lookups == 0 ? 1 : max_lookups),
      shared_(std::make_shared<Shared>()) {}

Resolution HostResolver::Resolve(const std::string& host, int port,
                                 std::chrono::steady_clock::time_point deadline) const {
  Resolution result;
  int rc = 0;
  result.error = GetAddrInfo(host, port, AI_NUMERICHOST, &result.addresses, &rc);
  if (rc != EAI_NONAME) return result;  // a numeric host (or a numeric form getaddrinfo refused)
  result = Resolution{};

  {
    std::unique_lock<std::mutex> lock(shared_->mu);
    if (!shared_->cv.wait_until(lock, deadline, [&] { return shared_->lookups < max_lookups_; })) {
      result.timed_out = true;
      return result;
    }
    ++shared_->lookups;
  }
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([shared = shared_, lookup, fn = lookup_, host, port] {
      std::vector<ResolvedAddress> addresses;
      std::string error = fn(host, port, &addresses);
      {
        std::lock_guard<std::mutex> lock(lookup->mu);
        lookup->error = std::move(error);
        lookup->addresses = std::move(addresses);
        lookup->done = true;
      }
      lookup->cv.notify_all();
      {
        std::lock_guard<std::mutex> lock(shared->mu);
        --shared->lookups;
      }
      shared->cv.notify_all();
    }).detach();
  } catch (const std::system_error&) {
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      --shared_->lookups;
    }
    shared_->cv.notify_all();
    result.error = "cannot start a lookup thread";
    return result;
  }
  std::unique_lock<std::mutex> lock(lookup->mu);
  if (!lookup->cv.wait_until(lock, deadline, [&] { return lookup->done; })) {
    result.timed_out = true;
    return result;
  }
  result.error = std::move(lookup->error);
  result.addresses = std::move(lookup->addresses);
  if (result.error.empty() && result.addresses.empty()) result.error = "no address";
  return result;
}

size_t HostResolver::LookupsInFlight() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->lookups;
}

}  // namespace imagine
