// HttpServer: the listener, the thread pools, the connection registry and the ordered shutdown.
// Plain Asio; the HTTP session (Beast) lives in session.cc.
#include "vigil/net/server.h"

// First: it works around a missing include in Boost 1.74's Asio (see there).
#include "net/session.h"
// The rest.
#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vigil/common/logging.h"

namespace vigil::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using internal::Connection;
using internal::Phase;

// After the drain timeout, connections still open are closed; this is how long we then wait for
// their coroutines to unwind (those stuck in a handler cannot) before stopping the io_context.
constexpr std::chrono::milliseconds kForceCloseGrace{1000};
// How long the I/O threads get to run out of work by themselves before io_context::stop().
constexpr std::chrono::milliseconds kIoWindDown{2000};
// Pause before accepting again when the process is out of file descriptors.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

// Set on the server's own threads so Shutdown() can refuse to join the thread it runs on.
thread_local const void* t_owning_server = nullptr;

void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

Result<tcp::endpoint> ResolveListenAddress(asio::io_context& ioc, const std::string& host,
                                           uint16_t port) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(
      host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return MakeError(ErrorCode::kInternalFailure,
                     fmt::format("cannot resolve listen address {}: {}", host,
                                 ec ? ec.message() : "no addresses"));
  }
  return results.begin()->endpoint();
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, RequestHandler& handler)
      : options_(std::move(options)), handler_(handler), log_(vigil::Logger("net")) {
    options_.io_threads = std::max(1, options_.io_threads);
    options_.worker_threads = std::max(1, options_.worker_threads);
    options_.max_connections = std::max<size_t>(1, options_.max_connections);
  }

  Status Start();
  void Shutdown(std::chrono::milliseconds drain_timeout);
  uint16_t port() const { return port_.load(); }

 private:
  enum class State { kNew, kRunning, kStopped };

  // Opens, binds and listens; returns the bound endpoint.
  Result<tcp::endpoint> Listen();
  asio::awaitable<void> AcceptLoop();
  // Adds a connection to the registry, or returns null when max_connections are open.
  std::shared_ptr<Connection> Register(tcp::socket& socket);
  void OnClosed(Connection* conn);
  // Posts `fn(conn)` to the strand of every live connection.
  template <typename Fn>
  void ForEachConnection(Fn fn);
  // Waits until every connection and the accept loop are gone, or until `deadline`.
  bool WaitForConnections(std::chrono::steady_clock::time_point deadline);
  void StopThreads(bool drained);

  ServerOptions options_;
  RequestHandler& handler_;
  std::shared_ptr<spdlog::logger> log_;

  std::mutex lifecycle_mu_;  // serialises Start() and Shutdown()
  State state_ = State::kNew;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopping_{false};

  // The registry outlives the io_context: destroying unfinished coroutine frames calls OnClosed.
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> live_;  // guarded by mu_
  bool accepting_ = false;                                             // guarded by mu_
  int running_io_threads_ = 0;                                         // guarded by mu_
  bool over_limit_logged_ = false;  // only touched by the accept loop

  // Declared after the registry (destroyed before it), and the worker pool after the I/O context:
  // worker jobs hold coroutine handlers whose sockets belong to `ioc_`.
  std::optional<asio::io_context> ioc_;
  std::optional<asio::strand<asio::io_context::executor_type>> accept_strand_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> io_work_;
  std::optional<asio::io_context> workers_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> worker_work_;
  std::vector<std::thread> io_threads_;
  std::vector<std::thread> worker_threads_;
  internal::SessionEnv env_;
};

Status HttpServer::Impl::Start() {
  std::lock_guard lifecycle(lifecycle_mu_);
  if (state_ != State::kNew) {
    return MakeError(ErrorCode::kInternalFailure, "HttpServer::Start may be called only once");
  }
  ioc_.emplace(options_.io_threads);
  accept_strand_.emplace(asio::make_strand(*ioc_));
  acceptor_.emplace(*accept_strand_);
  auto bound = Listen();
  if (!bound.ok()) {
    state_ = State::kStopped;
    return std::move(bound).error();
  }
  port_ = bound->port();

  workers_.emplace(options_.worker_threads);
  worker_work_.emplace(workers_->get_executor());
  io_work_.emplace(ioc_->get_executor());
  env_ = internal::SessionEnv{
      .options = &options_,
      .handler = &handler_,
      .workers = &*workers_,
      .stopping = &stopping_,
      .log = log_,
      .on_closed = [this](Connection* conn) { OnClosed(conn); },
  };

  for (int i = 0; i < options_.worker_threads; ++i) {
    worker_threads_.emplace_back([this] {
      NameThisThread("vigil-net-work");
      t_owning_server = this;
      workers_->run();
    });
  }
  {
    std::lock_guard lock(mu_);
    accepting_ = true;
    running_io_threads_ = options_.io_threads;
  }
  asio::co_spawn(*accept_strand_, AcceptLoop(), [this](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log_->error("accept loop failed: {}", ex.what());
      }
    }
    std::lock_guard lock(mu_);
    accepting_ = false;
    cv_.notify_all();
  });
  for (int i = 0; i < options_.io_threads; ++i) {
    io_threads_.emplace_back([this] {
      NameThisThread("vigil-net-io");
      t_owning_server = this;
      ioc_->run();
      std::lock_guard lock(mu_);
      --running_io_threads_;
      cv_.notify_all();
    });
  }
  state_ = State::kRunning;
  log_->info("listening on {}:{} ({} I/O threads, {} workers)", bound->address().to_string(),
             bound->port(), options_.io_threads, options_.worker_threads);
  return OkStatus();
}

Result<tcp::endpoint> HttpServer::Impl::Listen() {
  auto endpoint = ResolveListenAddress(*ioc_, options_.host, options_.port);
  RETURN_IF_ERROR(endpoint);
  boost::system::error_code ec;
  const auto fail = [&](const char* what) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    return MakeError(ErrorCode::kInternalFailure,
                     fmt::format("cannot listen on {}:{}: {} failed: {}", options_.host,
                                 options_.port, what, ec.message()));
  };
  if (acceptor_->open(endpoint->protocol(), ec); ec) return fail("open");
  if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return fail("SO_REUSEADDR");
  }
  if (acceptor_->bind(*endpoint, ec); ec) return fail("bind");
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen");
  tcp::endpoint bound = acceptor_->local_endpoint(ec);
  if (ec) return fail("getsockname");
  return bound;
}

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  using asio::redirect_error;
  using asio::use_awaitable;
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket(asio::make_strand(*ioc_));
    co_await acceptor_->async_accept(socket, redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) break;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
          ec == asio::error::no_memory) {
        log_->warn("accept failed ({}); pausing accepts for {} ms", ec.message(),
                   kAcceptBackoff.count());
        asio::steady_timer timer(co_await asio::this_coro::executor, kAcceptBackoff);
        co_await timer.async_wait(redirect_error(use_awaitable, ec));
      } else {
        log_->debug("accept failed: {}", ec.message());
      }
      continue;
    }
    auto conn = Register(socket);
    if (!conn) {
      // Over max_connections: close at once (the client sees EOF or a reset and retries).
      if (!over_limit_logged_) {
        log_->warn("max_connections ({}) reached; closing new connections until one ends",
                   options_.max_connections);
        over_limit_logged_ = true;
      }
      socket.close(ec);
      continue;
    }
    over_limit_logged_ = false;
    socket.set_option(tcp::no_delay(true), ec);
    // Named, not a temporary in this coroutine's expression (g++ 12 lambda bug, docs/net.md).
    auto on_done = [log = log_](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log->error("connection coroutine failed: {}", ex.what());
      }
    };
    auto executor = conn->executor;
    asio::co_spawn(executor, internal::RunSession(env_, std::move(conn), std::move(socket)),
                   std::move(on_done));
  }
}

std::shared_ptr<Connection> HttpServer::Impl::Register(tcp::socket& socket) {
  std::lock_guard lock(mu_);
  if (live_.size() >= options_.max_connections) return nullptr;
  auto conn = std::make_shared<Connection>(socket.get_executor());
  live_.emplace(conn.get(), conn);
  return conn;
}

void HttpServer::Impl::OnClosed(Connection* conn) {
  std::lock_guard lock(mu_);
  live_.erase(conn);
  cv_.notify_all();
}

template <typename Fn>
void HttpServer::Impl::ForEachConnection(Fn fn) {
  std::lock_guard lock(mu_);
  for (const auto& [raw, conn] : live_) {
    asio::post(conn->executor, [conn = conn, fn] { fn(*conn); });
  }
}

bool HttpServer::Impl::WaitForConnections(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, deadline, [this] { return live_.empty() && !accepting_; });
}

void HttpServer::Impl::Shutdown(std::chrono::milliseconds drain_timeout) {
  if (t_owning_server == this) {
    log_->error("HttpServer::Shutdown called from one of its own threads; ignored");
    return;
  }
  std::lock_guard lifecycle(lifecycle_mu_);
  if (state_ != State::kRunning) return;
  log_->info("shutting down (drain timeout {} ms)", drain_timeout.count());
  // Order matters: sessions registered after the walk below see `stopping_` on their own.
  stopping_ = true;
  asio::post(*accept_strand_, [this] {
    boost::system::error_code ec;
    acceptor_->close(ec);
  });
  ForEachConnection([](Connection& conn) {
    conn.draining = true;
    if (conn.phase == Phase::kWaiting && conn.socket != nullptr) {
      boost::system::error_code ec;
      conn.socket->cancel(ec);
    }
  });

  bool drained = WaitForConnections(std::chrono::steady_clock::now() + drain_timeout);
  if (!drained) {
    size_t left = 0;
    {
      std::lock_guard lock(mu_);
      left = live_.size();
    }
    log_->warn("drain timeout: closing {} connection(s) still open", left);
    ForEachConnection([](Connection& conn) {
      if (conn.socket == nullptr) return;
      boost::system::error_code ec;
      conn.socket->shutdown(tcp::socket::shutdown_both, ec);
      conn.socket->close(ec);
    });
    drained = WaitForConnections(std::chrono::steady_clock::now() + kForceCloseGrace);
  }
  StopThreads(drained);
  state_ = State::kStopped;
  log_->info("stopped");
}

void HttpServer::Impl::StopThreads(bool drained) {
  io_work_.reset();
  bool io_idle = false;
  if (drained) {
    std::unique_lock lock(mu_);
    io_idle = cv_.wait_for(lock, kIoWindDown, [this] { return running_io_threads_ == 0; });
  }
  // Not drained: a session is stuck in a handler. Stop now; it is resumed below once the workers
  // are joined.
  if (!io_idle) ioc_->stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  // Worker jobs already queued still run (their results go to the stopped io_context and are
  // dropped); a handler that never returns blocks here, see docs/net.md.
  worker_work_.reset();
  for (auto& t : worker_threads_) t.join();
  worker_threads_.clear();
  if (!io_idle) {
    // Let sessions that were stuck in a handler resume on this thread: their sockets are closed,
    // so they fail fast and unwind instead of leaking with the io_context.
    ioc_->restart();
    ioc_->poll();
  }
}

HttpServer::HttpServer(ServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() { Shutdown(); }

Status HttpServer::Start() { return impl_->Start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(std::chrono::milliseconds drain_timeout) {
  impl_->Shutdown(drain_timeout);
}

}  // namespace vigil::net
