#include "callbacks/webhook_faults.h"

#include <cctype>
#include <string>

namespace imagine {
namespace {

constexpr const char* kExpected =
    "expected duplicate, delay=<seconds>, drop, out_of_order or fail_first=<n>, separated by ';' or ','";

Status BadToken(const std::string& token, const std::string& why) {
  return InvalidArgument("invalid webhook fault \"" + token + "\": " + why,
                         Violation{"", "webhook_faults", "\"" + token + "\""});
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Non-negative decimal seconds ("5", "2.5", ".5", "0.125") to milliseconds, rounded half up.
bool ParseSecondsToMs(std::string_view text, int64_t* out_ms) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  if (!whole.empty() && !AllDigits(whole)) return false;
  if (dot != std::string_view::npos && !frac.empty() && !AllDigits(frac)) return false;
  // Strip leading zeros so the length check below bounds the value, not the spelling.
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() > 10) return false;  // far beyond the limit; avoids overflow
  int64_t ms = 0;
  for (char c : whole) ms = ms * 10 + (c - '0');
  ms *= 1000;
  int64_t scale = 100;
  for (size_t i = 0; i < frac.size() && i < 3; ++i, scale /= 10) ms += (frac[i] - '0') * scale;
  if (frac.size() > 3 && frac[3] >= '5') ++ms;
  *out_ms = ms;
  return true;
}

}  // namespace

StatusOr<WebhookFaults> ParseWebhookFaults(std::string_view spec) {
  std::string compact;
  compact.reserve(spec.size());
  for (char c : spec) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }

  WebhookFaults faults;
  size_t start = 0;
  while (start <= compact.size()) {
    size_t end = compact.find_first_of(";,", start);
    if (end == std::string::npos) end = compact.size();
    std::string token = compact.substr(start, end - start);
    start = end + 1;
    if (token.empty()) continue;

    size_t eq = token.find('=');
    std::string name = token.substr(0, eq);
    bool has_value = eq != std::string::npos;
    std::string_view value = has_value ? std::string_view(token).substr(eq + 1) : std::string_view();

    if (name == "duplicate" || name == "drop" || name == "out_of_order") {
      if (has_value) return BadToken(token, "\"" + name + "\" takes no value");
      if (name == "duplicate") faults.duplicate = true;
      if (name == "drop") faults.drop = true;
      if (name == "out_of_order") faults.out_of_order = true;
    } else if (name == "delay") {
      int64_t ms = 0;
      if (!has_value || !ParseSecondsToMs(value, &ms)) {
        return BadToken(token, "delay needs a number of seconds >= 0, e.g. delay=2.5");
      }
      if (ms > kMaxWebhookFaultDelayMs) return BadToken(token, "delay must be at most 2592000 seconds (30 days)");
      faults.delay_ms = ms;
    } else if (name == "fail_first") {
      if (!has_value || !AllDigits(value) || value.size() > 4) {
        return BadToken(token, "fail_first needs a whole number of attempts >= 0, e.g. fail_first=2");
      }
      int n = std::stoi(std::string(value));
      if (n > kMaxWebhookFaultFailFirst) return BadToken(token, "fail_first must be at most 100");
      faults.fail_first = n;
    } else {
      return BadToken(token, std::string("unknown name (") + kExpected + ")");
    }
  }
  return faults;
}

}  // namespace imagine
