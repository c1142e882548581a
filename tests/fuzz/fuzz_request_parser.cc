// libFuzzer target: the request parser (Boost.Beast plus request_parser.cc's checks) on
// arbitrary bytes, with the split-buffer differential: the same bytes fed whole and in
// pieces (sizes drawn from the input) must give the same requests, the same error status
// and the same bytes left waiting. The first input byte picks small or default limits (so
// every limit is reached), the next eight seed the piece sizes, the rest is the wire.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "http/request_parser.h"

namespace {

struct Outcome {
  std::vector<std::string> requests;
  int status = 0;
  size_t pending = 0;
};

std::string Describe(const imagine::ParsedRequest& r) {
  std::string s = r.method + ' ' + r.target + ' ' + r.path + " ?" + r.query + (r.http10 ? " 1.0" : " 1.1") +
                  (r.keep_alive ? " ka" : " close");
  for (const auto& [k, v] : r.params) s += " p[" + k + '=' + v + ']';
  for (const auto& [k, v] : r.headers) s += " h[" + k + ':' + v + ']';
  return s + " body[" + r.body + ']';
}

// Feeds `wire` in pieces of the sizes `next_piece` gives (0 = the rest at once).
template <typename NextPiece>
Outcome Run(const std::string& wire, const imagine::HttpLimits& limits, NextPiece next_piece) {
  Outcome out;
  imagine::RequestParser p(limits);
  std::string in;
  size_t fed = 0;
  while (fed < wire.size() && out.status == 0) {
    size_t n = next_piece();
    if (n == 0 || n > wire.size() - fed) n = wire.size() - fed;
    in.append(wire, fed, n);
    fed += n;
    while (true) {
      const imagine::RequestParser::Result r = p.Feed(in);
      if (r == imagine::RequestParser::Result::kError) {
        out.status = p.error_status();
        if (out.status < 400 || out.status > 599 || p.error_message().empty()) std::abort();
        break;
      }
      if (p.consumed() > in.size()) std::abort();
      in.erase(0, p.consumed());
      if (r == imagine::RequestParser::Result::kNeedMore) break;
      out.requests.push_back(Describe(p.request()));
      if (p.request().body.size() > limits.max_body) std::abort();
      p.Reset();
    }
  }
  out.pending = out.status == 0 ? in.size() : 0;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  imagine::HttpLimits limits;
  if (data[0] & 1) {
    limits.max_body = 64;
    limits.max_headers = 4;
    limits.max_header_bytes = 256;
    limits.max_target = 64;
  }
  uint64_t seed = 0;
  for (int i = 1; i <= 8; ++i) seed = seed << 8 | data[i];
  seed |= 1;
  const std::string wire(reinterpret_cast<const char*>(data + 9), size - 9);

  const Outcome whole = Run(wire, limits, [] { return size_t{0}; });
  const Outcome bytes = Run(wire, limits, [] { return size_t{1}; });
  const Outcome pieces = Run(wire, limits, [&seed] {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;  // xorshift64
    return static_cast<size_t>(seed % 24 == 0 ? seed % 4096 + 1 : seed % 17 + 1);
  });
  for (const Outcome* other : {&bytes, &pieces}) {
    if (other->requests != whole.requests || other->status != whole.status || other->pending != whole.pending) {
      std::fprintf(stderr, "split differential: whole gave status %d, %zu requests, %zu pending; %s gave %d, %zu, %zu\n",
                   whole.status, whole.requests.size(), whole.pending, other == &bytes ? "bytes" : "pieces",
                   other->status, other->requests.size(), other->pending);
      for (size_t i = 0; i < whole.requests.size() || i < other->requests.size(); ++i) {
        std::fprintf(stderr, "  #%zu whole:  %s\n  #%zu split:  %s\n", i,
                     i < whole.requests.size() ? whole.requests[i].c_str() : "-", i,
                     i < other->requests.size() ? other->requests[i].c_str() : "-");
      }
      std::abort();
    }
  }
  return 0;
}
