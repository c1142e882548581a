// The load generator of bench_load (load_bench.cc): raw keep-alive HTTP/1.1 connections on
// one thread with epoll, as wrk does, in two modes.
//  - DriveClosedLoop: each connection sends its next request as soon as its previous answer is
//    complete (throughput; latency from each send).
//  - DriveAtRate: open loop at a fixed total rate, as wrk2 does: request k of connection c is
//    due at start + (k * connections + c) / rate; a connection still waiting for an answer
//    sends its due request right after that answer, and every latency is measured from the
//    request's intended send time, so a stall counts against every request it delayed
//    (coordinated-omission correction).
// Header-only (each bench/*.cc is its own program); single-threaded.
#ifndef IMAGINE_BENCH_LOAD_CLIENT_H_
#define IMAGINE_BENCH_LOAD_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

// What one load run measured. `bad` counts answers of another class than the load expects
// (2xx for valid requests, 4xx for invalid ones; an Apikley body's "code" counts as the
// status) and failed exchanges.
struct Result {
  double rps = 0, p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, rss_mib = 0;
  long bad = 0;
};

inline int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  return fd;
}

// Length of the complete response at the front of `in` (0 while incomplete); its status in `status`.
inline size_t ResponseLength(const std::string& in, int* status) {
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  *status = in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
  size_t length = 0;
  for (size_t p = in.find("\r\n"); p < end; p = in.find("\r\n", p + 2)) {
    if (strncasecmp(in.c_str() + p + 2, "Content-Length:", 15) == 0) length = std::strtoul(in.c_str() + p + 17, nullptr, 10);
  }
  return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

inline double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

inline void Summarize(std::vector<double>& latencies, long answered, double seconds, Result* r) {
  r->rps = static_cast<double>(answered) / seconds;
  r->p50_ms = Percentile(latencies, 0.50);
  r->p99_ms = Percentile(latencies, 0.99);
  r->p999_ms = Percentile(latencies, 0.999);
  r->max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
}

// One keep-alive connection of a run.
struct Conn {
  int fd = -1;
  size_t next = 0;        // index of the next request (round robin over the load)
  std::string in;         // bytes of the answer being read
  Clock::time_point t0;   // the measured request's start: its send (closed loop) or due time (open loop)
  bool waiting = false;   // an answer is outstanding
  long due_k = 0;         // open loop: the connection's next request number
};

inline Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// (Re)connects `c` and registers it under `index`; false when the connection fails.
inline bool Open(int ep, int port, size_t index, Conn& c) {
  c.fd = Connect(port);
  if (c.fd < 0) return false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = index;
  epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  c.in.clear();
  c.waiting = false;
  return true;
}

inline void Send(Conn& c, const std::vector<std::string>& requests) {
  const std::string& req = requests[c.next % requests.size()];
  ssize_t n = send(c.fd, req.data(), req.size(), MSG_NOSIGNAL);
  (void)n;  // a short send on a fresh loopback connection does not happen at these sizes
  c.waiting = true;
}

// Reads what `c` has; returns true with the status when an answer completed.
inline bool ReadAnswer(Conn& c, int* status, bool* closed) {
  char buf[65536];
  ssize_t got = recv(c.fd, buf, sizeof buf, 0);
  if (got <= 0) {
    *closed = true;
    return false;
  }
  c.in.append(buf, static_cast<size_t>(got));
  size_t len = ResponseLength(c.in, status);
  if (len == 0) return false;
  // Apikley answers a refused request with HTTP 200 and its code in the body ({"code":422,...}):
  // count that as the body's class.
  const size_t body = c.in.find("\r\n\r\n") + 4;
  if (*status / 100 == 2 && c.in.compare(body, 8, "{\"code\":") == 0 && body + 8 < len) {
    const int code = std::atoi(c.in.c_str() + body + 8);
    if (code >= 100 && code <= 599) *status = code;
  }
  c.in.erase(0, len);
  c.waiting = false;
  ++c.next;
  return true;
}

// Closed loop: `connections` keep-alive connections, each sending the next of `requests` as soon
// as its previous answer is complete; `expect_class` is 2 (2xx) or 4 (4xx).
inline Result DriveClosedLoop(int port, const std::vector<std::string>& requests, int connections, double warmup_s,
                              double seconds, int expect_class) {
  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(connections));
  Result r;
  for (size_t i = 0; i < conns.size(); ++i) {
    conns[i].next = i;
    if (!Open(ep, port, i, conns[i])) {
      ++r.bad;
      continue;
    }
    conns[i].t0 = Clock::now();
    Send(conns[i], requests);
  }
  std::vector<double> latencies;
  latencies.reserve(2000000);
  const auto measure_from = Clock::now() + Seconds(warmup_s);
  const auto end = measure_from + Seconds(seconds);
  long answered = 0;
  epoll_event events[256];
  while (Clock::now() < end) {
    int n = epoll_wait(ep, events, 256, 100);
    for (int e = 0; e < n; ++e) {
      const size_t i = events[e].data.u64;
      Conn& c = conns[i];
      int status = 0;
      bool closed = false;
      if (!ReadAnswer(c, &status, &closed)) {
        if (!closed) continue;
        ++r.bad;
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        if (!Open(ep, port, i, c)) continue;  // the server closed: reconnect and go on
        c.t0 = Clock::now();
        Send(c, requests);
        continue;
      }
      const auto now = Clock::now();
      if (now >= measure_from) {
        latencies.push_back(std::chrono::duration<double, std::milli>(now - c.t0).count());
        ++answered;
        if (status / 100 != expect_class) ++r.bad;
      }
      c.t0 = Clock::now();
      Send(c, requests);
    }
  }
  for (Conn& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }
  close(ep);
  Summarize(latencies, answered, seconds, &r);
  return r;
}

// Open loop at `rate` requests per second in total over `connections` connections; latency from
// each request's intended send time. Requests due during the warm-up are sent but not measured;
// a request due before the end whose answer has not come when the run ends counts as answered
// at the end (so a stall at the end is not hidden).
inline Result DriveAtRate(int port, const std::vector<std::string>& requests, int connections, double rate,
                          double warmup_s, double seconds, int expect_class) {
  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(connections));
  Result r;
  for (size_t i = 0; i < conns.size(); ++i) {
    conns[i].next = i;
    if (!Open(ep, port, i, conns[i])) ++r.bad;
  }
  const auto start = Clock::now();
  const auto measure_from = start + Seconds(warmup_s);
  const auto end = measure_from + Seconds(seconds);
  const double interval_s = static_cast<double>(connections) / rate;  // per connection
  auto due = [&](size_t i, long k) {
    return start + Seconds((static_cast<double>(k) + static_cast<double>(i) / connections) * interval_s);
  };
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(rate * seconds * 1.1) + 16);
  long answered = 0;
  auto record = [&](const Conn& c, Clock::time_point now, int status) {
    if (c.t0 < measure_from) return;
    latencies.push_back(std::chrono::duration<double, std::milli>(now - c.t0).count());
    ++answered;
    if (status / 100 != expect_class) ++r.bad;
  };
  // Sends every due request of an idle connection (one at a time: no pipelining).
  auto send_due = [&](size_t i, Clock::time_point now) {
    Conn& c = conns[i];
    if (c.fd < 0 || c.waiting) return;
    const auto t = due(i, c.due_k);
    if (t > now || t >= end) return;
    c.t0 = t;
    ++c.due_k;
    Send(c, requests);
  };
  epoll_event events[256];
  for (auto now = Clock::now(); now < end; now = Clock::now()) {
    auto next = end;
    for (size_t i = 0; i < conns.size(); ++i) {
      send_due(i, now);
      if (conns[i].fd >= 0 && !conns[i].waiting) next = std::min(next, due(i, conns[i].due_k));
    }
    const auto wait = std::max(next - Clock::now(), Clock::duration::zero());
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    ts.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count() % 1000000000);
    int n = epoll_pwait2(ep, events, 256, &ts, nullptr);
    for (int e = 0; e < n; ++e) {
      const size_t i = events[e].data.u64;
      Conn& c = conns[i];
      int status = 0;
      bool closed = false;
      if (ReadAnswer(c, &status, &closed)) {
        const auto got = Clock::now();
        record(c, got, status);
        send_due(i, got);  // a request already due goes out at once; its latency counts the wait
      } else if (closed) {
        ++r.bad;
        epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        if (!Open(ep, port, i, c)) c.fd = -1;
      }
    }
  }
  const auto stop = Clock::now();
  for (Conn& c : conns) {
    if (c.waiting) record(c, stop, expect_class * 100);  // still unanswered: at least this late
    if (c.fd >= 0) close(c.fd);
  }
  close(ep);
  Summarize(latencies, answered, seconds, &r);
  return r;
}

}  // namespace bench

#endif  // IMAGINE_BENCH_LOAD_CLIENT_H_
