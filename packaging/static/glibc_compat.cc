// Linked into every executable of the self-contained build (IMAGINE_STATIC, packaging/static/
// static.cmake). Contract: the binaries need no glibc symbol newer than GLIBC_2.34, and find the
// system's CA certificates on distributions other than Debian's family.
//  - arc4random (GLIBC_2.36): the static libstdc++ calls it in std::random_device; defined here
//    over getrandom (GLIBC_2.25), so the link never binds the glibc one.
//  - _dl_find_object (GLIBC_2.35): the static libgcc unwinder calls it to find a PC's
//    .eh_frame_hdr; defined here over dl_iterate_phdr (GLIBC_2.2.5).
//  - The static OpenSSL looks for certificates under Debian's OPENSSLDIR (/usr/lib/ssl); where
//    that does not exist and neither SSL_CERT_FILE nor SSL_CERT_DIR is set, SSL_CERT_FILE is set
//    at start-up to the first CA bundle found at the usual paths of other distributions.
#include <dlfcn.h>
#include <link.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

extern "C" {

uint32_t arc4random(void) {
  uint32_t value = 0;
  size_t got = 0;
  while (got < sizeof value) {
    ssize_t n = getrandom(reinterpret_cast<char*>(&value) + got, sizeof value - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (n < 0 && errno != EINTR) abort();  // the kernel has no getrandom (before Linux 3.17)
  }
  return value;
}

namespace {
struct FindArgs {
  uintptr_t pc;
  dl_find_object* result;
};

int FindObject(dl_phdr_info* info, size_t, void* data) {
  auto* args = static_cast<FindArgs*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  const ElfW(Phdr)* eh_frame = nullptr;
  bool contains = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) {
      uintptr_t start = info->dlpi_addr + ph.p_vaddr, end = start + ph.p_memsz;
      if (start < low) low = start;
      if (end > high) high = end;
      if (args->pc >= start && args->pc < end) contains = true;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      eh_frame = &ph;
    }
  }
  if (!contains) return 0;
  args->result->dlfo_flags = 0;
  args->result->dlfo_map_start = reinterpret_cast<void*>(low);
  args->result->dlfo_map_end = reinterpret_cast<void*>(high);
  args->result->dlfo_link_map = nullptr;
  args->result->dlfo_eh_frame =
      eh_frame ? reinterpret_cast<void*>(info->dlpi_addr + eh_frame->p_vaddr) : nullptr;
  return 1;
}
}  // namespace

int _dl_find_object(void* pc, dl_find_object* result) {
  FindArgs args{reinterpret_cast<uintptr_t>(pc), result};
  return dl_iterate_phdr(FindObject, &args) ? 0 : -1;
}

}  // extern "C"

namespace {
__attribute__((constructor)) void UseSystemCaBundle() {
  if (getenv("SSL_CERT_FILE") || getenv("SSL_CERT_DIR")) return;
  if (access("/usr/lib/ssl/cert.pem", R_OK) == 0 || access("/usr/lib/ssl/certs", R_OK) == 0) return;
  static const char* const kBundles[] = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Arch, Gentoo
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL, CentOS, Amazon Linux
      "/etc/ssl/ca-bundle.pem",                             // openSUSE, SLES
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 9 (the file the above links to)
      "/etc/ssl/cert.pem",                                  // Alpine, Void
  };
  for (const char* bundle : kBundles) {
    if (access(bundle, R_OK) == 0) {
      setenv("SSL_CERT_FILE", bundle, 0);
      return;
    }
  }
}
}  // namespace
