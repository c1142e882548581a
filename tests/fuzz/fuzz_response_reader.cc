// libFuzzer target: the callback-response reader (callbacks/response_reader.cc:
// ParseResponseHead, Dechunker) on arbitrary bytes, with the split-buffer differential for
// the chunked body: decoded whole and in pieces (sizes drawn from the input) it must give
// the same verdict, completion and body. Input: 8 bytes seeding the piece sizes, then a
// response (head, CRLF CRLF, body).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "callbacks/response_reader.h"

namespace {

struct Decoded {
  bool ok = true;
  bool done = false;
  std::string body;
  std::string error;
  bool operator==(const Decoded& o) const { return ok == o.ok && done == o.done && body == o.body && error == o.error; }
};

template <typename NextPiece>
Decoded Dechunk(const std::string& wire, size_t max_body, NextPiece next_piece) {
  Decoded d;
  imagine::Dechunker dechunker;
  std::string buf;
  size_t fed = 0;
  while (fed < wire.size() && d.ok && !d.done) {
    size_t n = next_piece();
    if (n == 0 || n > wire.size() - fed) n = wire.size() - fed;
    buf.append(wire, fed, n);
    fed += n;
    d.ok = dechunker.Feed(&buf, &d.body, max_body, &d.done, &d.error);
    if (d.body.size() > max_body) std::abort();
  }
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = seed << 8 | data[i];
  seed |= 1;
  const std::string wire(reinterpret_cast<const char*>(data + 8), size - 8);
  const size_t end = wire.find("\r\n\r\n");
  imagine::ResponseHead head;
  const bool head_ok = imagine::ParseResponseHead(std::string_view(wire).substr(0, end == std::string::npos ? wire.size() : end + 2), &head);
  if (head_ok && (head.status < 0 || head.status > 999)) std::abort();
  // The body as a chunked one whatever the head says: the decoder must hold on any bytes.
  const std::string body = end == std::string::npos ? wire : wire.substr(end + 4);
  const size_t max_body = 1024;
  const Decoded whole = Dechunk(body, max_body, [] { return size_t{0}; });
  const Decoded bytes = Dechunk(body, max_body, [] { return size_t{1}; });
  const Decoded pieces = Dechunk(body, max_body, [&seed] {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return static_cast<size_t>(seed % 24 == 0 ? seed % 8192 + 1 : seed % 17 + 1);
  });
  for (const Decoded* other : {&bytes, &pieces}) {
    if (!(*other == whole)) {
      std::fprintf(stderr, "split differential: whole ok=%d done=%d body=%zu; %s ok=%d done=%d body=%zu\n", whole.ok,
                   whole.done, whole.body.size(), other == &bytes ? "bytes" : "pieces", other->ok, other->done,
                   other->body.size());
      std::abort();
    }
  }
  return 0;
}
