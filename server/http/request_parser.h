// RequestParser: reads HTTP/1.1 requests from a connection's input, incrementally and
// within limits, so a slow or hostile client costs a bounded buffer and never a thread.
// The parsing is Boost.Beast's (http::basic_parser<true>, the engine of
// http::request_parser), with the RFC 9112 checks Beast leaves to its user around it
// (request_parser.cc lists them). Feed it the connection's unconsumed bytes after each
// read; it answers "need more", "here is a request" or "refuse with this status" — the
// latter as soon as a limit is crossed or a byte is wrong. Every call uses consumed()
// bytes, which the caller erases before the next call: body bytes and chunk framing are
// never kept. After a request, Reset() before the next one. Not thread-safe: one per
// connection.
#ifndef IMAGINE_HTTP_REQUEST_PARSER_H_
#define IMAGINE_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imagine {

struct HttpLimits {
  size_t max_target = 8192;        // request-target bytes; longer gets 414
  size_t max_header_bytes = 65536; // request line + headers (and chunk trailers); more gets 431
  size_t max_headers = 100;        // header fields; more gets 431
  size_t max_body = 1 << 20;       // decoded body bytes; more gets 413
  // A chunked body's framing (size lines, extensions, CRLFs, trailers) counts against
  // max_header_bytes as well: more framing than that gets 413.
};

struct ParsedRequest {
  std::string method;
  std::string target;  // path and query as sent (the origin form of an absolute-form target)
  std::string path;    // percent-decoded
  std::string query;   // raw, after '?', "" when none
  std::multimap<std::string, std::string> params;  // the query, decoded ('+' is a space)
  std::vector<std::pair<std::string, std::string>> headers;  // in order, as sent
  std::string body;
  bool http10 = false;
  bool keep_alive = true;  // the client allows another request on this connection
};

class RequestParser {
 public:
  enum class Result { kNeedMore, kRequest, kError };

  explicit RequestParser(HttpLimits limits);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses `in`, the connection's unconsumed input. Whatever the result, the first
  // consumed() bytes of `in` were used and must be erased before the next call (bytes
  // after them are kept and fed again with what arrives next). On kRequest, request()
  // is complete and Reset() starts the next one. On kError, error_status() (400, 413,
  // 414, 431, 501, 505) and error_message() say why; the connection must answer and
  // close, and every later Feed returns kError.
  Result Feed(std::string_view in);
  void Reset();

  const ParsedRequest& request() const { return request_; }
  ParsedRequest& request() { return request_; }
  size_t consumed() const { return consumed_; }
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // The headers are in and ask for "100 Continue" before the body is sent (never on
  // HTTP/1.0, which has no 1xx answers).
  bool wants_continue() const;
  // Bytes of a request (not only empty lines) have arrived since the last Reset.
  bool started() const { return started_; }

 private:
  class Impl;  // the Beast parser and its callbacks
  friend class Impl;
  Result Fail(int status, std::string message);
  // Checks the head's bytes from scan_pos_ on, before Beast sees them. Returns how many
  // bytes of `rest` are fine; when fewer than all, *status and *message say why the next
  // one is refused.
  size_t ScanHead(std::string_view rest, int* status, std::string* message);
  // Checks the chunk framing at the front of `rest` (the CRLF after the last chunk's
  // data, a chunk-size line, or the last chunk's line and trailers) from fr_pos_ on,
  // before Beast sees it. Returns the length of the complete framing unit, 0 while it is
  // incomplete, or sets *status and *message.
  size_t ScanFraming(std::string_view rest, int* status, std::string* message);
  Result FailBeast(int beast_error, std::string_view rest);

  HttpLimits limits_;
  std::unique_ptr<Impl> impl_;
  ParsedRequest request_;
  size_t consumed_ = 0;
  int error_status_ = 0;
  std::string error_message_;
  bool started_ = false;
  size_t empty_lines_ = 0;     // bytes of CRLFs skipped before the request line
  // Head scan (ScanHead), resumed where it stopped.
  size_t scan_pos_ = 0;        // offset in the unconsumed input
  size_t line_len_ = 0;        // bytes of the current head line so far
  size_t head_bytes_ = 0;      // bytes of the head so far
  bool first_line_ = true;
  bool prev_cr_ = false;
  bool head_end_seen_ = false;
  size_t framing_bytes_ = 0;   // chunk framing consumed so far
  uint64_t data_left_ = 0;     // bytes of the current chunk's data Beast still expects
  bool expect_crlf_ = false;   // a chunk's data ended: its CRLF comes next
  // Framing scan (ScanFraming), resumed where it stopped; reset when Beast takes a unit.
  size_t fr_pos_ = 0;
  size_t fr_line_start_ = 0;
  size_t fr_line_no_ = 0;
  bool fr_prev_cr_ = false;
  bool fr_last_chunk_ = false;
  // What the header callbacks saw (request_parser.cc's checks around Beast).
  int host_count_ = 0;
  bool host_bad_ = false;
  bool has_length_ = false;
  bool has_transfer_encoding_ = false;
  std::string transfer_encoding_;  // every Transfer-Encoding value, comma-joined
  std::string authority_;          // of an absolute-form target, "" for origin-form
  bool expect_continue_ = false;
};

}  // namespace imagine

#endif  // IMAGINE_HTTP_REQUEST_PARSER_H_
