// Test helpers for the net module: a blocking HTTP client with deadlines on every call, a
// recording RequestHandler, a server fixture and gzip helpers. No Beast in this header.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/common/http.h"
#include "vigil/net/server.h"

namespace vigil::net::testing {

using namespace std::chrono_literals;

inline constexpr std::chrono::milliseconds kDeadline = 5000ms;

struct ClientRequest {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // send `Connection: close`
};

// Serialises a request as HTTP/1.1 with `Host` and `Content-Length` (when a body is present).
std::string Serialize(const ClientRequest& request);

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  bool keep_alive = true;

  std::string Header(std::string_view lower_name) const;
  bool HasHeader(std::string_view lower_name) const;
};

enum class WaitResult { kClosed, kTimeout };

// A blocking HTTP/1.x client on one TCP connection to 127.0.0.1. Every call has a deadline and
// returns instead of hanging; a timed-out call leaves the socket open.
class TestClient {
 public:
  explicit TestClient(uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const;
  uint16_t local_port() const;

  // Writes bytes; false when the write fails or misses the deadline.
  bool SendRaw(std::string_view bytes, std::chrono::milliseconds timeout = kDeadline);
  bool Send(const ClientRequest& request) { return SendRaw(Serialize(request)); }
  // Reads one response (a 1xx counts as one). `head`: the response to a HEAD request.
  std::optional<ClientResponse> Read(std::chrono::milliseconds timeout = kDeadline,
                                     bool head = false);
  std::optional<ClientResponse> RoundTrip(const ClientRequest& request);
  // Reads until the server closes the connection (EOF or reset) or the deadline passes. Bytes
  // received meanwhile are appended to `received`.
  WaitResult WaitForClose(std::chrono::milliseconds timeout, std::string* received = nullptr);
  void Close();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// gzip (RFC 1952) of `data`.
std::string Gzip(std::string_view data);
// gzip of `n` zero bytes, compressed in a streaming way (never holds n bytes).
std::string GzipZeros(size_t n);

// Records every request it handles (with the handling thread's name) and answers with
// `behavior`, or by default 200 echoing the body with x-body-status / x-wire-bytes headers.
class RecordingHandler : public RequestHandler {
 public:
  struct Seen {
    HttpRequest request;
    std::string thread_name;
  };

  HttpResponse Handle(const HttpRequest& request) override;

  std::function<HttpResponse(const HttpRequest&)> behavior;  // set before the server starts

  std::vector<Seen> seen() const;
  size_t count() const;

 private:
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
};

// A one-shot event: Open() once (or more), Wait() from any thread.
class Gate {
 public:
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// A server on an ephemeral port with a RecordingHandler. `entered_` / `release_` let a handler
// block; TearDown opens `release_` so a failed test cannot hang the shutdown.
class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    release_.Open();
    server_.reset();
  }
  // Makes requests to `path` open `entered_` and wait for `release_`.
  void BlockOn(std::string path);

  static ServerOptions DefaultOptions();
  void StartServer(ServerOptions options = DefaultOptions());
  uint16_t port() const { return server_->port(); }

  RecordingHandler handler_;
  Gate entered_;
  Gate release_;
  std::unique_ptr<HttpServer> server_;
};

inline int BodyStatusCode(BodyStatus s) { return static_cast<int>(s); }

}  // namespace vigil::net::testing
