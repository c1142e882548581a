// RequestParser: reads HTTP/1.1 requests from a connection's input, incrementally and
// within limits, so a slow or hostile client costs a buffer and never a thread. Feed it
// the connection's unconsumed bytes after each read; it answers "need more", "here is a
// request (N bytes used)" or "refuse with this status" — the latter as soon as a limit
// is crossed (a body over the limit is refused from its Content-Length or at the chunk
// that crosses it, never read whole). After a request, Reset() before the next one.
#ifndef IMAGINE_HTTP_REQUEST_PARSER_H_
#define IMAGINE_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <map>
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
};

struct ParsedRequest {
  std::string method;
  std::string target;  // as sent: path and query
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

  explicit RequestParser(HttpLimits limits) : limits_(limits) {}

  // Parses `in` (the connection's unconsumed input, which only ever grows between calls
  // until Reset). On kRequest, request() is complete and consumed() bytes of `in` are its.
  // On kError, error_status() and error_message() say why; the connection must answer and close.
  Result Feed(const std::string& in);
  void Reset();

  const ParsedRequest& request() const { return request_; }
  ParsedRequest& request() { return request_; }
  size_t consumed() const { return consumed_; }
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // The headers are in and ask for "100 Continue" before the body is sent.
  bool wants_continue() const { return headers_done_ && expect_continue_; }

 private:
  Result Fail(int status, std::string message);
  Result ParseHead(std::string_view head);
  Result ParseChunks(const std::string& in);

  HttpLimits limits_;
  ParsedRequest request_;
  size_t scan_ = 0;  // where the search for the end of the headers resumes
  bool headers_done_ = false;
  size_t body_start_ = 0;
  bool chunked_ = false;
  size_t content_length_ = 0;
  size_t chunk_pos_ = 0;        // next unread byte of the chunked body
  size_t chunk_left_ = 0;       // data bytes left in the current chunk
  bool in_chunk_ = false;       // reading a chunk's data (then its CRLF)
  bool in_trailers_ = false;    // after the last chunk
  size_t trailer_bytes_ = 0;
  bool expect_continue_ = false;
  size_t consumed_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

// Percent-decodes `text`; with `plus_is_space` a '+' becomes ' ' (query strings).
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace imagine

#endif  // IMAGINE_HTTP_REQUEST_PARSER_H_
