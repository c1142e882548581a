#include "callbacks/response_reader.h"

#include <algorithm>
#include <cstdlib>

#include "common/text.h"

namespace imagine {

bool ParseResponseHead(std::string_view head, ResponseHead* out) {
  // "HTTP/1.x SSS reason"
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') return false;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (head[i] < '0' || head[i] > '9') return false;
    status = status * 10 + (head[i] - '0');
  }
  out->status = status;
  out->no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
  size_t pos = head.find('\n');
  while (pos != std::string_view::npos && pos + 1 < head.size()) {
    const size_t end = head.find('\n', pos + 1);
    std::string_view line = head.substr(pos + 1, end == std::string_view::npos ? std::string_view::npos : end - pos - 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = line.substr(0, colon);
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      if (EqualsNoCase(name, "transfer-encoding") && value.size() >= 7 &&
          EqualsNoCase(value.substr(value.size() - 7), "chunked")) {
        out->chunked = true;
      } else if (EqualsNoCase(name, "content-length")) {
        size_t n = 0;
        if (value.empty() || value.size() > 18) return false;
        for (char c : value) {
          if (c < '0' || c > '9') return false;
          n = n * 10 + static_cast<size_t>(c - '0');
        }
        out->has_length = true;
        out->length = n;
      }
    }
    pos = end;
  }
  return true;
}

bool Dechunker::Feed(std::string* buf, std::string* body, size_t max_body, bool* done, std::string* error) {
  for (;;) {
    if (state_ == kSize || state_ == kTrailer) {
      const size_t nl = buf->find('\n');
      // A line over 4 096 bytes is refused whether or not its end has arrived yet.
      if (nl == std::string::npos ? buf->size() > 4096 : nl > 4096) return Fail(error);
      if (nl == std::string::npos) return true;
      std::string line = buf->substr(0, nl);
      buf->erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (state_ == kTrailer) {
        if (line.empty()) {
          *done = true;
          return true;
        }
        continue;
      }
      line = line.substr(0, line.find(';'));
      if (line.empty() || line.size() > 15) return Fail(error);
      char* end = nullptr;
      left_ = std::strtoull(line.c_str(), &end, 16);
      if (*end != '\0') return Fail(error);
      state_ = left_ == 0 ? kTrailer : kData;
      continue;
    }
    if (state_ == kData) {
      const size_t take = std::min<size_t>(left_, buf->size());
      if (body->size() < max_body) body->append(*buf, 0, std::min(take, max_body - body->size()));
      buf->erase(0, take);
      left_ -= take;
      if (left_ > 0) return true;
      state_ = kDataEnd;
    }
    if (state_ == kDataEnd) {
      // The data ends with CRLF (or a bare LF); anything else is refused as soon as seen.
      if (buf->empty()) return true;
      size_t eol = (*buf)[0] == '\n' ? 1 : 0;
      if ((*buf)[0] == '\r') {
        if (buf->size() < 2) return true;
        if ((*buf)[1] == '\n') eol = 2;
      }
      if (eol == 0) return Fail(error);
      buf->erase(0, eol);
      state_ = kSize;
    }
  }
}

bool Dechunker::Fail(std::string* error) {
  *error = "malformed chunked response";
  return false;
}

}  // namespace imagine
