// Socket: a blocking raw loopback connection for tests that send bytes no HTTP client
// library would (malformed, pipelined, slow), and Status() of a raw response. Reads give
// up after a timeout meant only to end a hang. One thread per Socket.
#ifndef IMAGINE_TESTS_SUPPORT_RAW_SOCKET_H_
#define IMAGINE_TESTS_SUPPORT_RAW_SOCKET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <string>

namespace imagine::testing {

constexpr int kRawAnswerTimeoutS = 60;  // a request not answered by then counts as unanswered (a hang, not slowness)

// A blocking loopback connection whose reads give up after `timeout_s`.
class Socket {
 public:
  explicit Socket(int port, int timeout_s = kRawAnswerTimeoutS) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{timeout_s, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(Socket&& o) noexcept : fd_(o.fd_), in_(std::move(o.in_)) { o.fd_ = -1; }
  Socket(const Socket&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  bool Send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // The next complete response (head and Content-Length body), or "" when none came.
  std::string ReadResponse() {
    while (true) {
      size_t end = in_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        size_t cl = Lower(in_.substr(0, end)).find("\r\ncontent-length:");
        if (cl != std::string::npos) length = std::stoul(in_.substr(cl + 17));
        if (in_.size() >= end + 4 + length) {
          std::string r = in_.substr(0, end + 4 + length);
          in_.erase(0, end + 4 + length);
          return r;
        }
      }
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return "";
      in_.append(buf, static_cast<size_t>(n));
    }
  }
  // True when the server closed the connection (EOF or reset) before the timeout.
  bool ClosedByServer() {
    char buf[65536];
    while (true) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  int fd_ = -1;
  std::string in_;
};

inline int Status(const std::string& response) {
  return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0;
}

}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_RAW_SOCKET_H_
