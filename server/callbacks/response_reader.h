// The callback-response reader's framing (HttpExchange's receiving side): the status line
// and framing headers of a response head, and incremental chunked decoding. Pure, no I/O;
// one Dechunker per response, not shared between threads. Fuzzed by
// tests/fuzz/fuzz_response_reader.cc.
#ifndef IMAGINE_CALLBACKS_RESPONSE_READER_H_
#define IMAGINE_CALLBACKS_RESPONSE_READER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace imagine {

// The response framing once its head is read.
struct ResponseHead {
  int status = 0;
  bool chunked = false;
  bool has_length = false;
  size_t length = 0;
  bool no_body = false;  // 1xx, 204, 304
};

// Reads `head` (status line and header lines, without the empty line). False when the
// status line is not "HTTP/1.x SSS ..." or a Content-Length is not a number.
bool ParseResponseHead(std::string_view head, ResponseHead* out);

// Incremental chunked decoding over `buf` (consumed bytes are erased).
class Dechunker {
 public:
  // Appends decoded bytes to `body` up to `max_body` (the rest is discarded) and sets
  // *done once the last chunk and trailers are read. False with *error on malformed
  // framing or a chunk-size line or trailer over 4 096 bytes.
  bool Feed(std::string* buf, std::string* body, size_t max_body, bool* done, std::string* error);

 private:
  static bool Fail(std::string* error);
  enum State { kSize, kData, kDataEnd, kTrailer } state_ = kSize;
  unsigned long long left_ = 0;
};

}  // namespace imagine

#endif  // IMAGINE_CALLBACKS_RESPONSE_READER_H_
