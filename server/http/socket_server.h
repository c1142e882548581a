// SocketServer: the emulator's own HTTP/1.1 connection layer (Linux epoll). Every open
// connection is served up to the fd limit: idle and slow connections are entries in an
// epoll set, not threads. Worker threads wait on the set; the one that takes a
// connection's event (EPOLLONESHOT: one owner at a time) reads what arrived, feeds the
// RequestParser and, for each complete request — several when the client pipelines —
// calls the handler and writes the answer, in order. An answer the client does not take
// at once stays with the connection, which goes back to the set to wait for room
// (EPOLLOUT): a slow reader costs its unsent bytes, never a worker; requests pipelined
// behind it wait. Workers are started on demand when all are busy (a handler that blocks
// never holds up other connections) and retire when idle. A sweeper closes idle
// keep-alive connections after keep_alive_timeout_s, answers 408 to a request not
// complete read_timeout_s after its first byte and closes a connection whose answer was
// not taken whole write_timeout_s after it first had to wait. An error answer (limit
// crossed, malformed request) closes the connection. Running out of file descriptors
// refuses connections and logs one warning per episode, with the count, when it ends.
#ifndef IMAGINE_HTTP_SOCKET_SERVER_H_
#define IMAGINE_HTTP_SOCKET_SERVER_H_

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/request_parser.h"

namespace imagine {

struct SocketServerOptions {
  int min_threads = 4;     // workers kept waiting
  int max_threads = 4096;  // workers at most (only handlers that block need many)
  int keep_alive_max_requests = 100000;
  int keep_alive_timeout_s = 30;  // an idle connection is closed after this
  int read_timeout_s = 10;        // a request must be complete this long after its first byte
  int write_timeout_s = 30;       // an answer must be taken whole this long after it first had to wait
  int listen_backlog = 4096;
  HttpLimits limits;
};

// What a handler answers; the server adds Content-Length and Connection.
struct HttpAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class SocketServer {
 public:
  using Handler = std::function<HttpAnswer(ParsedRequest& request)>;
  // Renders a refusal the connection layer makes (status 400, 408, 413, 414, 431, 501,
  // 505). `request` holds what was parsed so far (path and headers when they were read).
  using ErrorRenderer = std::function<HttpAnswer(int status, const std::string& message, const ParsedRequest& request)>;

  SocketServer(SocketServerOptions options, Handler handler, ErrorRenderer render_error);
  ~SocketServer();
  SocketServer(const SocketServer&) = delete;
  SocketServer& operator=(const SocketServer&) = delete;

  // Raises the open-files soft limit to the hard limit, then binds and listens.
  // kUnavailable "<reason>" on failure.
  Status Bind(const std::string& host, int port);
  int port() const { return port_; }
  // Serves until Stop(). Precondition: Bind() succeeded.
  void Run();
  // Any thread; Run() returns once every worker has finished its current request.
  void Stop();
  bool running() const { return running_.load(); }

 private:
  struct Conn;
  void Worker(bool core);
  void StartWorker(bool core);
  void Accept();
  enum class Flush { kDone, kWait, kFailed };
  // Serves what arrived on `c` (or the room to send it); returns false when the
  // connection is to be closed.
  bool Serve(Conn& c);
  // Answers the requests complete in c.in, in order, while no answer waits to be sent.
  // False when the connection failed.
  bool ServeBuffered(Conn& c);
  // Queues `bytes` behind any unsent answer and sends what the socket takes now.
  // False when the connection failed.
  bool Send(Conn& c, std::string bytes);
  // Sends what it can of c.out without waiting.
  Flush FlushOut(Conn& c);
  // After the last answer: FIN now, then drain the client's input for a while.
  void StartLinger(Conn& c);
  void SetDeadline(Conn& c);
  void LogRefusedEpisode();
  std::string Serialize(const HttpAnswer& answer, bool head, bool close) const;
  void Arm(Conn& c);
  void Close(Conn* c);
  void Sweep();

  SocketServerOptions options_;
  Handler handler_;
  ErrorRenderer render_error_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;   // eventfd: readable once stopping
  int spare_fd_ = -1;  // given up to accept and drop a connection when out of fds
  int port_ = -1;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};

  std::mutex workers_mu_;
  std::condition_variable workers_cv_;  // live_workers_ fell, or stopping_
  int live_workers_ = 0;
  std::atomic<int> idle_workers_{0};
  std::atomic<uint64_t> completed_{0};  // events handled, to tell busy workers from stuck ones

  // Connections refused for want of a descriptor since the last one accepted (only the
  // worker that holds the listening socket's event touches it; atomic for the handover).
  std::atomic<uint64_t> refused_in_episode_{0};

  std::mutex conns_mu_;  // protects conns_ and the sweeper's look at each
  std::unordered_set<Conn*> conns_;
};

}  // namespace imagine

#endif  // IMAGINE_HTTP_SOCKET_SERVER_H_
