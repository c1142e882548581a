#include "http/worker_count.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

namespace imagine {
namespace {

// A small file's text, "" when it cannot be read (open/read: no iostream set-up at start-up).
std::string ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

bool ParseInt(std::string_view text, int64_t* out) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The quota of this process's cgroup, in CPUs rounded up (0: none found).
int CgroupQuotaCpus() {
  const std::string cgroups = ReadFile("/proc/self/cgroup");
  std::vector<std::string> v2, v1;  // directories holding the files, most specific first
  for (size_t at = 0; at < cgroups.size();) {
    size_t eol = cgroups.find('\n', at);
    if (eol == std::string::npos) eol = cgroups.size();
    const std::string line = cgroups.substr(at, eol - at);
    at = eol + 1;
    const size_t a = line.find(':');
    const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (controllers.empty()) {
      v2.push_back("/sys/fs/cgroup" + path);
    } else if (controllers == "cpu" || controllers.rfind("cpu,", 0) == 0 || controllers.find(",cpu") != std::string::npos) {
      v1.push_back("/sys/fs/cgroup/" + controllers + path);
      v1.push_back("/sys/fs/cgroup/cpu" + path);
    }
  }
  v2.push_back("/sys/fs/cgroup");  // in a container the cgroup namespace makes the path "/"
  v1.push_back("/sys/fs/cgroup/cpu");
  for (const std::string& dir : v2) {
    const std::string text = ReadFile(dir + "/cpu.max");
    if (!text.empty()) return QuotaCpusFromCpuMax(text);
  }
  for (const std::string& dir : v1) {
    int64_t quota = 0, period = 0;
    if (ParseInt(ReadFile(dir + "/cpu.cfs_quota_us"), &quota) && ParseInt(ReadFile(dir + "/cpu.cfs_period_us"), &period)) {
      return QuotaCpus(quota, period);
    }
  }
  return 0;
}

}  // namespace

int QuotaCpus(int64_t quota_us, int64_t period_us) {
  if (quota_us <= 0 || period_us <= 0) return 0;
  return static_cast<int>((quota_us + period_us - 1) / period_us);
}

int QuotaCpusFromCpuMax(std::string_view cpu_max) {
  const size_t space = cpu_max.find(' ');
  if (space == std::string_view::npos) return 0;
  int64_t quota = 0, period = 0;
  if (!ParseInt(cpu_max.substr(0, space), &quota) || !ParseInt(cpu_max.substr(space + 1), &period)) return 0;  // "max": none
  return QuotaCpus(quota, period);
}

int WorkersFor(int affinity_cpus, int quota_cpus, bool handlers_wait) {
  int cpus = std::max(1, affinity_cpus);
  if (quota_cpus > 0) cpus = std::min(cpus, quota_cpus);
  return std::max(handlers_wait ? 2 : 1, cpus);
}

int DefaultWorkers(bool handlers_wait) {
  cpu_set_t set;
  CPU_ZERO(&set);
  const int affinity = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 2;
  return WorkersFor(affinity, CgroupQuotaCpus(), handlers_wait);
}

}  // namespace imagine
