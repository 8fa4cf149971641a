// Timeouts and shutdown. Waits are on conditions (gates, futures, reads with deadlines).
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "net_test_util.h"

namespace vigil::net::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

class TimeoutTest : public ServerTest {
 protected:
  void StartWith(std::chrono::milliseconds read, std::chrono::milliseconds idle) {
    ServerOptions options = DefaultOptions();
    options.read_timeout = read;
    options.idle_timeout = idle;
    StartServer(options);
  }
};

TEST_F(TimeoutTest, PartialHeaderHitsTheReadTimeout) {
  StartWith(200ms, 30'000ms);
  TestClient client(port());
  const auto start = Clock::now();
  ASSERT_TRUE(client.SendRaw("POST / HTTP/1.1\r\nHost: t\r\n"));
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_GE(Since(start), 150ms);
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(TimeoutTest, TrickledHeaderIsCutOffAtTheReadTimeout) {
  StartWith(300ms, 30'000ms);
  TestClient client(port());
  const auto start = Clock::now();
  ASSERT_TRUE(client.SendRaw("POST / HTTP/1.1\r\nHost: t\r\nX-Slow: "));
  bool closed = false;
  while (!closed && Since(start) < kDeadline) {
    // One byte every ~20 ms: far below any per-read timeout, but the request never ends.
    closed = !client.SendRaw("a") || client.WaitForClose(20ms) == WaitResult::kClosed;
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(Since(start), 250ms);
  EXPECT_LT(Since(start), 3000ms);
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(TimeoutTest, PartialBodyHitsTheReadTimeout) {
  StartWith(200ms, 30'000ms);
  TestClient client(port());
  ASSERT_TRUE(
      client.SendRaw("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789"));
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(TimeoutTest, IdleKeepAliveConnectionIsClosed) {
  StartWith(30'000ms, 200ms);
  TestClient client(port());
  ASSERT_TRUE(client.RoundTrip({.body = "x"}));
  const auto start = Clock::now();
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_GE(Since(start), 150ms);
}

TEST_F(TimeoutTest, ConnectionThatNeverSendsIsClosedAfterTheIdleTimeout) {
  StartWith(30'000ms, 200ms);
  TestClient client(port());
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
}

TEST_F(TimeoutTest, IdleTimeoutDoesNotCutARequestBeingRead) {
  StartWith(30'000ms, 200ms);
  TestClient client(port());
  ASSERT_TRUE(client.SendRaw("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab"));
  // Longer than the idle timeout, shorter than the read timeout: still open.
  EXPECT_EQ(client.WaitForClose(600ms), WaitResult::kTimeout);
  ASSERT_TRUE(client.SendRaw("cd"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "abcd");
}

class ShutdownTest : public ServerTest {
 protected:
  void SetUp() override { BlockOn("/block"); }
};

TEST_F(ShutdownTest, InFlightRequestFinishesAndIdleConnectionsClose) {
  StartServer();
  TestClient idle(port());
  ASSERT_TRUE(idle.RoundTrip({.target = "/quick", .body = "x"}));
  TestClient busy(port());
  ASSERT_TRUE(busy.Send({.target = "/block", .body = "x"}));
  ASSERT_TRUE(entered_.WaitFor(kDeadline));

  auto shutdown = std::async(std::launch::async, [this] { server_->Shutdown(10'000ms); });
  EXPECT_EQ(idle.WaitForClose(kDeadline), WaitResult::kClosed);
  // The in-flight request holds the shutdown.
  EXPECT_EQ(shutdown.wait_for(100ms), std::future_status::timeout);

  release_.Open();
  auto response = busy.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "done /block");
  EXPECT_FALSE(response->keep_alive);
  EXPECT_EQ(busy.WaitForClose(kDeadline), WaitResult::kClosed);
  busy.Close();  // the server lingers until the client closes too
  ASSERT_EQ(shutdown.wait_for(kDeadline), std::future_status::ready);

  TestClient late(port());
  EXPECT_FALSE(late.connected());
}

TEST_F(ShutdownTest, IdleConnectionsDoNotDelayShutdown) {
  StartServer();
  TestClient a(port());
  TestClient b(port());
  ASSERT_TRUE(a.RoundTrip({.body = "x"}));
  ASSERT_TRUE(b.RoundTrip({.body = "y"}));
  TestClient never_sent(port());
  const auto start = Clock::now();
  server_->Shutdown(10'000ms);
  EXPECT_LT(Since(start), 3000ms);
  EXPECT_EQ(a.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_EQ(b.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_EQ(never_sent.WaitForClose(kDeadline), WaitResult::kClosed);
}

TEST_F(ShutdownTest, DrainTimeoutClosesWhatIsLeft) {
  StartServer();
  TestClient busy(port());
  ASSERT_TRUE(busy.Send({.target = "/block", .body = "x"}));
  ASSERT_TRUE(entered_.WaitFor(kDeadline));
  auto shutdown = std::async(std::launch::async, [this] { server_->Shutdown(200ms); });
  // The handler is still blocked, but the connection is closed once the drain time is up.
  std::string received;
  EXPECT_EQ(busy.WaitForClose(kDeadline, &received), WaitResult::kClosed);
  EXPECT_EQ(received, "");
  // Workers are joined, so the shutdown waits for the handler to return.
  release_.Open();
  ASSERT_EQ(shutdown.wait_for(kDeadline), std::future_status::ready);
}

TEST_F(ShutdownTest, ShutdownIsIdempotentAndWorksBeforeStart) {
  HttpServer never_started(DefaultOptions(), handler_);
  never_started.Shutdown();
  StartServer();
  server_->Shutdown();
  server_->Shutdown();
  server_.reset();  // the destructor calls Shutdown once more
}

}  // namespace
}  // namespace vigil::net::testing
