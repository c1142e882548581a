#include "http/bounded_client.h"

#include <openssl/ssl.h>

#include <exception>
#include <memory>

namespace imagine {

BoundedSendResult SendBounded(const BoundedSendOptions& options, httplib::Request& req, httplib::Response* res) {
  BoundedSendResult result;
  std::unique_ptr<httplib::ClientImpl> client;
  if (options.https) {
    auto ssl = std::make_unique<httplib::SSLClient>(options.host, options.port);
    if (!ssl->is_valid()) {
      result.failure = "TLS: cannot create a TLS context";
      return result;
    }
    ssl->enable_server_certificate_verification(options.verify_tls);
    if (options.verify_tls && !options.ca_file.empty() &&
        SSL_CTX_load_verify_locations(ssl->ssl_context(), options.ca_file.c_str(), nullptr) != 1 &&
        options.ca_file_must_load) {
      result.failure = "TLS: cannot load CA file " + options.ca_file;
      return result;
    }
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(options.host, options.port);
  }
  const int64_t us = options.timeout.count() < 1 ? 1 : options.timeout.count();
  const time_t sec = static_cast<time_t>(us / 1000000);
  const time_t usec = static_cast<time_t>(us % 1000000);
  client->set_connection_timeout(sec, usec);
  client->set_read_timeout(sec, usec);
  client->set_write_timeout(sec, usec);
  client->set_keep_alive(false);
  client->set_follow_location(false);
  client->set_url_encode(false);
  client->set_decompress(options.decompress);
  if (!options.connect_address.empty()) client->set_hostname_addr_map({{options.host, options.connect_address}});
  try {
    result.ok = client->send(req, *res, result.error);
  } catch (const std::exception& e) {
    result.ok = false;
    result.failure = std::string("HTTP client exception: ") + e.what();
  }
  return result;
}

}  // namespace imagine
