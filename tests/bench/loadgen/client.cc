#include "loadgen/client.h"

// clang-format off
#include <utility>  // first: Boost 1.74's awaitable.hpp uses std::exchange without including it
// clang-format on
#include <algorithm>
#include <boost/asio.hpp>
#include <charconv>
#include <mutex>
#include <string_view>
#include <thread>

namespace vigil::loadgen {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Answer {
  int status = 0;
  bool close = false;
  std::string body;
  std::string status_line;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Parses a response head; sets content_length = -1 when the body runs to EOF.
bool ParseHead(std::string_view head, Answer& a, int64_t& content_length) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  a.status_line = std::string(line);
  if (!line.starts_with("HTTP/1.") || line.size() < 12) return false;
  bool http10 = line[7] == '0';
  if (std::from_chars(line.data() + 9, line.data() + 12, a.status).ec != std::errc()) return false;
  content_length = -1;
  bool keep_alive = !http10;
  for (size_t p = eol + 2; p < head.size();) {
    size_t e = head.find("\r\n", p);
    if (e == std::string_view::npos) e = head.size();
    std::string_view h = head.substr(p, e - p);
    p = e + 2;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = Trim(h.substr(0, colon)), value = Trim(h.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-length")) {
      std::from_chars(value.data(), value.data() + value.size(), content_length);
    } else if (EqualsIgnoreCase(name, "connection")) {
      if (EqualsIgnoreCase(value, "close")) keep_alive = false;
      if (EqualsIgnoreCase(value, "keep-alive")) keep_alive = true;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      return false;  // neither vigil nor moto answers chunked; not needed here
    }
  }
  if (a.status == 204 || a.status == 304) content_length = 0;
  a.close = !keep_alive || content_length < 0;
  return true;
}

struct Shared {
  const RunOptions& opt;
  const NextRequest& next;
  Clock::time_point start, measure_from, deadline;
  std::atomic<int64_t> issued{0};
  std::mutex mu;
  RunResult total;

  std::shared_ptr<const Request> Next(int64_t& index) {
    if (opt.duration_s > 0 && Clock::now() >= deadline) return nullptr;
    index = issued.fetch_add(1);
    if (opt.requests > 0 && index >= opt.requests) return nullptr;
    return next(index);
  }
};

asio::awaitable<void> Connection(Shared& sh) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  boost::system::error_code ec;
  auto endpoints =
      co_await resolver.async_resolve(sh.opt.endpoint.host, std::to_string(sh.opt.endpoint.port),
                                      asio::redirect_error(asio::use_awaitable, ec));
  RunResult mine;
  if (ec) {
    ++mine.transport_errors;
    mine.first_error = "resolve: " + ec.message();
  }
  tcp::socket sock(ex);
  bool connected = false;
  std::string buf;
  int64_t index = 0;
  std::shared_ptr<const Request> req = ec ? nullptr : sh.Next(index);
  while (req != nullptr) {
    const Clock::time_point t0 = Clock::now();
    Answer a;
    bool ok = true;
    if (!connected) {
      sock = tcp::socket(ex);
      co_await asio::async_connect(sock, endpoints, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) sock.set_option(tcp::no_delay(true), ec);
      connected = !ec;
      ok = connected;
      ++mine.reconnects;
      buf.clear();
    }
    if (ok) {
      co_await asio::async_write(sock, asio::buffer(req->bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
      ok = !ec;
    }
    int64_t content_length = 0;
    if (ok) {
      size_t n = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), "\r\n\r\n",
                                                 asio::redirect_error(asio::use_awaitable, ec));
      ok = !ec && ParseHead(std::string_view(buf.data(), n), a, content_length);
      if (ok) buf.erase(0, n);
    }
    if (ok && content_length >= 0) {
      if (buf.size() < static_cast<size_t>(content_length)) {
        co_await asio::async_read(
            sock, asio::dynamic_buffer(buf),
            asio::transfer_exactly(static_cast<size_t>(content_length) - buf.size()),
            asio::redirect_error(asio::use_awaitable, ec));
        ok = !ec;
      }
      if (ok) {
        a.body = buf.substr(0, static_cast<size_t>(content_length));
        buf.erase(0, static_cast<size_t>(content_length));
      }
    } else if (ok) {  // body to EOF
      co_await asio::async_read(sock, asio::dynamic_buffer(buf),
                                asio::redirect_error(asio::use_awaitable, ec));
      ok = ec == asio::error::eof;
      a.body = std::move(buf);
      buf.clear();
    }
    const Clock::time_point t1 = Clock::now();
    const bool counted = t0 >= sh.measure_from;
    if (!ok) {
      ++mine.transport_errors;
      if (mine.first_error.empty()) {
        mine.first_error =
            "transport: " + (ec ? ec.message() : "malformed answer " + a.status_line);
      }
      sock.close(ec);
      connected = false;
    } else {
      if (counted) {
        ++mine.requests;
        mine.latency_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        mine.bytes_sent += static_cast<int64_t>(req->body_bytes);
        if (a.status == 200) {
          ++mine.ok;
          mine.datums_acked += req->datums;
          if (sh.opt.keep_bodies) mine.bodies.push_back(std::move(a.body));
        } else {
          ++mine.status_errors[a.status];
        }
      }
      if (a.status != 200 && mine.first_error.empty()) {
        mine.first_error = a.status_line + ": " + a.body.substr(0, 400);
      }
      if (a.close) {
        sock.close(ec);
        connected = false;
      }
    }
    req = sh.Next(index);
  }
  if (connected) sock.close(ec);

  std::lock_guard<std::mutex> lock(sh.mu);
  RunResult& t = sh.total;
  t.requests += mine.requests;
  t.ok += mine.ok;
  t.datums_acked += mine.datums_acked;
  t.bytes_sent += mine.bytes_sent;
  t.transport_errors += mine.transport_errors;
  t.reconnects += mine.reconnects;
  for (auto [status, n] : mine.status_errors) t.status_errors[status] += n;
  if (t.first_error.empty()) t.first_error = mine.first_error;
  t.latency_us.insert(t.latency_us.end(), mine.latency_us.begin(), mine.latency_us.end());
  for (auto& b : mine.bodies) t.bodies.push_back(std::move(b));
}

}  // namespace

double RunResult::Percentile(double p) const {
  if (latency_us.empty()) return 0;
  std::vector<double> v = latency_us;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

int64_t RunResult::Errors() const {
  int64_t n = transport_errors;
  for (auto [status, count] : status_errors) n += count;
  return n;
}

RunResult Run(const RunOptions& opt, const NextRequest& next) {
  asio::io_context io(std::max(1, opt.threads));
  Shared sh{opt, next, {}, {}, {}, {}, {}, {}};
  sh.start = Clock::now();
  sh.measure_from = sh.start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(opt.warmup_s));
  sh.deadline = sh.measure_from + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(opt.duration_s));
  for (int i = 0; i < opt.connections; ++i) {
    asio::co_spawn(io, Connection(sh), asio::detached);
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < opt.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  const Clock::time_point end = Clock::now();
  sh.total.seconds =
      std::chrono::duration<double>(end - std::max(sh.measure_from, sh.start)).count();
  return std::move(sh.total);
}

}  // namespace vigil::loadgen
