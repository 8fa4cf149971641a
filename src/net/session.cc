// The connection coroutine (style.md §8): one straight-line loop per connection that waits for a
// request, reads it under one deadline with header and body limits, hops to the worker pool for
// decoding and the handler, and writes the response. The only translation unit with Beast.
#include "net/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "net/body_decoder.h"
#include "net/run_on_workers.h"

namespace vigil::net::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// First read of an idle connection.
constexpr size_t kReadChunk = 16 * 1024;
// Lingering close (after a response we close on): read and discard what the client still sends,
// so that unread bytes in our receive queue do not make the kernel answer with a RST that would
// destroy the response before the client reads it.
constexpr std::chrono::milliseconds kLingerTime{3000};
constexpr size_t kLingerBytes = 16 * 1024 * 1024;

using Parser = http::request_parser<http::string_body>;

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

auto Redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), LowerAscii);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return LowerAscii(x) == LowerAscii(y); });
}

std::string PeerOf(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  if (peer.address().is_v6()) {
    return fmt::format("[{}]:{}", peer.address().to_string(), peer.port());
  }
  return fmt::format("{}:{}", peer.address().to_string(), peer.port());
}

// Errors that mean "the client's bytes are not HTTP" (as opposed to EOF, timeouts and resets).
bool IsMalformed(const error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more;
}

bool IsHeaderTooLarge(const error_code& ec) {
  return ec == http::error::header_limit || ec == http::error::buffer_overflow;
}

// Calls the handler; anything it throws becomes an empty 500 (it should not throw).
HttpResponse CallHandler(RequestHandler& handler, const HttpRequest& request, spdlog::logger& log) {
  try {
    return handler.Handle(request);
  } catch (const std::exception& e) {
    log.error("request handler threw for {} {}: {}", request.method, request.target, e.what());
  } catch (...) {
    log.error("request handler threw a non-exception for {} {}", request.method, request.target);
  }
  HttpResponse failure;
  failure.status = 500;
  return failure;
}

// Turns the handler's response into wire form and writes it under `timeout`.
asio::awaitable<error_code> WriteResponse(beast::tcp_stream& stream, HttpResponse response,
                                          unsigned version, bool head, bool keep_alive,
                                          std::chrono::milliseconds timeout) {
  http::response<http::string_body> out;
  out.version(version);
  const int status = (response.status >= 100 && response.status <= 999) ? response.status : 500;
  out.result(static_cast<unsigned>(status));
  bool has_server = false;
  for (auto& [name, value] : response.headers) {
    // Framing and persistence are ours to decide.
    if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
        EqualsIgnoreCase(name, "connection")) {
      continue;
    }
    has_server = has_server || EqualsIgnoreCase(name, "server");
    out.insert(name, value);
  }
  if (!has_server) out.set(http::field::server, "vigil");
  const bool bodiless = status < 200 || status == 204 || status == 304;
  if (bodiless) {
    response.body.clear();
  } else {
    out.content_length(response.body.size());
    if (!head) out.body() = std::move(response.body);
  }
  out.keep_alive(keep_alive);
  error_code ec;
  stream.expires_after(timeout);
  co_await http::async_write(stream, out, Redirect(ec));
  co_return ec;
}

// Answers a request net could not parse, without calling the handler.
asio::awaitable<error_code> WriteProtocolError(beast::tcp_stream& stream, int status,
                                               std::chrono::milliseconds timeout) {
  HttpResponse response;
  response.status = status;
  co_return co_await WriteResponse(stream, std::move(response), 11, false, false, timeout);
}

// Half-closes our side, then reads and discards (bounded in time and bytes) until the client
// closes, so it reads our last response instead of receiving a reset.
asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream.expires_after(kLingerTime);
  std::array<char, 8192> scratch;
  size_t discarded = 0;
  while (discarded < kLingerBytes) {
    discarded += co_await stream.async_read_some(asio::buffer(scratch), Redirect(ec));
    if (ec) break;
  }
}

void Close(beast::tcp_stream& stream) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream.socket().close(ec);
}

// Runs on_closed when the session ends, however it ends.
class SessionExit {
 public:
  SessionExit(const SessionEnv& env, std::shared_ptr<Connection> conn)
      : env_(env), conn_(std::move(conn)) {}
  ~SessionExit() {
    conn_->socket = nullptr;
    env_.on_closed(conn_.get());
  }
  SessionExit(const SessionExit&) = delete;
  SessionExit& operator=(const SessionExit&) = delete;

 private:
  const SessionEnv& env_;
  std::shared_ptr<Connection> conn_;
};

}  // namespace

asio::awaitable<void> RunSession(const SessionEnv& env, std::shared_ptr<Connection> conn,
                                 tcp::socket socket) {
  SessionExit exit(env, conn);
  const ServerOptions& opt = *env.options;
  spdlog::logger& log = *env.log;
  const std::string remote = PeerOf(socket);
  beast::tcp_stream stream(std::move(socket));
  conn->socket = &stream.socket();
  beast::flat_buffer buffer;
  std::string_view why = "client closed";
  log.debug("{}: connected", remote);

  for (;;) {
    error_code ec;
    // 1. Wait for the first byte of the next request under the idle timeout. A pipelined request
    //    may already be buffered. Shutdown cancels this wait (phase kWaiting).
    if (buffer.size() == 0) {
      conn->phase = Phase::kWaiting;
      if (conn->draining || env.stopping->load()) {
        why = "server shutting down";
        break;
      }
      stream.expires_after(opt.idle_timeout);
      const size_t n = co_await stream.async_read_some(buffer.prepare(kReadChunk), Redirect(ec));
      buffer.commit(n);
      if (ec) {
        why = ec == beast::error::timeout            ? "idle timeout"
              : ec == asio::error::operation_aborted ? "server shutting down"
              : ec == asio::error::eof               ? "client closed"
                                                     : "read error";
        break;
      }
    }
    conn->phase = Phase::kBusy;

    // 2. Read the request: header, then body, all under one read_timeout from its first byte.
    stream.expires_after(opt.read_timeout);
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(opt.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    // The body limit is checked below, once every header field is known. (Not boost::none: Beast
    // 1.74 compares Content-Length against the optional and then rejects every body.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    co_await http::async_read_header(stream, buffer, parser, Redirect(ec));
    if (ec) {
      if (IsHeaderTooLarge(ec) || IsMalformed(ec)) {
        const int status = IsHeaderTooLarge(ec) ? 431 : 400;
        log.debug("{}: unreadable request header ({}); answering {}", remote, ec.message(), status);
        if (!co_await WriteProtocolError(stream, status, opt.write_timeout)) {
          co_await LingeringClose(stream);
        }
        why = "malformed request";
      } else {
        why = ec == beast::error::timeout ? "read timeout" : "client closed mid-request";
      }
      break;
    }

    HttpRequest request;
    request.remote = remote;
    bool too_large = false;
    if (auto length = parser.content_length(); length && *length > opt.max_body_bytes) {
      too_large = true;  // do not read it; answer at once, even to `Expect: 100-continue`
      request.wire_body_bytes = static_cast<size_t>(*length);
    } else if (!parser.is_done()) {
      const auto& header = parser.get();
      if (header.version() >= 11 &&
          EqualsIgnoreCase(View(header[http::field::expect]), "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                   Redirect(ec));
        if (ec) {
          why = "write error";
          break;
        }
      }
      parser.body_limit(opt.max_body_bytes);
      co_await http::async_read(stream, buffer, parser, Redirect(ec));
      if (ec == http::error::body_limit) {
        too_large = true;  // a chunked body grew past the limit
        request.wire_body_bytes = parser.get().body().size();
      } else if (ec) {
        if (IsMalformed(ec)) {
          if (!co_await WriteProtocolError(stream, 400, opt.write_timeout)) {
            co_await LingeringClose(stream);
          }
          why = "malformed request body";
        } else {
          why = ec == beast::error::timeout ? "read timeout" : "client closed mid-request";
        }
        break;
      }
    }

    auto& message = parser.get();
    const unsigned version = message.version();
    const bool head = message.method() == http::verb::head;
    const bool client_keep_alive = message.keep_alive();
    request.method = std::string(View(message.method_string()));
    request.target = std::string(View(message.target()));
    for (const auto& field : message) {
      request.headers.emplace_back(Lowered(View(field.name_string())),
                                   std::string(View(field.value())));
    }
    if (too_large) {
      request.body_status = BodyStatus::kTooLarge;
    } else {
      request.body = std::move(message.body());
      request.wire_body_bytes = request.body.size();
    }

    // 3. The one hop: decoding (gzip) and the handler run on the worker pool.
    // The job is a named local on purpose: g++ 12 double-destroys a capturing lambda that is a
    // temporary inside a co_await expression (see docs/net.md).
    auto job = [&env, request = std::move(request)]() mutable {
      if (request.body_status == BodyStatus::kOk) {
        request.body_status = DecodeBody(request.Header("content-encoding"),
                                         env.options->max_inflated_bytes, request.body);
      }
      auto response = CallHandler(*env.handler, request, *env.log);
      env.log->debug("{}: {} {} -> {} ({} bytes in, {} out)", request.remote, request.method,
                     request.target, response.status, request.wire_body_bytes,
                     response.body.size());
      return response;
    };
    HttpResponse response = co_await RunOnWorkers(env.workers->get_executor(), std::move(job));

    // 4. Write the response; close after it if either side asked, a body was left unread, or the
    //    server is shutting down.
    const bool keep_alive = client_keep_alive && !response.close && !too_large && !conn->draining &&
                            !env.stopping->load();
    ec = co_await WriteResponse(stream, std::move(response), version, head, keep_alive,
                                opt.write_timeout);
    if (ec) {
      why = ec == beast::error::timeout ? "write timeout" : "write error";
      break;
    }
    if (!keep_alive) {
      why = too_large ? "body too large" : "closed after response";
      co_await LingeringClose(stream);
      break;
    }
  }
  Close(stream);
  log.debug("{}: closed ({})", remote, why);
}

}  // namespace vigil::net::internal
