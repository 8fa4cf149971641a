// The HTTP/1.1 front door: Boost.Beast over Asio, C++20 coroutines, one straight-line coroutine
// per connection (style.md §8).
//
// It accepts connections, reads requests with a header limit, a body limit and a per-request read
// timeout, inflates `Content-Encoding: gzip` bodies up to an inflated-size limit, and hands each
// request to a RequestHandler on a worker pool, never on an I/O thread. A body that breaks a limit
// still reaches the handler (with HttpRequest::body_status set) so the client gets a proper AWS
// error instead of a dropped connection. It knows nothing about CloudWatch (style.md §1).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "vigil/common/http.h"
#include "vigil/common/result.h"

namespace vigil::net {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4590;  // 0 picks a free port; port() tells which
  int io_threads = 2;
  int worker_threads = 2;
  size_t max_header_bytes = 64 * 1024;
  // The largest body accepted as sent on the wire (CloudWatch: 1 MB for PutMetricData).
  size_t max_body_bytes = 1024 * 1024;
  // The largest body after inflating gzip (protects against gzip bombs).
  size_t max_inflated_bytes = 32 * 1024 * 1024;
  // From the first byte of a request to its last body byte. A slower client is disconnected.
  std::chrono::milliseconds read_timeout{30'000};
  // How long a keep-alive connection may sit idle between requests.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long writing a response may take.
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 10'000;
};

class HttpServer {
 public:
  // `handler` must outlive the server and be safe to call from several threads at once.
  HttpServer(ServerOptions options, RequestHandler& handler);
  ~HttpServer();  // calls Shutdown()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O and worker threads. Fails (InternalFailure with the reason)
  // when the address cannot be bound.
  Status Start();

  // The bound port (useful with port 0). Valid after Start().
  uint16_t port() const;

  // Graceful stop: closes the listener, lets requests already being read or handled finish and
  // their responses be written (up to `drain_timeout`), closes idle keep-alive connections, then
  // joins every thread. Idempotent.
  void Shutdown(std::chrono::milliseconds drain_timeout = std::chrono::milliseconds(10'000));

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::net
