// The outbound HTTP client of delivery: one POST per call, on its own I/O thread.
//
// Outbound safety (docs/notifications.md "Outbound safety"): every exchange (resolve, connect,
// TLS handshake, write, read) is bounded by one timeout; redirects are never followed (a 3xx is
// returned as it is); a response body is read up to 64 KiB and dropped; HTTPS verifies the
// server's certificate against the system's CA store and its host name. The caller bounds the
// number of exchanges in flight. Beast is compiled only in http_sender.cc.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::notify {

struct ParsedUrl {
  bool https = false;
  std::string host;    // without brackets
  std::string port;    // "80"/"443" when absent
  std::string target;  // path and query, "/" when absent
};
// Accepts http:// and https:// URLs with a host; nullopt otherwise.
std::optional<ParsedUrl> ParseHttpUrl(std::string_view url);

struct OutboundRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct OutboundResult {
  int status = 0;     // the HTTP status; 0 when no response arrived
  std::string error;  // why there was no response ("connection refused", "timed out", ...)
};

class HttpSender {
 public:
  explicit HttpSender(std::chrono::milliseconds timeout);
  ~HttpSender();  // stops the thread; exchanges in flight end without calling `done`
  HttpSender(const HttpSender&) = delete;
  HttpSender& operator=(const HttpSender&) = delete;

  // Starts the exchange; `done` runs on the sender's thread when it ends.
  void Send(OutboundRequest request, std::function<void(OutboundResult)> done);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::notify
