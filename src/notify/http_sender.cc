#include "notify/http_sender.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>

namespace vigil::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<ParsedUrl> ParseHttpUrl(std::string_view url) {
  ParsedUrl u;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    u.https = true;
  } else {
    return std::nullopt;
  }
  size_t slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (u.target.front() == '?') u.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && !authority.starts_with(":")) return std::nullopt;
    if (!authority.empty()) u.port = std::string(authority.substr(1));
  } else {
    size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) u.port = std::string(authority.substr(colon + 1));
  }
  if (u.host.empty()) return std::nullopt;
  if (u.port.empty()) u.port = u.https ? "443" : "80";
  for (char c : u.port) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (u.port.size() > 5 || std::stoi(u.port) == 0 || std::stoi(u.port) > 65535) return std::nullopt;
  return u;
}

class HttpSender::Impl {
 public:
  explicit Impl(std::chrono::milliseconds timeout)
      : timeout_(timeout),
        ssl_(asio::ssl::context::tls_client),
        work_(asio::make_work_guard(io_)),
        thread_([this] { io_.run(); }) {
    boost::system::error_code ec;
    ssl_.set_default_verify_paths(ec);
    ssl_.set_verify_mode(asio::ssl::verify_peer);
  }
  ~Impl() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  void Send(OutboundRequest request, std::function<void(OutboundResult)> done) {
    asio::co_spawn(io_, Exchange(std::move(request), std::move(done)), asio::detached);
  }

 private:
  asio::awaitable<void> Exchange(OutboundRequest request,
                                 std::function<void(OutboundResult)> done) {
    OutboundResult result = co_await Run(request);
    done(std::move(result));
  }

  asio::awaitable<OutboundResult> Run(const OutboundRequest& request) {
    auto url = ParseHttpUrl(request.url);
    if (!url) co_return OutboundResult{0, "not an http(s) URL: " + request.url};
    auto deadline = std::chrono::steady_clock::now() + timeout_;
    auto ex = co_await asio::this_coro::executor;
    boost::system::error_code ec;
    auto tok = asio::redirect_error(asio::use_awaitable, ec);

    // Resolve under the same deadline: a timer cancels the resolver.
    tcp::resolver resolver(ex);
    asio::steady_timer resolve_timer(ex, deadline);
    resolve_timer.async_wait([&resolver](boost::system::error_code timer_ec) {
      if (!timer_ec) resolver.cancel();
    });
    auto endpoints = co_await resolver.async_resolve(url->host, url->port, tok);
    resolve_timer.cancel();
    if (ec) co_return Failure(ec, deadline);

    http::request<http::string_body> req{http::verb::post, url->target, 11};
    req.set(http::field::host, url->host);
    req.set(http::field::user_agent, "Amazon Simple Notification Service Agent");
    req.set(http::field::connection, "close");
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.body() = request.body;
    req.prepare_payload();

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
    parser.header_limit(16 * 1024);

    if (!url->https) {
      beast::tcp_stream stream(ex);
      stream.expires_at(deadline);
      co_await stream.async_connect(endpoints, tok);
      if (ec) co_return Failure(ec, deadline);
      co_await http::async_write(stream, req, tok);
      if (ec) co_return Failure(ec, deadline);
      co_await http::async_read(stream, buffer, parser, tok);
      if (ec && ec != http::error::body_limit) co_return Failure(ec, deadline);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      co_return OutboundResult{static_cast<int>(parser.get().result_int()), ""};
    }

    beast::ssl_stream<beast::tcp_stream> stream(ex, ssl_);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str())) {
      co_return OutboundResult{0, "TLS: cannot set the server name"};
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
    beast::get_lowest_layer(stream).expires_at(deadline);
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, tok);
    if (ec) co_return Failure(ec, deadline);
    co_await stream.async_handshake(asio::ssl::stream_base::client, tok);
    if (ec) co_return Failure(ec, deadline);
    co_await http::async_write(stream, req, tok);
    if (ec) co_return Failure(ec, deadline);
    co_await http::async_read(stream, buffer, parser, tok);
    if (ec && ec != http::error::body_limit) co_return Failure(ec, deadline);
    co_return OutboundResult{static_cast<int>(parser.get().result_int()), ""};
  }

  static OutboundResult Failure(const boost::system::error_code& ec,
                                std::chrono::steady_clock::time_point deadline) {
    if (ec == beast::error::timeout || std::chrono::steady_clock::now() >= deadline) {
      return OutboundResult{0, "timed out"};
    }
    return OutboundResult{0, ec.message()};
  }

  std::chrono::milliseconds timeout_;
  asio::io_context io_;
  asio::ssl::context ssl_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

HttpSender::HttpSender(std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(timeout)) {}
HttpSender::~HttpSender() = default;

void HttpSender::Send(OutboundRequest request, std::function<void(OutboundResult)> done) {
  impl_->Send(std::move(request), std::move(done));
}

}  // namespace vigil::notify
