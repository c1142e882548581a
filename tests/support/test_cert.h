// A self-signed certificate for 127.0.0.1/localhost, made once per test run with the
// openssl CLI (HTTPS callback receivers). Test-only.
#ifndef IMAGINE_TESTS_SUPPORT_TEST_CERT_H_
#define IMAGINE_TESTS_SUPPORT_TEST_CERT_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/scratch.h"

namespace imagine::testing {

// A self-signed certificate for 127.0.0.1/localhost made with the openssl CLI, once per run.
struct SelfSignedCert {
  std::string dir, cert, key;
  bool ok = false;
  ~SelfSignedCert() {
    if (dir.empty()) return;
    std::remove(cert.c_str());
    std::remove(key.c_str());
    ::rmdir(dir.c_str());
  }
};

inline const SelfSignedCert& TestCert() {
  static const SelfSignedCert* cert = [] {
    static SelfSignedCert c;
    c.dir = ScratchSubdir("tls-");
    c.cert = c.dir + "/cert.pem";
    c.key = c.dir + "/key.pem";
    std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout '" + c.key + "' -out '" + c.cert +
                      "' -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1";
    c.ok = std::system(cmd.c_str()) == 0;
    return &c;
  }();
  return *cert;
}


}  // namespace imagine::testing

#endif  // IMAGINE_TESTS_SUPPORT_TEST_CERT_H_
