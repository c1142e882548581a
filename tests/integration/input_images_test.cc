// Input images (issue 12 §1) over real HTTP on both providers: which URLs a create
// accepts, and with inputs.fetch on, what a tiny loopback image server's answers do to the
// task (unreachable, too large, not an image), plus the three scenarios that fail a task
// the same way without fetching. Fixed stage timings: queuing ends 3 s after creation.
#include <doctest/doctest.h>

#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "support/emulator_process.h"
#include "support/test_cert.h"
#include "support/test_configs.h"

namespace imagine::testing {
namespace {

constexpr const char* kKey = "image-key";

// The smallest files each format's size header can be read from.
std::string Png(uint32_t w, uint32_t h) {
  std::string b("\x89PNG\r\n\x1A\n", 8);
  b += std::string("\0\0\0\x0D", 4) + "IHDR";
  for (uint32_t v : {w, h}) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<char>((v >> s) & 0xFF));
  }
  b += std::string("\x08\x02\0\0\0", 5) + std::string(4, '\0');  // depth, colour, ..., CRC (not checked)
  return b;
}
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20) +
                          std::string("\xFF\xC0\x00\x11\x08\x00\x30\x00\x40\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 19);
const std::string kWebp = std::string("RIFF\x1E\x00\x00\x00WEBPVP8X\x0A\x00\x00\x00", 20) +
                          std::string("\x00\x00\x00\x00\x3F\x00\x00\x1F\x00\x00", 10);  // 64 x 32
const std::string kGif = std::string("GIF89a\x02\x00\x03\x00\x00\x00\x00;", 14);

// A loopback HTTP (or, with a certificate, HTTPS) server with one image (or not-image) per path.
template <typename ServerT = httplib::Server>
class ImageServer {
 public:
  template <typename... Args>
  explicit ImageServer(Args... args) : server_(args...), https_(sizeof...(Args) > 0) {
    server_.Get("/cat.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(Png(2, 3), "image/png");
    });
    server_.Get("/cat.jpg", [](const httplib::Request&, httplib::Response& res) { res.set_content(kJpeg, "image/jpeg"); });
    server_.Get("/cat.webp", [](const httplib::Request&, httplib::Response& res) { res.set_content(kWebp, "image/webp"); });
    server_.Get("/cat.gif", [](const httplib::Request&, httplib::Response& res) { res.set_content(kGif, "image/gif"); });
    server_.Get("/page.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html>not found</html>", "text/html");
    });
    server_.Get("/broken.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string("\x89PNG\r\n\x1A\n", 8), "image/png");
    });
    server_.Get("/big.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(Png(4000, 4000) + std::string(10 * 1024 * 1024, '\0'), "image/png");  // 10 MB + 33 bytes
    });
    server_.Get("/hop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/hop2"); });
    server_.Get("/hop2", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("cat.webp"); });
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ImageServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return std::string(https_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  ServerT server_;
  bool https_ = false;
  int port_ = 0;
  std::thread thread_;
};

Reply CreateApikley(const EmulatorProcess& emu, const std::string& url, const std::string& scenario = "") {
  httplib::Headers h{{"Authorization", std::string("Bearer ") + kKey}};
  if (!scenario.empty()) h.emplace("X-Emulator-Scenario", scenario);
  nlohmann::json body = {{"model", "grok-imagine/image-to-video"}, {"input", {{"prompt", "x"}, {"image_urls", {url}}}}};
  return emu.Request("POST", "/api/v1/jobs/createTask", body.dump(), h, "application/json");
}

Reply CreateEvolink(const EmulatorProcess& emu, const std::string& url, const std::string& scenario = "") {
  httplib::Headers h{{"Authorization", std::string("Bearer ") + kKey}};
  if (!scenario.empty()) h.emplace("X-Emulator-Scenario", scenario);
  nlohmann::json body = {{"model", "grok-imagine-image-to-video-beta"}, {"prompt", "x"}, {"image_urls", {url}}};
  return emu.Request("POST", "/v1/videos/generations", body.dump(), h, "application/json");
}

nlohmann::json RecordOf(const EmulatorProcess& emu, const std::string& id) {
  return emu.Get("/api/v1/jobs/recordInfo?taskId=" + id, kKey).json()["data"];
}
nlohmann::json TaskOf(const EmulatorProcess& emu, const std::string& id) { return emu.Get("/v1/tasks/" + id, kKey).json(); }

std::string Config(bool fetch, bool allow_private, const std::string& extra = "") {
  const std::string timing = "{timing: {waiting_s: [1, 1], queuing_s: [2, 2], total_s: [10, 10]}}";
  return WriteTempFile(extra + "clock: {mode: virtual, start_ms: 1760000000000}\n" +
                       "inputs: {fetch: " + (fetch ? "on" : "off") + "}\n" +
                       "apikley: {models: {grok-imagine/image-to-video: " + timing + "}}\n" +
                       "evolink: {allow_private_images: " + (allow_private ? "true" : "false") +
                       ", models: {grok-imagine-image-to-video-beta: " + timing + "}}\n");
}

// The words each provider fails a task with, by reason.
const char* ApikleyWords(const std::string& reason) {
  if (reason == "image_unreachable") return "Image download failed: the image URL could not be fetched";
  if (reason == "image_too_large") return "Image file size exceeds the maximum of 10MB";
  return "Unsupported image format: only JPEG, PNG and WEBP images are supported";
}
const char* EvolinkWords(const std::string& reason) {
  if (reason == "image_unreachable") {
    return "Failed to download the input image. Please check that the image URL is publicly accessible.";
  }
  if (reason == "image_too_large") return "The input image exceeds the maximum size of 10MB.";
  return "The input image could not be processed. Supported formats: JPEG, PNG, WebP.";
}

// Checks that both providers' tasks of `a_id` / `e_id` are queuing at 1 s, then failed
// at 3 s with `reason` in each provider's words (or both succeed at 10 s when reason is "").
void CheckOutcome(const EmulatorProcess& emu, const std::string& a_id, const std::string& e_id,
                  const std::string& reason) {
  emu.Advance(1);
  CHECK(RecordOf(emu, a_id)["state"] == "queuing");
  CHECK(TaskOf(emu, e_id)["status"] == "pending");  // Evolink shows waiting and queuing as pending
  emu.Advance(2);
  if (reason.empty()) {
    emu.Advance(7);
    CHECK(RecordOf(emu, a_id)["state"] == "success");
    CHECK(TaskOf(emu, e_id)["status"] == "completed");
    return;
  }
  nlohmann::json a = RecordOf(emu, a_id);
  CHECK(a["state"] == "fail");
  CHECK(a["failCode"] == "400");
  CHECK(a["failMsg"] == ApikleyWords(reason));
  CHECK(a["completeTime"].get<long long>() - a["createTime"].get<long long>() == 3000);
  nlohmann::json e = TaskOf(emu, e_id);
  CHECK(e["status"] == "failed");
  CHECK(e["error"] == nlohmann::json{{"code", "image_processing_error"}, {"message", EvolinkWords(reason)},
                                     {"type", "task_error"}});
}

}  // namespace

TEST_CASE("a create accepts only http(s) image URLs with a host, on both providers") {
  EmulatorProcess emu({"--config", Config(false, false)});
  for (const std::string url : {"ftp://e.com/a.png", "data:image/png;base64,iVBORw0KGgo=", "urn:isbn:0451450523",
                                "http:/a.png", "file:///etc/passwd"}) {
    INFO(url);
    const std::string got = nlohmann::json(url).dump();
    Reply a = CreateApikley(emu, url);
    CHECK(a.status == 200);
    CHECK(a.body == R"({"code":422,"msg":"input.image_urls[0]: must be an http or https URL with a host (got )" +
                        nlohmann::json(got).dump().substr(1, nlohmann::json(got).dump().size() - 2) + R"J()","data":null})J");
    Reply e = CreateEvolink(emu, url);
    CHECK(e.status == 400);
    CHECK(e.json() == nlohmann::json::parse(
                          R"({"error":{"code":"invalid_request","message":"image_urls[0]: must be an http or https URL with a host (got )" +
                          nlohmann::json(got).dump().substr(1, nlohmann::json(got).dump().size() - 2) +
                          R"J()","type":"invalid_request_error","param":"image_urls[0]"}})J"));
  }
  CHECK(emu.Get("/_emulator/health").json()["tasks"] == 0);
  // The extension is not judged at create (only the bytes, when fetched): a .gif URL is accepted.
  CHECK(CreateApikley(emu, "https://e.com/a.gif").json()["code"] == 200);
  CHECK(CreateEvolink(emu, "HTTPS://E.COM/a.gif").status == 200);
  // Loopback and private hosts: Evolink refuses them as it refuses such callbacks; Apikley
  // (which restricts no callback host either) accepts them.
  CHECK(CreateApikley(emu, "http://127.0.0.1:9/a.png").json()["code"] == 200);
  Reply local = CreateEvolink(emu, "http://192.168.1.20/a.png");
  CHECK(local.status == 400);
  CHECK(local.body ==
        R"J({"error":{"code":"invalid_request","message":"image_urls[0]: must not point to a loopback, private or link-local address (got \"http://192.168.1.20/a.png\")","type":"invalid_request_error","param":"image_urls[0]"}})J");
  CHECK(local.headers.find("X-Emulator-Hint")->second ==
        "set evolink.allow_private_images: true in the emulator config to accept images on loopback/private hosts");
}

TEST_CASE("inputs.fetch on: usable images succeed, redirects are followed, bad ones fail the task at the end of queuing") {
  ImageServer<> images;
  EmulatorProcess emu({"--config", Config(true, true)});
  struct Row {
    std::string path;
    std::string reason;  // "" = success
  };
  const Row rows[] = {
      {"/cat.png", ""},
      {"/cat.jpg", ""},
      {"/cat.webp", ""},
      {"/hop", ""},  // two redirects, the second relative
      {"/missing.png", "image_unreachable"},
      {"/loop", "image_unreachable"},
      {"/big.png", "image_too_large"},
      {"/cat.gif", "image_invalid"},
      {"/page.png", "image_invalid"},
      {"/broken.png", "image_invalid"},
  };
  const double credits = emu.Get("/api/v1/chat/credit", kKey).json()["data"];
  for (const Row& row : rows) {
    INFO(row.path);
    emu.Post("/_emulator/reset", "{}");
    Reply a = CreateApikley(emu, images.Url(row.path));
    Reply e = CreateEvolink(emu, images.Url(row.path));
    INFO(a.body << "\n" << e.body);
    REQUIRE(a.json()["code"] == 200);  // the create itself is accepted: the failure shows on the task
    REQUIRE(e.status == 200);
    CheckOutcome(emu, a.json()["data"]["taskId"], e.json()["id"], row.reason);
    // A failed task is refunded, as every failure is.
    CHECK(emu.Get("/api/v1/chat/credit", kKey).json()["data"] == (row.reason.empty() ? credits - 10 - 5 : credits));
  }
  // An unreachable host (nothing listens on port 9 of loopback).
  Reply a = CreateApikley(emu, "http://127.0.0.1:9/a.png");
  Reply e = CreateEvolink(emu, "http://127.0.0.1:9/a.png");
  CheckOutcome(emu, a.json()["data"]["taskId"], e.json()["id"], "image_unreachable");
  // The exact bodies of one failure.
  Reply missing = CreateEvolink(emu, images.Url("/missing.png"));
  const std::string id = missing.json()["id"];
  emu.Advance(3);
  Reply failed = emu.Get("/v1/tasks/" + id, kKey);
  CHECK(failed.body == R"({"created":)" + std::to_string(missing.json()["created"].get<long long>()) + R"(,"error":{"code":"image_processing_error","message":"Failed to download the input image. Please check that the image URL is publicly accessible.","type":"task_error"},"id":")" +
                           id + R"(","model":"grok-imagine-image-to-video-beta","object":"video.generation.task","progress":0,"status":"failed","task_info":{"can_cancel":false,"estimated_time":0},"type":"video","usage":{"billing_rule":"per_call","credits_reserved":5,"user_group":"default"}})");
}

TEST_CASE("inputs.fetch on with the default policy: Evolink refuses a loopback image at create, before any fetch") {
  ImageServer<> images;
  EmulatorProcess emu({"--config", Config(true, false)});
  Reply e = CreateEvolink(emu, images.Url("/cat.png"));
  CHECK(e.status == 400);
  CHECK(e.json()["error"]["message"].get<std::string>().find("must not point to a loopback") != std::string::npos);
  Reply a = CreateApikley(emu, images.Url("/cat.png"));  // Apikley fetches it
  REQUIRE(a.json()["code"] == 200);
  emu.Advance(10);
  CHECK(RecordOf(emu, a.json()["data"]["taskId"])["state"] == "success");
}

TEST_CASE("inputs.fetch on over HTTPS trusts what callbacks trust: verified, or callbacks.ca_file") {
  const SelfSignedCert& cert = TestCert();
  REQUIRE_MESSAGE(cert.ok, "openssl req failed (is the openssl CLI installed?)");
  ImageServer<httplib::SSLServer> images(cert.cert.c_str(), cert.key.c_str());
  {
    EmulatorProcess strict({"--config", Config(true, true)});
    Reply a = CreateApikley(strict, images.Url("/cat.png"));
    Reply e = CreateEvolink(strict, images.Url("/cat.png"));
    CheckOutcome(strict, a.json()["data"]["taskId"], e.json()["id"], "image_unreachable");  // self-signed
  }
  EmulatorProcess with_ca({"--config", Config(true, true, "callbacks: {ca_file: \"" + cert.cert + "\"}\n")});
  Reply a = CreateApikley(with_ca, images.Url("/cat.jpg"));
  Reply e = CreateEvolink(with_ca, images.Url("/cat.jpg"));
  CheckOutcome(with_ca, a.json()["data"]["taskId"], e.json()["id"], "");
}

TEST_CASE("the image_unreachable, image_too_large and image_invalid scenarios fail a task without fetching") {
  EmulatorProcess emu({"--config", Config(false, false)});
  for (const std::string reason : {"image_unreachable", "image_too_large", "image_invalid"}) {
    INFO(reason);
    emu.Post("/_emulator/reset", "{}");
    Reply a = CreateApikley(emu, "https://example.com/cat.png", reason);
    Reply e = CreateEvolink(emu, "https://example.com/cat.png", reason);
    REQUIRE(a.json()["code"] == 200);
    REQUIRE(e.status == 200);
    CheckOutcome(emu, a.json()["data"]["taskId"], e.json()["id"], reason);
  }
  nlohmann::json listed = emu.Get("/_emulator/scenarios").json();
  std::set<std::string> names;
  for (const auto& s : listed["scenarios"]) names.insert(s["name"].get<std::string>());
  CHECK(names.count("image_unreachable") == 1);
  CHECK(names.count("image_too_large") == 1);
  CHECK(names.count("image_invalid") == 1);
}

TEST_CASE("--inputs-fetch and IMAGINE_EMU_INPUTS_FETCH set inputs.fetch, a bad value exits 2") {
  EmulatorProcess flag({"--clock", "virtual", "--inputs-fetch", "on"});
  CHECK(flag.Get("/_emulator/config").json()["inputs"] ==
        nlohmann::json::parse(R"({"fetch":"on","timeout_s":10,"max_redirects":3,"max_bytes":10485760})"));
  EmulatorProcess env({"--clock", "virtual"}, {{"IMAGINE_EMU_INPUTS_FETCH", "on"}});
  CHECK(env.Get("/_emulator/config").json()["inputs"]["fetch"] == "on");
  EmulatorProcess plain;
  CHECK(plain.Get("/_emulator/config").json()["inputs"]["fetch"] == "off");
  auto [code, out] = RunToExit({"--inputs-fetch", "yes"});
  CHECK(code == 2);
  CHECK(out == "imagine-emu: --inputs-fetch: must be one of off | on (got \"yes\")\n");
}

TEST_CASE("issue 22: an input image on the emulator's own port is refused like a closed port, whatever the host spells") {
  EmulatorProcess emu({"--config", Config(true, true)});  // loopback images allowed, on both providers
  const std::string port = std::to_string(emu.port());
  // Before: the control API's JSON was fetched (image_invalid), telling the open port from a closed one.
  for (const std::string& host : {std::string("127.0.0.1"), std::string("localhost"), std::string("[::ffff:127.0.0.1]"),
                                  std::string("127.1")}) {
    INFO(host);
    emu.Post("/_emulator/reset", "{}");
    Reply a = CreateApikley(emu, "http://" + host + ":" + port + "/_emulator/config");
    Reply e = CreateEvolink(emu, "http://" + host + ":" + port + "/_emulator/config");
    REQUIRE(a.json()["code"] == 200);
    REQUIRE(e.status == 200);
    CheckOutcome(emu, a.json()["data"]["taskId"], e.json()["id"], "image_unreachable");
  }
}

TEST_CASE("issue 22: a host name that resolves to loopback is refused at fetch time where loopback images are") {
  // The machine's own name, when it resolves to loopback only (Debian's /etc/hosts: 127.0.1.1).
  char name[256] = {};
  REQUIRE(::gethostname(name, sizeof name - 1) == 0);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  bool loopback_only = ::getaddrinfo(name, "80", &hints, &list) == 0;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    loopback_only = loopback_only && ai->ai_family == AF_INET &&
                    (ntohl(reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr.s_addr) >> 24) == 127;
  }
  if (list != nullptr) ::freeaddrinfo(list);
  if (!loopback_only || std::string(name) == "localhost") {
    MESSAGE("skipped: this machine's name (" << name << ") does not resolve to loopback only; "
            "unit/HttpImageFetcher covers it with an injected lookup");
    return;
  }
  ImageServer<> images;
  EmulatorProcess emu({"--config", Config(true, false)});
  const std::string url = "http://" + std::string(name) + images.Url("/cat.png").substr(std::string("http://127.0.0.1").size());
  Reply e = CreateEvolink(emu, url);  // the name is not private as written: accepted at create
  Reply a = CreateApikley(emu, url);  // Apikley fetches loopback images
  INFO(url << "\n" << e.body);
  REQUIRE(e.status == 200);
  REQUIRE(a.json()["code"] == 200);
  emu.Advance(3);
  // Before: cpp-httplib resolved the name again and fetched the image from loopback (completed).
  nlohmann::json task = TaskOf(emu, e.json()["id"]);
  CHECK(task["status"] == "failed");
  CHECK(task["error"]["message"] == EvolinkWords("image_unreachable"));
  emu.Advance(7);
  CHECK(RecordOf(emu, a.json()["data"]["taskId"])["state"] == "success");
}

}  // namespace imagine::testing
