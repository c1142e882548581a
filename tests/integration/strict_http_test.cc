// The strict request parser over a real socket (issue 22 §1): a chunk line that a
// lenient front end would end at a bare LF cannot smuggle a second request, chunk
// framing costs no memory, an HTTP/1.0 client gets no 100 Continue, and a stray CRLF
// after a request is not a new request (no 408 later). Assertions are on answers, closes
// and the process's RSS, never on time.
#include <doctest/doctest.h>

#include <poll.h>

#include <string>

#include "support/emulator_process.h"
#include "support/raw_socket.h"

namespace imagine::testing {
namespace {

const std::string kChunkedCreate =
    "POST /v1/videos/generations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer vip-key\r\n"
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

TEST_CASE("issue 22: a bare LF in a chunk extension is a 400, and the bytes behind it are no second request") {
  EmulatorProcess emu;
  Socket s(emu.port());
  // A front end that ends chunk lines at LF reads "37;a" as the size line and "b\r\n..." as
  // data; read with CRLF, the same bytes carry a create and a second request. A strict
  // server refuses the first and serves nothing behind it.
  const std::string body = R"({"model":"grok-imagine-text-to-video","prompt":"a cat"})";  // 0x37 bytes
  REQUIRE(s.Send(kChunkedCreate + "37;a\nb\r\n" + body + "\r\n0\r\n\r\n" +
                 "GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  std::string first = s.ReadResponse();
  CHECK(Status(first) == 400);
  CHECK(first.find("chunk") != std::string::npos);
  std::string after;  // until the server closes: nothing (the GET was not served)
  char buf[4096];
  for (ssize_t n; (n = ::recv(s.fd(), buf, sizeof buf, 0)) > 0;) after.append(buf, static_cast<size_t>(n));
  CHECK(after.empty());
}

TEST_CASE("issue 22: 1 KB of chunk extension per body byte is refused at 64 KiB of framing, not kept") {
  EmulatorProcess emu;
  const long rss_before = emu.RssKib();
  Socket s(emu.port());
  REQUIRE(s.Send(kChunkedCreate));
  const std::string unit = "1;e=" + std::string(1000, 'x') + "\r\n \r\n";
  std::string batch;
  for (int i = 0; i < 64; ++i) batch += unit;
  int batches = 0;
  // Up to 32 MB of framing (a lenient server keeps all of it); stop at the first answer.
  for (; batches < 500 && !Readable(s.fd()); ++batches) {
    if (!s.Send(batch)) break;
  }
  // What the server holds now: a lenient one keeps every framing byte until the body ends.
  const long rss_after = emu.RssKib();
  if (!Readable(s.fd())) s.Send("0\r\n\r\n");  // a lenient server answers only now
  std::string r = s.ReadResponse();
  CHECK(Status(r) == 413);
  CHECK(r.find("framing") != std::string::npos);
  CHECK(batches < 500);
  INFO("RSS before " << rss_before << " KiB, after " << rss_after << " KiB, " << batches << " batches of 64 KB sent");
  CHECK(rss_after - rss_before < 16 * 1024);
}

TEST_CASE("issue 22: Expect: 100-continue from an HTTP/1.0 client gets no 1xx answer") {
  EmulatorProcess emu({"--clock", "virtual", "--seed", "1", "--config", WriteTempFile("server:\n  read_timeout_s: 1\n")});
  Socket s(emu.port());
  // Only the head: the body never comes, so the one answer is the 408 at read_timeout_s.
  // A server that sends 100 Continue to HTTP/1.0 answers that first.
  REQUIRE(s.Send("POST /v1/videos/generations HTTP/1.0\r\nAuthorization: Bearer vip-key\r\n"
                 "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"));
  CHECK(Status(s.ReadResponse()) == 408);
}

TEST_CASE("issue 22: a stray CRLF after a request is ignored, not answered 408 when the read timeout ends") {
  EmulatorProcess emu({"--clock", "virtual", "--seed", "1", "--config",
                       WriteTempFile("server:\n  read_timeout_s: 1\n  keep_alive_timeout_s: 2\n")});
  Socket s(emu.port());
  REQUIRE(s.Send("GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\r\n"));
  CHECK(Status(s.ReadResponse()) == 200);
  // The server closes the idle connection at keep_alive_timeout_s; before that it sends
  // nothing (a parser that took the CRLF for a new request answers 408 at read_timeout_s).
  std::string after;
  char buf[4096];
  for (ssize_t n; (n = ::recv(s.fd(), buf, sizeof buf, 0)) > 0;) after.append(buf, static_cast<size_t>(n));
  CHECK(after.empty());
}

TEST_CASE("issue 22: an absolute-form request target is served") {
  EmulatorProcess emu;
  Socket s(emu.port());
  REQUIRE(s.Send("GET http://127.0.0.1:" + std::to_string(emu.port()) +
                 "/_emulator/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  CHECK(Status(s.ReadResponse()) == 200);
}

}  // namespace
}  // namespace imagine::testing
