#include "http/request_parser.h"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "http/request_target.h"

// Boost.Beast does the parsing (request line, fields, Content-Length, chunked framing,
// header and body limits). Around it, the checks of RFC 9112 that Beast 1.74 leaves to
// its user, each marked "Beast alone:" below:
//  - bare LF line ends: Beast waits for CRLF CRLF until its header limit (a 10 s stall,
//    then 408); refused at once here, in the head and in chunk framing;
//  - obs-fold: Beast joins folded lines; refused here (RFC 9112 §5.2 allows either);
//  - empty lines before the request line: Beast refuses them; skipped here (§2.2 SHOULD);
//  - Host: none on HTTP/1.1, two, or a malformed value is a 400 (§3.2 MUST);
//  - the target: absolute-form served (§3.2.2 MUST), bytes >= 0x80, '#' and "%00"
//    refused (request_target.cc);
//  - Transfer-Encoding: Beast ignores codings other than a final "chunked" (and an empty
//    value) and then frames by Content-Length; here any Transfer-Encoding with a
//    Content-Length is a 400, on HTTP/1.0 a 400, and anything but exactly "chunked" 501;
//  - chunk framing: Beast has no limit on a chunk-size line or on trailers and keeps
//    them until complete; here all framing of one body counts against max_header_bytes;
//  - Expect: 100-continue on HTTP/1.0 is ignored (no 1xx to HTTP/1.0, RFC 9110 §15.2);
//  - status codes: 414 for a long target, 505 for a well-formed other version;
//  - the same answer however the bytes are split (fuzz_request_parser checks it): Beast
//    reads some things ahead of others (after a "need more" it waits for the whole
//    head; it finds a chunk line's end before reading its size), so it is handed the
//    head, and each chunk-framing unit, only whole and once the checks above passed
//    byte by byte. A whole unit it still wants more of is malformed (400).

namespace imagine {
namespace http = boost::beast::http;

namespace {

bool EqualsNoCase(std::string_view a, std::string_view lower) {
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

// "HTTP/d.d": a version we can name but do not serve (505), as opposed to garbage (400).
bool LooksLikeVersion(std::string_view v) {
  return v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' && v[6] == '.' && v[7] >= '0' &&
         v[7] <= '9';
}

}  // namespace

class RequestParser::Impl final : public http::basic_parser<true> {
 public:
  explicit Impl(RequestParser* owner) : owner_(owner) {
    eager(false);  // one step per put(): the caller sees where the head ends
    header_limit(static_cast<std::uint32_t>(std::min<size_t>(owner->limits_.max_header_bytes, UINT32_MAX)));
    body_limit(owner->limits_.max_body);
  }

 private:
  void Fail(int status, std::string message, boost::beast::error_code& ec) {
    owner_->Fail(status, std::move(message));
    ec = http::error::bad_value;  // stops Beast; the owner's status and message are what counts
  }

  void on_request_impl(http::verb, boost::beast::string_view method, boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override {
    ParsedRequest& r = owner_->request_;
    r.method.assign(method.data(), method.size());
    r.http10 = version == 10;
    if (target.size() > owner_->limits_.max_target) {
      return Fail(414, "the request target is longer than " + std::to_string(owner_->limits_.max_target) + " bytes",
                  ec);
    }
    RequestTarget t;
    std::string why = ParseRequestTarget(r.method, std::string_view(target.data(), target.size()), &t);
    if (!why.empty()) return Fail(400, why, ec);
    r.target = std::move(t.origin);
    r.path = std::move(t.path);
    r.query = std::move(t.query);
    r.params = std::move(t.params);
    owner_->authority_ = std::move(t.authority);
  }

  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}

  void on_field_impl(http::field, boost::beast::string_view name_sv, boost::beast::string_view value_sv,
                     boost::beast::error_code& ec) override {
    if (is_header_done()) return;  // a trailer field: parsed and checked by Beast, not kept
    ParsedRequest& r = owner_->request_;
    if (r.headers.size() >= owner_->limits_.max_headers) {
      return Fail(431, "a request may carry at most " + std::to_string(owner_->limits_.max_headers) + " header fields",
                  ec);
    }
    std::string_view name(name_sv.data(), name_sv.size()), value(value_sv.data(), value_sv.size());
    if (EqualsNoCase(name, "host")) {
      ++owner_->host_count_;
      if (!IsValidHostHeader(value)) owner_->host_bad_ = true;
    } else if (EqualsNoCase(name, "content-length")) {
      owner_->has_length_ = true;
    } else if (EqualsNoCase(name, "transfer-encoding")) {
      // Beast alone: an empty or non-chunked Transfer-Encoding is ignored (then framed by
      // Content-Length or as no body) — a smuggling gap; all values are checked at the end.
      if (owner_->has_transfer_encoding_) owner_->transfer_encoding_ += ',';
      owner_->has_transfer_encoding_ = true;
      owner_->transfer_encoding_.append(value);
    } else if (EqualsNoCase(name, "expect")) {
      owner_->expect_continue_ = EqualsNoCase(value, "100-continue");
    }
    r.headers.emplace_back(std::string(name), std::string(value));
  }

  void on_header_impl(boost::beast::error_code& ec) override {
    RequestParser& o = *owner_;
    ParsedRequest& r = o.request_;
    if (o.host_count_ > 1) return Fail(400, "a request may carry only one Host header", ec);
    if (o.host_count_ == 0 && !r.http10) return Fail(400, "an HTTP/1.1 request must carry a Host header", ec);
    if (o.host_bad_) return Fail(400, "the Host header must be host[:port]", ec);
    if (!o.authority_.empty()) {
      // RFC 9112 §3.2.2: with an absolute-form target, its authority is the host and a
      // Host header is ignored; later code reads Host, so it says the same.
      bool replaced = false;
      for (auto& [name, value] : r.headers) {
        if (EqualsNoCase(name, "host")) value = o.authority_, replaced = true;
      }
      if (!replaced) r.headers.emplace_back("Host", o.authority_);
    }
    if (o.has_transfer_encoding_) {
      if (o.has_length_) return Fail(400, "a request may not carry both Content-Length and Transfer-Encoding", ec);
      if (r.http10) return Fail(400, "HTTP/1.0 has no Transfer-Encoding", ec);
      if (!EqualsNoCase(Trim(o.transfer_encoding_), "chunked")) {
        return Fail(501, "Transfer-Encoding \"" + o.transfer_encoding_ + "\" is not supported (only chunked)", ec);
      }
    }
    r.keep_alive = keep_alive();
  }

  void on_body_init_impl(boost::optional<std::uint64_t> const& length, boost::beast::error_code&) override {
    if (length) owner_->request_.body.reserve(static_cast<size_t>(*length));  // within body_limit
  }

  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code&) override {
    owner_->request_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view, boost::beast::error_code&) override {
    owner_->data_left_ = size;
    owner_->expect_crlf_ = false;
  }

  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::beast::error_code&) override {
    owner_->request_.body.append(body.data(), body.size());
    owner_->data_left_ = remain - body.size();
    if (owner_->data_left_ == 0) owner_->expect_crlf_ = true;
    return body.size();
  }

  void on_finish_impl(boost::beast::error_code&) override {}

  RequestParser* owner_;
};

RequestParser::RequestParser(HttpLimits limits) : limits_(limits), impl_(std::make_unique<Impl>(this)) {}

RequestParser::~RequestParser() = default;

void RequestParser::Reset() {
  impl_ = std::make_unique<Impl>(this);
  request_ = ParsedRequest();
  consumed_ = 0;
  error_status_ = 0;
  error_message_.clear();
  started_ = false;
  empty_lines_ = 0;
  scan_pos_ = 0;
  line_len_ = 0;
  head_bytes_ = 0;
  first_line_ = true;
  prev_cr_ = false;
  head_end_seen_ = false;
  framing_bytes_ = 0;
  data_left_ = 0;
  expect_crlf_ = false;
  fr_pos_ = 0;
  fr_line_start_ = 0;
  fr_line_no_ = 0;
  fr_prev_cr_ = false;
  fr_last_chunk_ = false;
  host_count_ = 0;
  host_bad_ = false;
  has_length_ = false;
  has_transfer_encoding_ = false;
  transfer_encoding_.clear();
  authority_.clear();
  expect_continue_ = false;
}

bool RequestParser::wants_continue() const {
  return impl_->is_header_done() && !impl_->is_done() && expect_continue_ && !request_.http10;
}

RequestParser::Result RequestParser::Fail(int status, std::string message) {
  if (error_status_ != 0) return Result::kError;  // the first reason stands
  error_status_ = status;
  error_message_ = std::move(message);
  return Result::kError;
}

size_t RequestParser::ScanHead(std::string_view rest, int* status, std::string* message) {
  auto refuse = [&](int code, std::string why) {
    *status = code;
    *message = std::move(why);
    return scan_pos_;
  };
  for (; scan_pos_ < rest.size() && !head_end_seen_; ++scan_pos_) {
    const char c = rest[scan_pos_];
    // Beast alone: its header limit applies to the request line and the fields apart.
    if (++head_bytes_ > limits_.max_header_bytes) {
      return refuse(431, "the request headers are larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
    }
    if (c == '\n') {
      // Beast alone: a bare LF is not a line end, so the head never ends (a stall).
      if (!prev_cr_) return refuse(400, "a line ends with a bare LF (HTTP/1.1 lines end with CRLF)");
      if (line_len_ == 1 && !first_line_) head_end_seen_ = true;
      first_line_ = false;
      line_len_ = 0;
      prev_cr_ = false;
      continue;
    }
    if (line_len_ == 0 && !first_line_ && (c == ' ' || c == '\t')) {
      // Beast alone: obs-fold is joined into the value (RFC 9112 §5.2: reject or replace).
      return refuse(400, "a header line may not start with whitespace (obsolete line folding)");
    }
    prev_cr_ = c == '\r';
    ++line_len_;
    if (first_line_ && line_len_ > limits_.max_target + 64) {
      return refuse(414, "the request line is longer than " + std::to_string(limits_.max_target) + " bytes");
    }
  }
  return head_end_seen_ ? scan_pos_ : rest.size();  // the head's bytes, not the body's
}

size_t RequestParser::ScanFraming(std::string_view rest, int* status, std::string* message) {
  auto refuse = [&](int code, std::string why) {
    *status = code;
    *message = std::move(why);
    return size_t{0};
  };
  // Line 0 is the CRLF ending the previous chunk's data, when one is due.
  const size_t size_line = expect_crlf_ ? 1 : 0;
  for (; fr_pos_ < rest.size(); ++fr_pos_) {
    if (framing_bytes_ + fr_pos_ + 1 > limits_.max_header_bytes) {
      return refuse(413, "the chunked body's framing (size lines, extensions, trailers) is larger than " +
                             std::to_string(limits_.max_header_bytes) + " bytes");
    }
    const char c = rest[fr_pos_];
    if (c == '\n') {
      // Beast alone: a bare LF does not end a chunk line or trailer, so it waits for a CRLF.
      if (!fr_prev_cr_) return refuse(400, "a chunk line or trailer ends with a bare LF");
      const std::string_view line = rest.substr(fr_line_start_, fr_pos_ - 1 - fr_line_start_);
      fr_prev_cr_ = false;
      fr_line_start_ = fr_pos_ + 1;
      if (fr_line_no_ == size_line) {
        const std::string_view digits = line.substr(0, line.find_first_not_of("0123456789abcdefABCDEF"));
        fr_last_chunk_ = !digits.empty() && digits.find_first_not_of('0') == std::string_view::npos;
        if (!fr_last_chunk_) return fr_pos_ + 1;  // a chunk-size line: the unit is complete
      } else if (fr_line_no_ > size_line && line.empty()) {
        return fr_pos_ + 1;  // the empty line after the last chunk's trailers
      }
      ++fr_line_no_;
      continue;
    }
    if (fr_prev_cr_) return refuse(400, "a CR in chunk framing must be followed by LF");
    if (fr_line_no_ == 0 && expect_crlf_ && c != '\r') return refuse(400, "a chunk's data must end with CRLF");
    fr_prev_cr_ = c == '\r';
  }
  return 0;
}

RequestParser::Result RequestParser::FailBeast(int beast_error, std::string_view rest) {
  switch (static_cast<http::error>(beast_error)) {
    case http::error::header_limit:
      return Fail(431, "the request headers are larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
    case http::error::body_limit:
      return Fail(413, "request body is larger than the " + std::to_string(limits_.max_body) + "-byte limit");
    case http::error::bad_version: {
      // Beast refuses "HTTP/d.d" other than 1.0 and 1.1 from those 8 bytes alone, so the
      // answer is read from them alone (the same however the bytes arrive).
      const size_t sp1 = rest.find(' ');
      const size_t sp2 = sp1 == std::string_view::npos ? sp1 : rest.find(' ', sp1 + 1);
      std::string_view version = sp2 == std::string_view::npos ? std::string_view() : rest.substr(sp2 + 1, 8);
      if (LooksLikeVersion(version) && version != "HTTP/1.0" && version != "HTTP/1.1") {
        return Fail(505, "only HTTP/1.1 and HTTP/1.0 are served");
      }
      return Fail(400, "the request line must be METHOD TARGET HTTP/1.1");
    }
    case http::error::bad_method:
      return Fail(400, "the request method is not a token");
    case http::error::bad_target:
      return Fail(400, "the request line must be METHOD TARGET HTTP/1.1 (the target without spaces or control bytes)");
    case http::error::bad_field:
      return Fail(400, "a header line must be NAME: VALUE (a token, then a colon)");
    case http::error::bad_value:
      return Fail(400, "a header value has a control character");
    case http::error::bad_content_length:
      return Fail(400, "Content-Length must be one number of bytes (two must agree; not with Transfer-Encoding)");
    case http::error::bad_transfer_encoding:
      return Fail(400, "Transfer-Encoding may not repeat chunked or come with Content-Length");
    case http::error::bad_chunk:
      return Fail(400, "a chunk must start with its size in hex and its data must end with CRLF");
    case http::error::bad_chunk_extension:
      return Fail(400, "a chunk-size line must be SIZE[;NAME[=VALUE]]... CRLF");
    case http::error::bad_line_ending:
      return Fail(400, "a line must end with CRLF");
    default:
      return Fail(400, "the request could not be parsed");
  }
}

RequestParser::Result RequestParser::Feed(std::string_view in) {
  consumed_ = 0;
  if (error_status_ != 0) return Result::kError;
  if (impl_->is_done()) return Result::kRequest;  // precondition: Reset() after a request
  if (!started_) {
    // Beast alone: an empty line before the request line is a bad method; RFC 9112 §2.2
    // says a server SHOULD ignore at least one (a client's stray CRLF after a body).
    while (in.size() - consumed_ >= 2 && in[consumed_] == '\r' && in[consumed_ + 1] == '\n') consumed_ += 2;
    empty_lines_ += consumed_;
    if (empty_lines_ > limits_.max_header_bytes) {
      return Fail(400, "more than " + std::to_string(limits_.max_header_bytes) + " bytes of empty lines");
    }
    if (consumed_ == in.size() || (in.size() - consumed_ == 1 && in[consumed_] == '\r')) return Result::kNeedMore;
    started_ = true;
  }
  while (consumed_ < in.size() && !impl_->is_done()) {
    std::string_view rest = in.substr(consumed_);
    const bool in_body = impl_->is_header_done();
    const bool chunked = in_body && impl_->chunked();
    int refused = 0;
    std::string why;
    size_t allowed = rest.size();
    if (!in_body) {
      // Beast gets the head only once it is whole and passed these checks: after a
      // "need more" it waits for the end of the head before parsing again, so feeding it
      // pieces would make the answer depend on how the bytes were split.
      allowed = ScanHead(rest, &refused, &why);
      if (refused != 0) return Fail(refused, why);
      if (!head_end_seen_) break;
      // Exactly the head: Beast's verdict on it cannot depend on what follows.
    } else if (chunked) {
      if (data_left_ > 0) {
        allowed = static_cast<size_t>(std::min<uint64_t>(rest.size(), data_left_));
      } else {
        // Beast alone: no limit on a chunk-size line or trailers, bare LFs make it wait,
        // and it reads a line's end before its start (so its answer would depend on what
        // had arrived). It gets each framing unit whole, once checked here.
        allowed = ScanFraming(rest, &refused, &why);
        if (refused != 0) return Fail(refused, why);
        if (allowed == 0) break;
      }
    }
    const size_t body_before = request_.body.size();
    boost::beast::error_code ec;
    const size_t used = impl_->put(boost::asio::const_buffer(rest.data(), allowed), ec);
    consumed_ += used;
    scan_pos_ = scan_pos_ > used ? scan_pos_ - used : 0;
    if (chunked) framing_bytes_ += used - (request_.body.size() - body_before);
    if (error_status_ != 0) return Result::kError;  // a check around Beast refused
    if (ec && ec != http::error::need_more) return FailBeast(ec.value(), rest.substr(0, allowed));
    if (impl_->is_done()) return Result::kRequest;
    if (chunked && data_left_ == 0 && used > 0) {  // a framing unit taken: scan the next from its start
      fr_pos_ = 0;
      fr_line_start_ = 0;
      fr_line_no_ = 0;
      fr_prev_cr_ = false;
      fr_last_chunk_ = false;
    }
    if (ec == http::error::need_more || used < allowed) {
      // Beast alone: a whole head or framing unit it still wants more of is malformed (a
      // version shorter than "HTTP/1.1", which it reads as 8 bytes whatever follows; a
      // chunk extension's quoted string not closed before the CRLF, which it would
      // re-read, charging the chunk's size against the body limit each time).
      if (!in_body) return Fail(400, "the request line must be METHOD TARGET HTTP/1.1");
      if (chunked) return Fail(400, "a chunk-size line must be SIZE[;NAME[=VALUE]]... CRLF");
      break;
    }
  }
  if (impl_->is_done()) return Result::kRequest;
  return Result::kNeedMore;
}

}  // namespace imagine
