// The HTTP/1.1 front door: Boost.Beast over Asio, C++20 coroutines, one straight-line coroutine
// per connection (style.md §8).
//
// It accepts connections, reads requests with a header limit, a body limit and a per-request read
// timeout, inflates `Content-Encoding: gzip` bodies up to an inflated-size limit, and hands each
// request to a RequestHandler on a worker pool, never on an I/O thread. A body that breaks a limit
// still reaches the handler (with HttpRequest::body_status set) so the client gets a proper AWS
// error instead of a dropped connection. It knows nothing about CloudWatch (style.md §1).
// Connection lifecycle, limits and shutdown are described in docs/net.md.
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
  uint16_t port = 4590;    // 0 picks a free port; port() tells which
  int io_threads = 2;      // threads running the sockets (at least 1)
  int worker_threads = 2;  // threads running gzip inflation and the handler (at least 1)
  // Request line plus header fields. A longer header is answered 431 and the connection closed.
  size_t max_header_bytes = 64 * 1024;
  // The largest body accepted as sent on the wire (CloudWatch: 1 MB for PutMetricData). A larger
  // one is not read: the handler gets the request with BodyStatus::kTooLarge and an empty body,
  // and the connection is closed after its response.
  size_t max_body_bytes = 1024 * 1024;
  // The largest body after inflating gzip (protects against gzip bombs).
  size_t max_inflated_bytes = 32 * 1024 * 1024;
  // From the first byte of a request to its last body byte. A slower client is disconnected.
  std::chrono::milliseconds read_timeout{30'000};
  // How long a connection may wait for the first byte of a request: between keep-alive requests,
  // and after connecting.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long writing a response may take.
  std::chrono::milliseconds write_timeout{30'000};
  // Open connections at most. Beyond it a new connection is accepted and closed at once (the
  // client sees EOF or a reset before any response and retries); one warning is logged each time
  // the limit is reached.
  size_t max_connections = 10'000;
};

// Thread safety: Start() and Shutdown() may be called from any thread except the server's own I/O
// and worker threads (so never from inside RequestHandler::Handle); port() from any thread.
class HttpServer {
 public:
  // `handler` must outlive the server and be safe to call from several threads at once.
  HttpServer(ServerOptions options, RequestHandler& handler);
  ~HttpServer();  // calls Shutdown()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds (SO_REUSEADDR), listens and starts the I/O and worker threads. Fails (InternalFailure
  // with the address and the reason) when the address cannot be resolved or bound; it never
  // throws. May be called once; after a failure the server is stopped.
  Status Start();

  // The bound port (useful with port 0). Valid after Start().
  uint16_t port() const;

  // Graceful stop: closes the listener, lets requests already being read or handled finish and
  // their responses be written with `Connection: close` (up to `drain_timeout`), closes idle
  // keep-alive connections, then joins every thread. Connections still open at the drain timeout
  // are closed; a handler that never returns still blocks the join of the worker threads.
  // Idempotent; a no-op before Start(); called by the destructor.
  void Shutdown(std::chrono::milliseconds drain_timeout = std::chrono::milliseconds(10'000));

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::net
