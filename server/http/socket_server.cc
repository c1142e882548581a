#include "http/socket_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/log.h"

namespace imagine {
namespace {

constexpr int kSweepMs = 100;            // how often deadlines are checked and stuck workers noticed
constexpr int kLingerMs = 2000;          // after an error answer, how long unread input is drained
constexpr size_t kLingerBytes = 1 << 20;  // ... and how much of it
constexpr int kRetireMs = 30000;         // an extra worker idle this long exits
constexpr size_t kReadChunk = 65536;
constexpr int kReadsPerTurn = 16;        // then the connection goes to the back of the queue
constexpr int kRequestsPerTurn = 16;     // pipelined requests answered per event, then the same

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const char* Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

void RaiseOpenFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

struct SocketServer::Conn {
  Conn(int fd_in, const HttpLimits& limits) : fd(fd_in), parser(limits) {}
  int fd;
  std::string in;  // received, not yet consumed
  RequestParser parser;
  size_t served = 0;
  int64_t request_started_ms = 0;  // first byte of the request being read; 0 = between requests
  bool continue_sent = false;
  std::string out;          // answer bytes the client has not taken yet
  size_t out_off = 0;       // ... from here on
  int64_t write_started_ms = 0;  // when `out` first had to wait; 0 = nothing waits
  bool close_after_out = false;  // once `out` is sent: FIN and linger (error answer, Connection: close)
  bool more_buffered = false;    // c.in may hold complete requests not answered this turn
  bool lingering = false;  // answered an error; draining input until the peer closes
  size_t drained = 0;
  bool registered = false;  // in the epoll set
  std::atomic<int64_t> deadline_ms{0};
  std::atomic<bool> armed{false};  // waiting in the epoll set (no worker owns it)
  std::atomic<bool> wants_write{false};  // armed for EPOLLOUT (an answer waits for room)
  std::atomic<bool> timed_out{false};
};

SocketServer::SocketServer(SocketServerOptions options, Handler handler, ErrorRenderer render_error)
    : options_(std::move(options)), handler_(std::move(handler)), render_error_(std::move(render_error)) {}

SocketServer::~SocketServer() {
  Stop();
  LogRefusedEpisode();
  std::unique_lock<std::mutex> lock(workers_mu_);
  workers_cv_.wait(lock, [this] { return live_workers_ == 0; });
  lock.unlock();
  for (Conn* c : conns_) {
    ::close(c->fd);
    delete c;
  }
  conns_.clear();
  for (int fd : {listen_fd_, epoll_fd_, wake_fd_, spare_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

Status SocketServer::Bind(const std::string& host, int port) {
  RaiseOpenFileLimit();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Status(Code::kUnavailable, gai_strerror(rc));
  }
  std::string reason = "no address";
  for (addrinfo* a = found; a != nullptr && listen_fd_ < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, options_.listen_backlog) != 0) {
      reason = std::strerror(errno);
      ::close(fd);
      continue;
    }
    listen_fd_ = fd;
  }
  freeaddrinfo(found);
  if (listen_fd_ < 0) return Status(Code::kUnavailable, reason);
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return Status(Code::kUnavailable, std::strerror(errno));
  epoll_event wake{};
  wake.events = EPOLLIN;  // level-triggered: once written, every worker sees it
  wake.data.ptr = &wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
  epoll_event listen{};
  listen.events = EPOLLIN | EPOLLONESHOT;
  listen.data.ptr = &listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen);
  return Status::Ok();
}

void SocketServer::Run() {
  if (stopping_.load() || listen_fd_ < 0) return;
  running_ = true;
  const int core = std::max(1, options_.min_threads);
  for (int i = 0; i < core; ++i) StartWorker(true);
  uint64_t last_completed = completed_.load();
  std::unique_lock<std::mutex> lock(workers_mu_);
  while (!stopping_.load()) {
    workers_cv_.wait_for(lock, std::chrono::milliseconds(kSweepMs), [this] { return stopping_.load(); });
    if (stopping_.load()) break;
    // Every worker busy and none finished anything since the last look: handlers are
    // blocked (a slow upstream, a long scan), so start more rather than let events wait.
    const uint64_t done = completed_.load();
    if (idle_workers_.load() == 0 && done == last_completed && live_workers_ < options_.max_threads) {
      const int more = std::min(std::max(1, live_workers_ / 2), options_.max_threads - live_workers_);
      lock.unlock();
      for (int i = 0; i < more; ++i) StartWorker(false);
      lock.lock();
    }
    last_completed = done;
    lock.unlock();
    Sweep();
    lock.lock();
  }
  workers_cv_.wait(lock, [this] { return live_workers_ == 0; });
  running_ = false;
}

void SocketServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }
  std::lock_guard<std::mutex> lock(workers_mu_);
  workers_cv_.notify_all();
}

void SocketServer::StartWorker(bool core) {
  {
    std::lock_guard<std::mutex> lock(workers_mu_);
    ++live_workers_;
  }
  idle_workers_.fetch_add(1);
  std::thread([this, core] { Worker(core); }).detach();
}

void SocketServer::Worker(bool core) {
  pthread_setname_np(pthread_self(), "http-worker");  // what `top -H` and /proc/PID/task/*/comm show
  while (!stopping_.load()) {
    epoll_event ev{};
    int n = epoll_wait(epoll_fd_, &ev, 1, core ? -1 : kRetireMs);
    if (n == 0) {
      if (core) continue;
      break;  // an extra worker nobody needed: retire
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (ev.data.ptr == &wake_fd_) break;
    idle_workers_.fetch_sub(1);
    if (ev.data.ptr == &listen_fd_) {
      Accept();
    } else {
      Conn* c = static_cast<Conn*>(ev.data.ptr);
      c->armed.store(false);
      if (Serve(*c) && !stopping_.load()) {
        Arm(*c);
      } else {
        Close(c);
      }
    }
    completed_.fetch_add(1, std::memory_order_relaxed);
    idle_workers_.fetch_add(1);
  }
  idle_workers_.fetch_sub(1);
  std::lock_guard<std::mutex> lock(workers_mu_);
  --live_workers_;
  workers_cv_.notify_all();
}

void SocketServer::Accept() {
  for (int i = 0; i < 256; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of file descriptors: take the connection with the spare one and close it, so
        // the client hears a refusal instead of waiting in the backlog forever. Counted,
        // and logged once when the episode ends (was: one warning per refusal).
        ::close(spare_fd_);
        int dropped = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (dropped >= 0) {
          ::close(dropped);
          refused_in_episode_.fetch_add(1);
        }
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        continue;
      }
      break;  // EAGAIN: the backlog is empty
    }
    LogRefusedEpisode();  // a descriptor was free again: the episode, if any, is over
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    Conn* c = new Conn(fd, options_.limits);
    // A new connection must send its first request within the read timeout.
    c->deadline_ms.store(NowMs() + options_.read_timeout_s * 1000LL);
    {
      std::lock_guard<std::mutex> lock(conns_mu_);
      conns_.insert(c);
    }
    Arm(*c);
  }
  epoll_event listen{};
  listen.events = EPOLLIN | EPOLLONESHOT;
  listen.data.ptr = &listen_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &listen);
}

void SocketServer::LogRefusedEpisode() {
  const uint64_t refused = refused_in_episode_.exchange(0);
  if (refused == 0) return;
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  Log(LogLevel::kWarn, "out of file descriptors: " + std::to_string(refused) + " connection" +
                           (refused == 1 ? " was" : "s were") + " refused (open-files limit " +
                           std::to_string(lim.rlim_cur) + ")");
}

void SocketServer::Arm(Conn& c) {
  epoll_event ev{};
  // An answer waiting for room: wake on EPOLLOUT only (EPOLLHUP and EPOLLERR always come;
  // EPOLLRDHUP would fire again and again for a client that half-closed and still reads).
  // Requests left for the next turn: EPOLLOUT fires as soon as there is room, which is
  // at once unless an answer is already waiting.
  const bool write = !c.out.empty() || c.more_buffered;
  c.wants_write.store(write);
  ev.events = write ? EPOLLOUT | EPOLLONESHOT : EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = &c;
  const int op = c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  c.registered = true;
  c.armed.store(true);
  // From here on another worker may own `c`: touch nothing after this call.
  epoll_ctl(epoll_fd_, op, c.fd, &ev);
}

void SocketServer::Close(Conn* c) {
  {
    std::lock_guard<std::mutex> lock(conns_mu_);
    conns_.erase(c);
  }
  ::close(c->fd);  // also leaves the epoll set
  delete c;
}

void SocketServer::Sweep() {
  const int64_t now = NowMs();
  std::lock_guard<std::mutex> lock(conns_mu_);
  for (Conn* c : conns_) {
    const int64_t deadline = c->deadline_ms.load();
    if (deadline == 0 || now < deadline || !c->armed.load() || c->timed_out.exchange(true)) continue;
    // Wakes the connection's event; its worker sees timed_out. A connection waiting for
    // EPOLLOUT wakes only on a full shutdown (EPOLLHUP), and is closed anyway.
    ::shutdown(c->fd, c->wants_write.load() ? SHUT_RDWR : SHUT_RD);
  }
}

SocketServer::Flush SocketServer::FlushOut(Conn& c) {
  while (c.out_off < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (c.write_started_ms == 0) c.write_started_ms = NowMs();
      return Flush::kWait;
    }
    return Flush::kFailed;
  }
  if (c.out.capacity() > kReadChunk) {
    std::string().swap(c.out);  // an idle connection keeps no big buffer
  } else {
    c.out.clear();
  }
  c.out_off = 0;
  c.write_started_ms = 0;
  return Flush::kDone;
}

bool SocketServer::Send(Conn& c, std::string bytes) {
  if (c.out.empty()) {
    c.out = std::move(bytes);
    c.out_off = 0;
  } else {
    c.out += bytes;
  }
  return FlushOut(c) != Flush::kFailed;
}

void SocketServer::StartLinger(Conn& c) {
  // Close gracefully: send FIN now, drain what the client is still sending (closing with
  // unread input would reset the connection and could destroy the answer).
  ::shutdown(c.fd, SHUT_WR);
  c.lingering = true;
  c.close_after_out = false;
  c.in.clear();
  c.deadline_ms.store(NowMs() + kLingerMs);
}

void SocketServer::SetDeadline(Conn& c) {
  if (c.lingering) return;  // set by StartLinger
  if (!c.out.empty() || c.more_buffered) {
    // Waiting for room to send: an answer, or the pipelined requests behind answers the
    // socket took whole but has not passed on yet (EPOLLOUT comes only when there is room).
    if (c.write_started_ms == 0) c.write_started_ms = NowMs();
    c.deadline_ms.store(c.write_started_ms + options_.write_timeout_s * 1000LL);
  } else {
    c.deadline_ms.store(c.request_started_ms != 0 ? c.request_started_ms + options_.read_timeout_s * 1000LL
                                                  : NowMs() + options_.keep_alive_timeout_s * 1000LL);
  }
}

std::string SocketServer::Serialize(const HttpAnswer& answer, bool head, bool close) const {
  std::string out;
  out.reserve(160 + answer.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(answer.status);
  out += ' ';
  out += Reason(answer.status);
  out += "\r\n";
  for (const auto& [name, value] : answer.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (answer.status != 204 && answer.status != 304) {
    out += "Content-Length: ";
    out += std::to_string(answer.body.size());
    out += "\r\n";
  }
  out += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
  if (!close) out += "Keep-Alive: timeout=" + std::to_string(options_.keep_alive_timeout_s) + "\r\n";
  out += "\r\n";
  if (!head) out += answer.body;
  return out;
}

bool SocketServer::Serve(Conn& c) {
  if (c.timed_out.load()) {
    if (!c.out.empty() || c.more_buffered) return false;  // answers not taken within write_timeout_s
    if (c.request_started_ms != 0 && !c.lingering) {
      HttpAnswer a = render_error_(408, "the request was not complete within " + std::to_string(options_.read_timeout_s) +
                                            " s (read_timeout_s)", c.parser.request());
      Send(c, Serialize(a, false, true));  // what the socket takes now; the connection closes anyway
    }
    return false;
  }
  if (!c.out.empty()) {  // woken by room to send
    const Flush f = FlushOut(c);
    if (f == Flush::kFailed) return false;
    if (f == Flush::kWait) {
      SetDeadline(c);
      return true;
    }
  }
  if (c.close_after_out) StartLinger(c);
  // Requests pipelined behind the answer just finished were read already.
  if (!c.lingering && !ServeBuffered(c)) return false;
  char buf[kReadChunk];
  for (int round = 0; round < kReadsPerTurn && c.out.empty() && !c.more_buffered; ++round) {
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n == 0) return false;  // the peer closed; every complete request was answered
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    if (c.lingering) {
      c.drained += static_cast<size_t>(n);
      if (c.drained > kLingerBytes) return false;
      continue;
    }
    if (c.request_started_ms == 0) c.request_started_ms = NowMs();
    c.in.append(buf, static_cast<size_t>(n));
    if (!ServeBuffered(c)) return false;
    if (static_cast<size_t>(n) < sizeof buf) break;
  }
  SetDeadline(c);
  return true;
}

bool SocketServer::ServeBuffered(Conn& c) {
  // Answer every complete request in the buffer, in order (pipelining), while nothing
  // waits to be sent: a slow reader's next requests wait in c.in. At most
  // kRequestsPerTurn per event, so that one pipelining client never holds a worker long.
  c.more_buffered = false;
  for (int served = 0; c.out.empty() && !c.lingering; ++served) {
    if (served == kRequestsPerTurn) {
      c.more_buffered = true;
      return true;
    }
    RequestParser::Result r = c.parser.Feed(c.in);
    if (r != RequestParser::Result::kError) c.in.erase(0, c.parser.consumed());  // body and framing are not kept
    if (r == RequestParser::Result::kNeedMore) {
      if (!c.parser.started()) c.request_started_ms = 0;  // only empty lines: still between requests
      if (c.parser.wants_continue() && !c.continue_sent) {
        c.continue_sent = true;
        if (!Send(c, "HTTP/1.1 100 Continue\r\n\r\n")) return false;
      }
      return true;
    }
    if (r == RequestParser::Result::kError) {
      HttpAnswer a = render_error_(c.parser.error_status(), c.parser.error_message(), c.parser.request());
      c.in.clear();
      c.close_after_out = true;
      if (!Send(c, Serialize(a, false, true))) return false;
      if (c.out.empty()) StartLinger(c);
      return true;
    }
    ParsedRequest& req = c.parser.request();
    ++c.served;
    const bool close = !req.keep_alive || c.served >= static_cast<size_t>(options_.keep_alive_max_requests) ||
                       stopping_.load();
    const bool head = req.method == "HEAD";
    HttpAnswer a;
    try {
      a = handler_(req);
    } catch (...) {  // the handler renders its own errors; this only keeps the worker alive
      a = HttpAnswer{500, {{"Content-Type", "application/json"}}, R"({"error":"internal error"})"};
    }
    if (c.in.empty() && c.in.capacity() > kReadChunk) std::string().swap(c.in);  // an idle connection keeps no big buffer
    c.parser.Reset();
    c.continue_sent = false;
    c.request_started_ms = c.in.empty() ? 0 : NowMs();
    c.close_after_out = close;
    if (!Send(c, Serialize(a, head, close))) return false;
    if (close && c.out.empty()) StartLinger(c);
  }
  return true;
}

}  // namespace imagine
