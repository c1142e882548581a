#include "callbacks/http_exchange.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "callbacks/response_reader.h"
#include "common/text.h"

namespace imagine {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kMaxHeadBytes = 64 * 1024;

const char* ErrnoText(int err) {
  switch (err) {
    case ECONNREFUSED: return kConnectionRefused;
    case ECONNRESET: return "connection reset";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "host unreachable";
    case ETIMEDOUT: return "timeout";
    case EADDRNOTAVAIL: return "address not available";
    default: return nullptr;
  }
}

std::string ErrnoError(int err, const char* fallback) {
  if (const char* text = ErrnoText(err)) return text;
  return std::string(fallback) + " (errno " + std::to_string(err) + ")";
}

// Milliseconds left before the deadline, at least 0.
int MsLeft(SteadyClock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  if (left <= 0) return 0;
  return left > 1000000 ? 1000000 : static_cast<int>(left) + 1;
}

// Waits for `events` on fd until the deadline; false on timeout.
bool WaitFor(int fd, short events, SteadyClock::time_point deadline) {
  for (;;) {
    const int ms = MsLeft(deadline);
    if (ms == 0) return false;
    pollfd pfd{fd, events, 0};
    const int rc = ::poll(&pfd, 1, ms);
    if (rc > 0) return true;
    if (rc == 0) {
      if (SteadyClock::now() >= deadline) return false;
      continue;
    }
    if (errno != EINTR) return true;  // let the next I/O call report the error
  }
}

class Connection {
 public:
  Connection(const ExchangeOptions& options) : o_(options) {}
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }

  // "" on success, else the attempt's error.
  std::string Open(const CheckedAddress& address) {
    fd_ = ::socket(address.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return ErrnoError(errno, "cannot create a socket");
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address.addr), address.len) != 0) {
      if (errno != EINPROGRESS) return ErrnoError(errno, "connection failed");
      if (!WaitFor(fd_, POLLOUT, o_.deadline)) return "timeout";
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) return ErrnoError(err, "connection failed");
    }
    if (o_.tls == nullptr) return "";
    return Handshake();
  }

  // "" once all of `data` is sent.
  std::string SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      if (SteadyClock::now() >= o_.deadline) return "timeout";
      if (ssl_ != nullptr) {
        const int n = SSL_write(ssl_, data.data() + sent, static_cast<int>(data.size() - sent));
        if (n > 0) {
          sent += static_cast<size_t>(n);
          continue;
        }
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
          if (!WaitFor(fd_, e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, o_.deadline)) return "timeout";
          continue;
        }
        return "connection closed while sending the request";
      }
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (!WaitFor(fd_, POLLOUT, o_.deadline)) return "timeout";
        continue;
      }
      if (n < 0 && errno == ECONNRESET) return "connection reset";
      return "connection closed while sending the request";
    }
    return "";
  }

  // Appends what arrives to *out: >0 bytes read, 0 at the end of the stream, -1 timeout,
  // -2 reset.
  int Read(std::string* out) {
    char buf[16384];
    for (;;) {
      if (SteadyClock::now() >= o_.deadline) return -1;
      if (ssl_ != nullptr) {
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0) {
          out->append(buf, static_cast<size_t>(n));
          return n;
        }
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
          if (!WaitFor(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, o_.deadline)) return -1;
          continue;
        }
        if (e == SSL_ERROR_ZERO_RETURN) return 0;
        ERR_clear_error();
        return errno == ECONNRESET ? -2 : 0;  // an unexpected EOF ends the stream too
      }
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        out->append(buf, static_cast<size_t>(n));
        return static_cast<int>(n);
      }
      if (n == 0) return 0;
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        if (!WaitFor(fd_, POLLIN, o_.deadline)) return -1;
        continue;
      }
      return errno == ECONNRESET ? -2 : 0;
    }
  }

 private:
  std::string Handshake() {
    ssl_ = SSL_new(o_.tls);
    if (ssl_ == nullptr) return "TLS: cannot create a TLS connection";
    SSL_set_fd(ssl_, fd_);
    SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (!o_.host_is_ip) SSL_set_tlsext_host_name(ssl_, o_.host.c_str());
    if (o_.verify_tls) {
      if (o_.host_is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), o_.host.c_str());
      } else {
        SSL_set1_host(ssl_, o_.host.c_str());
      }
      SSL_set_verify(ssl_, SSL_VERIFY_PEER, nullptr);
    } else {
      SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
    }
    for (;;) {
      const int rc = SSL_connect(ssl_);
      if (rc == 1) return "";
      const int e = SSL_get_error(ssl_, rc);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (!WaitFor(fd_, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, o_.deadline)) return "timeout";
        continue;
      }
      ERR_clear_error();
      const long verify = SSL_get_verify_result(ssl_);
      if (o_.verify_tls && verify != X509_V_OK) {
        if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
          return "TLS: certificate does not match host " + o_.host;
        }
        return std::string("TLS: certificate verify failed: ") + X509_verify_cert_error_string(verify);
      }
      return "TLS: handshake failed";
    }
  }

  const ExchangeOptions& o_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

}  // namespace

ExchangeResult Exchange(const CheckedAddress& address, const ExchangeOptions& options, const std::string& request) {
  ExchangeResult result;
  Connection conn(options);
  if (std::string e = conn.Open(address); !e.empty()) {
    result.error = std::move(e);
    return result;
  }
  if (std::string e = conn.SendAll(request); !e.empty()) {
    result.error = std::move(e);
    return result;
  }
  std::string buf;
  ResponseHead head;
  // The head (interim 1xx responses are skipped).
  for (;;) {
    const size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      if (!ParseResponseHead(std::string_view(buf).substr(0, end + 2), &head)) {
        result.error = "malformed response";
        return result;
      }
      buf.erase(0, end + 4);
      if (head.status >= 100 && head.status < 200) {
        head = ResponseHead{};
        continue;
      }
      break;
    }
    if (buf.size() > kMaxHeadBytes) {
      result.error = "response headers too large";
      return result;
    }
    const int n = conn.Read(&buf);
    if (n == -1) {
      result.error = "timeout";
      return result;
    }
    if (n <= 0) {
      result.error = n == -2 ? "connection reset" : "connection closed before a complete response";
      return result;
    }
  }
  // The body.
  if (head.no_body) {
    result.status = head.status;
    return result;
  }
  Dechunker dechunker;
  size_t received = 0;
  for (;;) {
    bool done = false;
    if (head.chunked) {
      std::string error;
      if (!dechunker.Feed(&buf, &result.body, options.max_body_bytes, &done, &error)) {
        result.error = error;
        return result;
      }
    } else {
      received += buf.size();
      if (result.body.size() < options.max_body_bytes) {
        result.body.append(buf, 0, std::min(buf.size(), options.max_body_bytes - result.body.size()));
      }
      buf.clear();
      done = head.has_length && received >= head.length;
    }
    if (done) {
      if (head.has_length && result.body.size() > head.length) result.body.resize(head.length);
      result.status = head.status;
      return result;
    }
    const int n = conn.Read(&buf);
    if (n == -1) {
      result.body.clear();
      result.error = "timeout";
      return result;
    }
    if (n <= 0) {
      if (!head.chunked && !head.has_length && n == 0) {  // the body runs to the connection's end
        result.status = head.status;
        return result;
      }
      result.body.clear();
      result.error = n == -2 ? "connection reset" : "connection closed before a complete response";
      return result;
    }
  }
}

}  // namespace imagine
