// The connection coroutine's interface, and what it shares with the listener (server.cc): the
// Connection the registry holds and the SessionEnv. Plain Asio, no Beast, so server.cc stays
// cheap to compile.
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>: include it first
// (this comment keeps clang-format from sorting it after the Boost headers).
#include <utility>
// The rest.
#include <spdlog/logger.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "vigil/common/http.h"
#include "vigil/net/server.h"

namespace vigil::net::internal {

// What a connection is doing, as Shutdown() sees it.
enum class Phase {
  kWaiting,  // between requests (or before the first): no byte of a request read yet
  kBusy,     // reading a request, in the handler, writing the response, or lingering
};

// One live connection, shared by its session coroutine and the server's registry.
// `executor` is the connection's strand. Every other field is read and written only on that
// strand: the session runs there, and Shutdown() posts its signals there.
struct Connection {
  explicit Connection(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}

  const boost::asio::any_io_executor executor;
  boost::asio::ip::tcp::socket* socket = nullptr;  // the session's socket while it runs
  Phase phase = Phase::kWaiting;
  bool draining = false;  // shutdown: finish the current request, answer `Connection: close`
};

// Everything a session needs from the server. The server outlives every session.
struct SessionEnv {
  const ServerOptions* options = nullptr;
  RequestHandler* handler = nullptr;
  boost::asio::io_context* workers = nullptr;   // the worker pool (run by worker threads)
  const std::atomic<bool>* stopping = nullptr;  // set once Shutdown() begins
  std::shared_ptr<spdlog::logger> log;
  // Called exactly once when a session ends (normally, by exception, or when its frame is
  // destroyed with the io_context).
  std::function<void(Connection*)> on_closed;
};

// The connection coroutine: serves requests on `socket` until the peer leaves, a timeout or limit
// hits, or the server shuts down. Spawn it on `conn->executor` (the socket's strand).
boost::asio::awaitable<void> RunSession(const SessionEnv& env, std::shared_ptr<Connection> conn,
                                        boost::asio::ip::tcp::socket socket);

}  // namespace vigil::net::internal
