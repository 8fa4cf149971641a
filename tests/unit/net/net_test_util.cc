#include "net_test_util.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace vigil::net::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

std::string Lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return out;
}

}  // namespace

std::string Serialize(const ClientRequest& request) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\nHost: test\r\n";
  bool has_length = false;
  for (const auto& [name, value] : request.headers) {
    const std::string lower = Lowered(name);
    has_length = has_length || lower == "content-length" || lower == "transfer-encoding";
    out += name + ": " + value + "\r\n";
  }
  if (!has_length && !request.body.empty()) {
    out += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  if (request.close) out += "Connection: close\r\n";
  out += "\r\n";
  out += request.body;
  return out;
}

std::string ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

bool ClientResponse::HasHeader(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return true;
  }
  return false;
}

struct TestClient::State {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  // Runs the pending operation until it completes (true) or the deadline passes, in which case
  // it is cancelled (the socket stays open) and false is returned.
  bool Run(std::chrono::milliseconds timeout, const bool& done) {
    ioc.restart();
    ioc.run_for(timeout);
    if (done) return true;
    error_code ec;
    socket.cancel(ec);
    ioc.restart();
    ioc.run();
    return false;
  }
};

TestClient::TestClient(uint16_t port) : state_(std::make_unique<State>()) {
  error_code ec;
  state_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  state_->connected = !ec;
}

TestClient::~TestClient() = default;

bool TestClient::connected() const { return state_->connected; }

uint16_t TestClient::local_port() const {
  error_code ec;
  return state_->socket.local_endpoint(ec).port();
}

bool TestClient::SendRaw(std::string_view bytes, std::chrono::milliseconds timeout) {
  bool done = false;
  error_code result;
  asio::async_write(state_->socket, asio::buffer(bytes.data(), bytes.size()),
                    [&](error_code ec, size_t) {
                      result = ec;
                      done = true;
                    });
  return state_->Run(timeout, done) && !result;
}

std::optional<ClientResponse> TestClient::Read(std::chrono::milliseconds timeout, bool head) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // not none: Beast 1.74 bug
  parser.skip(head);
  bool done = false;
  error_code result;
  http::async_read(state_->socket, state_->buffer, parser, [&](error_code ec, size_t) {
    result = ec;
    done = true;
  });
  if (!state_->Run(timeout, done) || result) return std::nullopt;
  auto& message = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    out.headers.emplace_back(Lowered({field.name_string().data(), field.name_string().size()}),
                             std::string(field.value().data(), field.value().size()));
  }
  out.body = std::move(message.body());
  out.keep_alive = message.keep_alive();
  return out;
}

std::optional<ClientResponse> TestClient::RoundTrip(const ClientRequest& request) {
  if (!Send(request)) return std::nullopt;
  return Read();
}

WaitResult TestClient::WaitForClose(std::chrono::milliseconds timeout, std::string* received) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (received != nullptr) {
    const auto data = state_->buffer.data();
    received->append(static_cast<const char*>(data.data()), data.size());
  }
  state_->buffer.clear();
  std::array<char, 16384> chunk;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return WaitResult::kTimeout;
    bool done = false;
    error_code result;
    size_t got = 0;
    state_->socket.async_read_some(asio::buffer(chunk), [&](error_code ec, size_t n) {
      result = ec;
      got = n;
      done = true;
    });
    if (!state_->Run(left, done)) return WaitResult::kTimeout;
    if (received != nullptr) received->append(chunk.data(), got);
    if (result) return WaitResult::kClosed;  // EOF or reset
  }
}

void TestClient::Close() {
  error_code ec;
  state_->socket.shutdown(tcp::socket::shutdown_both, ec);
  state_->socket.close(ec);
}

namespace {

// Streams `n` bytes produced by `fill` through a gzip deflater.
template <typename Fill>
std::string Deflate(size_t n, Fill fill) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  std::array<char, 64 * 1024> in_chunk;
  std::array<char, 64 * 1024> out_chunk;
  size_t fed = 0;
  int flush = Z_NO_FLUSH;
  do {
    const size_t step = std::min(in_chunk.size(), n - fed);
    fill(in_chunk.data(), fed, step);
    fed += step;
    flush = fed == n ? Z_FINISH : Z_NO_FLUSH;
    zs.next_in = reinterpret_cast<Bytef*>(in_chunk.data());
    zs.avail_in = static_cast<uInt>(step);
    do {
      zs.next_out = reinterpret_cast<Bytef*>(out_chunk.data());
      zs.avail_out = static_cast<uInt>(out_chunk.size());
      deflate(&zs, flush);
      out.append(out_chunk.data(), out_chunk.size() - zs.avail_out);
    } while (zs.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&zs);
  return out;
}

}  // namespace

std::string Gzip(std::string_view data) {
  return Deflate(data.size(), [data](char* dst, size_t offset, size_t n) {
    std::copy_n(data.data() + offset, n, dst);
  });
}

std::string GzipZeros(size_t n) {
  return Deflate(n, [](char* dst, size_t, size_t count) { std::fill_n(dst, count, '\0'); });
}

HttpResponse RecordingHandler::Handle(const HttpRequest& request) {
  std::array<char, 32> name{};
  pthread_getname_np(pthread_self(), name.data(), name.size());
  {
    std::lock_guard lock(mu_);
    seen_.push_back(Seen{request, name.data()});
  }
  if (behavior) return behavior(request);
  HttpResponse response;
  response.SetHeader("x-body-status", std::to_string(BodyStatusCode(request.body_status)));
  response.SetHeader("x-wire-bytes", std::to_string(request.wire_body_bytes));
  response.body = request.body;
  return response;
}

std::vector<RecordingHandler::Seen> RecordingHandler::seen() const {
  std::lock_guard lock(mu_);
  return seen_;
}

size_t RecordingHandler::count() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

ServerOptions ServerTest::DefaultOptions() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;
  options.worker_threads = 2;
  options.read_timeout = 10'000ms;
  options.idle_timeout = 10'000ms;
  options.write_timeout = 10'000ms;
  return options;
}

void ServerTest::BlockOn(std::string path) {
  handler_.behavior = [this, path = std::move(path)](const HttpRequest& request) {
    if (request.Path() == path) {
      entered_.Open();
      release_.Wait();
    }
    HttpResponse response;
    response.body = "done " + request.target;
    return response;
  };
}

void ServerTest::StartServer(ServerOptions options) {
  // VIGIL_NET_TEST_DEBUG=1 shows the server's per-connection debug lines.
  if (const char* debug = std::getenv("VIGIL_NET_TEST_DEBUG"); debug != nullptr && *debug == '1') {
    spdlog::set_level(spdlog::level::debug);
  }
  server_ = std::make_unique<HttpServer>(std::move(options), handler_);
  const Status status = server_->Start();
  ASSERT_TRUE(status.ok()) << status.error().message;
  ASSERT_NE(server_->port(), 0);
}

}  // namespace vigil::net::testing
