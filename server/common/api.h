// Transport-neutral request and response types. The HTTP front end (http/http_server.cc)
// converts each parsed request into these, so dialects and admin handlers never see the
// transport. An ApiRequest borrows from the parsed request and lives only during one call.
#ifndef IMAGINE_COMMON_API_H_
#define IMAGINE_COMMON_API_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imagine {

struct ApiRequest {
  using QueryMap = std::multimap<std::string, std::string>;
  using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

  std::string_view method;
  std::string_view path;
  std::string_view base;  // the route's mount base ("" = the root, "/xai"): path minus it is the document's path
  std::string_view body;
  std::string_view request_id;
  const QueryMap* query = nullptr;
  std::vector<std::pair<std::string_view, std::string_view>> path_params;  // from "{name}" route segments
  Headers headers;  // as the client sent them, in order
  std::string api_key;  // the bearer key, set by the auth step for authenticated routes

  // The first value of header `name` ("" when absent); names are case-insensitive.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < k.size() && same; ++i) {
        same = (k[i] | 0x20) == (name[i] | 0x20);  // ASCII case folding; header names are tokens
      }
      if (same) return v;
    }
    return {};
  }
  bool HasQuery(std::string_view name) const { return query != nullptr && query->count(std::string(name)) > 0; }
  std::string_view Query(std::string_view name) const {
    if (query == nullptr) return {};
    auto it = query->find(std::string(name));
    return it == query->end() ? std::string_view() : std::string_view(it->second);
  }
  std::string_view PathParam(std::string_view name) const {
    for (const auto& [k, v] : path_params) {
      if (k == name) return v;
    }
    return {};
  }
};

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // Not sent: what the journal correlates the exchange with.
  std::string task_id;   // the task created or queried
  std::string scenario;  // the scenario armed for this request
  bool is_error = false;  // rendered as an error (whatever the HTTP status), for --self-check
};

using Handler = std::function<ApiResponse(ApiRequest&)>;

}  // namespace imagine

#endif  // IMAGINE_COMMON_API_H_
