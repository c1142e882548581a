#include "http/request_parser.h"

#include <algorithm>
#include <cstdint>

namespace imagine {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool EqualsLower(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Each comma-separated token of a header value (Connection: keep-alive, Upgrade).
template <typename F>
void ForEachToken(std::string_view value, F f) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    f(Trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

void RequestParser::Reset() {
  request_ = ParsedRequest();
  scan_ = 0;
  headers_done_ = false;
  body_start_ = 0;
  chunked_ = false;
  content_length_ = 0;
  chunk_pos_ = 0;
  chunk_left_ = 0;
  in_chunk_ = false;
  in_trailers_ = false;
  trailer_bytes_ = 0;
  expect_continue_ = false;
  consumed_ = 0;
  error_status_ = 0;
  error_message_.clear();
}

RequestParser::Result RequestParser::Fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  return Result::kError;
}

RequestParser::Result RequestParser::Feed(const std::string& in) {
  if (!headers_done_) {
    size_t end = in.find("\r\n\r\n", scan_ >= 3 ? scan_ - 3 : 0);
    if (end == std::string::npos) {
      scan_ = in.size();
      size_t first_line = in.find('\n');
      if (first_line == std::string::npos && in.size() > limits_.max_target + 64) {
        return Fail(414, "the request line is longer than " + std::to_string(limits_.max_target) + " bytes");
      }
      if (in.size() > limits_.max_header_bytes) {
        return Fail(431, "the request headers are larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
      }
      return Result::kNeedMore;
    }
    if (end + 4 > limits_.max_header_bytes) {
      return Fail(431, "the request headers are larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
    }
    if (Result r = ParseHead(std::string_view(in).substr(0, end + 2)); r == Result::kError) return r;
    headers_done_ = true;
    body_start_ = end + 4;
    chunk_pos_ = body_start_;
  }
  if (chunked_) return ParseChunks(in);
  if (in.size() - body_start_ < content_length_) return Result::kNeedMore;
  request_.body.assign(in, body_start_, content_length_);
  consumed_ = body_start_ + content_length_;
  return Result::kRequest;
}

RequestParser::Result RequestParser::ParseHead(std::string_view head) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "the request line must be METHOD TARGET HTTP/1.1");
  }
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                   version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Fail(400, "the request method is not a token");
  if (target.size() > limits_.max_target) {
    return Fail(414, "the request target is longer than " + std::to_string(limits_.max_target) + " bytes");
  }
  if (target.empty()) return Fail(400, "the request target is empty");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return Fail(400, "the request target has a control character");
  }
  if (version == "HTTP/1.1") {
    request_.http10 = false;
  } else if (version == "HTTP/1.0") {
    request_.http10 = true;
  } else if (version.substr(0, 5) == "HTTP/") {
    return Fail(505, "only HTTP/1.1 and HTTP/1.0 are served");
  } else {
    return Fail(400, "the request line must end with HTTP/1.1");
  }
  request_.method = std::string(method);
  request_.target = std::string(target);
  size_t q = target.find('?');
  request_.path = PercentDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    request_.query = std::string(query);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      if (!pair.empty()) {
        size_t eq = pair.find('=');
        request_.params.emplace(PercentDecode(pair.substr(0, eq), true),
                                eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }

  bool has_length = false, close = false, keep_alive = false;
  std::string_view transfer_encoding;
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    std::string_view field = head.substr(pos, next - pos);
    pos = next + 2;
    if (request_.headers.size() >= limits_.max_headers) {
      return Fail(431, "a request may carry at most " + std::to_string(limits_.max_headers) + " header fields");
    }
    if (field.empty() || field.front() == ' ' || field.front() == '\t') {
      return Fail(400, "a header line may not start with whitespace (obsolete line folding)");
    }
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || !IsToken(field.substr(0, colon))) {
      return Fail(400, "a header line must be NAME: VALUE");
    }
    std::string_view name = field.substr(0, colon), value = Trim(field.substr(colon + 1));
    for (char c : value) {
      if (c == '\r' || c == '\n' || c == '\0') return Fail(400, "a header value has a CR, LF or NUL");
    }
    if (EqualsLower(name, "content-length")) {
      if (value.empty() || value.size() > 18) return Fail(400, "Content-Length must be a number of bytes");
      size_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return Fail(400, "Content-Length must be a number of bytes");
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      if (has_length && n != content_length_) return Fail(400, "two different Content-Length headers");
      has_length = true;
      content_length_ = n;
    } else if (EqualsLower(name, "transfer-encoding")) {
      if (!transfer_encoding.empty()) return Fail(501, "only one Transfer-Encoding header, chunked, is supported");
      transfer_encoding = value;
    } else if (EqualsLower(name, "connection")) {
      ForEachToken(value, [&](std::string_view t) {
        if (EqualsLower(t, "close")) close = true;
        if (EqualsLower(t, "keep-alive")) keep_alive = true;
      });
    } else if (EqualsLower(name, "expect")) {
      expect_continue_ = EqualsLower(value, "100-continue");
    }
    request_.headers.emplace_back(std::string(name), std::string(value));
  }
  if (!transfer_encoding.empty()) {
    if (!EqualsLower(transfer_encoding, "chunked")) {
      return Fail(501, "Transfer-Encoding " + std::string(transfer_encoding) + " is not supported (only chunked)");
    }
    if (has_length) return Fail(400, "a request may not carry both Content-Length and Transfer-Encoding");
    if (request_.http10) return Fail(400, "HTTP/1.0 has no chunked transfer coding");
    chunked_ = true;
  }
  if (!chunked_ && content_length_ > limits_.max_body) {
    return Fail(413, "request body is larger than the " + std::to_string(limits_.max_body) + "-byte limit");
  }
  request_.keep_alive = request_.http10 ? keep_alive && !close : !close;
  return Result::kNeedMore;
}

RequestParser::Result RequestParser::ParseChunks(const std::string& in) {
  while (true) {
    if (in_trailers_) {
      size_t eol = in.find("\r\n", chunk_pos_);
      if (eol == std::string::npos) {
        if (in.size() - chunk_pos_ > limits_.max_header_bytes) return Fail(431, "the chunk trailers are too large");
        return Result::kNeedMore;
      }
      const bool empty = eol == chunk_pos_;
      trailer_bytes_ += eol - chunk_pos_ + 2;
      if (trailer_bytes_ > limits_.max_header_bytes) return Fail(431, "the chunk trailers are too large");
      chunk_pos_ = eol + 2;
      if (empty) {  // an empty line ends the trailers and the request
        consumed_ = chunk_pos_;
        return Result::kRequest;
      }
      continue;
    }
    if (in_chunk_) {
      if (chunk_left_ > 0) {
        size_t take = std::min(in.size() - chunk_pos_, chunk_left_);
        request_.body.append(in, chunk_pos_, take);
        chunk_pos_ += take;
        chunk_left_ -= take;
        if (chunk_left_ > 0) return Result::kNeedMore;
      }
      if (in.size() - chunk_pos_ < 2) return Result::kNeedMore;
      if (in.compare(chunk_pos_, 2, "\r\n") != 0) return Fail(400, "a chunk's data must end with CRLF");
      chunk_pos_ += 2;
      in_chunk_ = false;
      continue;
    }
    size_t eol = in.find("\r\n", chunk_pos_);
    if (eol == std::string::npos) {
      if (in.size() - chunk_pos_ > 1024) return Fail(400, "a chunk-size line is longer than 1024 bytes");
      return Result::kNeedMore;
    }
    size_t size = 0, digits = 0, i = chunk_pos_;
    for (; i < eol && HexValue(in[i]) >= 0; ++i, ++digits) {
      if (digits >= 15) return Fail(413, "request body is larger than the " + std::to_string(limits_.max_body) + "-byte limit");
      size = size * 16 + static_cast<size_t>(HexValue(in[i]));
    }
    if (digits == 0 || (i < eol && in[i] != ';' && in[i] != ' ' && in[i] != '\t')) {
      return Fail(400, "a chunk must start with its size in hex");
    }
    chunk_pos_ = eol + 2;
    if (size == 0) {
      in_trailers_ = true;
      continue;
    }
    if (request_.body.size() + size > limits_.max_body) {
      return Fail(413, "request body is larger than the " + std::to_string(limits_.max_body) + "-byte limit");
    }
    chunk_left_ = size;
    in_chunk_ = true;
  }
}

}  // namespace imagine
