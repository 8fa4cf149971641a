// Plain HTTP request/response values shared by the network layer and the front end.
//
// `net` fills HttpRequest from the socket (already inflated if it was gzip) and sends back the
// HttpResponse; nothing here knows about CloudWatch.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

// What happened to the body on the way in. The front end still answers (with the right AWS error
// for the detected protocol) when the body could not be read, instead of dropping the connection.
enum class BodyStatus {
  kOk,
  kTooLarge,          // Content-Length or bytes read beyond the body limit
  kInflatedTooLarge,  // gzip body inflates beyond the inflated limit (gzip bomb)
  kBadEncoding,       // corrupt or truncated gzip
  kUnsupportedEncoding,  // a Content-Encoding other than gzip/identity
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path plus query string, as sent
  // Header names lower-cased; values as sent. Order kept; duplicates kept.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // inflated when Content-Encoding was gzip
  BodyStatus body_status = BodyStatus::kOk;
  size_t wire_body_bytes = 0;  // body size on the wire (before inflating)
  std::string remote;          // peer address, for logs

  // First header with this lower-case name, or empty.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
  bool HasHeader(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return true;
    }
    return false;
  }
  std::string_view Path() const {
    auto q = target.find('?');
    return q == std::string::npos ? std::string_view(target) : std::string_view(target).substr(0, q);
  }
  std::string_view QueryString() const {
    auto q = target.find('?');
    return q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added by net
  std::string body;
  bool close = false;  // close the connection after sending

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// Implemented by the front end; called by net on a worker thread (never an I/O thread), possibly
// from several threads at once.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) = 0;
};

}  // namespace vigil
