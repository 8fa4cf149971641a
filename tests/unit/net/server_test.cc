// HttpServer basics: request/response mapping, keep-alive, threads, concurrency, binding.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net_test_util.h"

namespace vigil::net::testing {
namespace {

TEST_F(ServerTest, ReportsTheEphemeralPortItBound) {
  StartServer();
  TestClient client(port());
  EXPECT_TRUE(client.connected());
}

TEST_F(ServerTest, MapsTheRequestAndFramesTheResponse) {
  StartServer();
  TestClient client(port());
  auto response = client.RoundTrip(
      {.method = "POST",
       .target = "/a/b?Action=X&y=%20z",
       .headers = {{"X-Custom-Header", "Some Value"}, {"x-dup", "1"}, {"X-Dup", "2"}},
       .body = "hello"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->Header("content-length"), "5");
  EXPECT_EQ(response->Header("server"), "vigil");
  EXPECT_TRUE(response->keep_alive);

  const auto seen = handler_.seen();
  ASSERT_EQ(seen.size(), 1u);
  const HttpRequest& request = seen[0].request;
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/a/b?Action=X&y=%20z");
  EXPECT_EQ(request.Path(), "/a/b");
  EXPECT_EQ(request.Header("x-custom-header"), "Some Value");
  EXPECT_EQ(request.Header("host"), "test");
  EXPECT_EQ(request.body, "hello");
  EXPECT_EQ(request.body_status, BodyStatus::kOk);
  EXPECT_EQ(request.wire_body_bytes, 5u);
  EXPECT_EQ(request.remote, "127.0.0.1:" + std::to_string(client.local_port()));
  int dups = 0;
  for (const auto& [name, value] : request.headers) {
    EXPECT_EQ(name, [&] {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower;
    }());
    if (name == "x-dup") ++dups;
  }
  EXPECT_EQ(dups, 2);
}

TEST_F(ServerTest, HandlerHeadersAndStatusPassThroughButFramingIsOurs) {
  handler_.behavior = [](const HttpRequest&) {
    HttpResponse response;
    response.status = 404;
    response.SetHeader("Content-Type", "text/xml");
    response.SetHeader("Content-Length", "9999");  // must be replaced
    response.SetHeader("x-amzn-RequestId", "abc");
    response.body = "<missing/>";
    return response;
  };
  StartServer();
  TestClient client(port());
  auto response = client.RoundTrip({.target = "/", .body = "x"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Header("content-type"), "text/xml");
  EXPECT_EQ(response->Header("x-amzn-requestid"), "abc");
  EXPECT_EQ(response->Header("content-length"), "10");
  EXPECT_EQ(response->body, "<missing/>");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  TestClient client(port());
  for (int i = 0; i < 3; ++i) {
    auto response = client.RoundTrip({.body = "req" + std::to_string(i)});
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->body, "req" + std::to_string(i));
    EXPECT_TRUE(response->keep_alive);
  }
  const auto seen = handler_.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].request.remote, seen[2].request.remote);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client.SendRaw(Serialize({.body = "first"}) + Serialize({.body = "second"}) +
                             Serialize({.method = "GET", .target = "/third"})));
  auto a = client.Read();
  auto b = client.Read();
  auto c = client.Read();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->body, "first");
  EXPECT_EQ(b->body, "second");
  EXPECT_EQ(c->body, "");
  EXPECT_EQ(handler_.seen().at(2).request.target, "/third");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestClient client(port());
  auto response = client.RoundTrip({.body = "bye", .close = true});
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->keep_alive);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
}

TEST_F(ServerTest, HandlerCanAskToClose) {
  handler_.behavior = [](const HttpRequest&) {
    HttpResponse response;
    response.close = true;
    return response;
  };
  StartServer();
  TestClient client(port());
  auto response = client.RoundTrip({.body = "x"});
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->keep_alive);
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  StartServer();
  {
    TestClient client(port());
    ASSERT_TRUE(client.SendRaw("GET /old HTTP/1.0\r\n\r\n"));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_FALSE(response->keep_alive);
    EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  }
  {
    TestClient client(port());
    const std::string request = "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    ASSERT_TRUE(client.SendRaw(request));
    auto first = client.Read();
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->keep_alive);
    EXPECT_EQ(first->Header("connection"), "keep-alive");
    ASSERT_TRUE(client.SendRaw(request));
    EXPECT_TRUE(client.Read());
  }
}

TEST_F(ServerTest, HeadResponseCarriesLengthButNoBody) {
  handler_.behavior = [](const HttpRequest&) {
    HttpResponse response;
    response.body = "hello";
    return response;
  };
  StartServer();
  TestClient client(port());
  ASSERT_TRUE(client.Send({.method = "HEAD", .target = "/"}));
  auto head = client.Read(kDeadline, /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("content-length"), "5");
  EXPECT_EQ(head->body, "");
  auto next = client.RoundTrip({.method = "GET", .target = "/"});  // framing still in sync
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, HandlerRunsOnWorkerThreadsNeverOnIoThreads) {
  StartServer();
  TestClient client(port());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.RoundTrip({.body = "x"}));
  for (const auto& seen : handler_.seen()) EXPECT_EQ(seen.thread_name, "vigil-net-work");
}

TEST_F(ServerTest, IoThreadKeepsServingWhileTheOnlyWorkerIsBlocked) {
  BlockOn("/block");
  ServerOptions options = DefaultOptions();
  options.io_threads = 1;
  options.worker_threads = 1;
  StartServer(options);

  TestClient blocked(port());
  ASSERT_TRUE(blocked.Send({.target = "/block", .body = "x"}));
  ASSERT_TRUE(entered_.WaitFor(kDeadline));

  // The single I/O thread still accepts, parses and answers what needs no handler.
  TestClient garbage(port());
  ASSERT_TRUE(garbage.SendRaw("this is not http\r\n\r\n"));
  auto rejected = garbage.Read();
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 400);

  TestClient expecting(port());
  ASSERT_TRUE(expecting.SendRaw(
      "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto cont = expecting.Read();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);

  release_.Open();
  auto response = blocked.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerTest, HandlerExceptionBecomesAnEmpty500) {
  handler_.behavior = [](const HttpRequest& request) -> HttpResponse {
    if (request.target == "/throw") throw std::runtime_error("boom");
    return HttpResponse{};
  };
  StartServer();
  TestClient client(port());
  auto failed = client.RoundTrip({.target = "/throw", .body = "x"});
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body, "");
  auto next = client.RoundTrip({.target = "/fine", .body = "x"});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, ConcurrentClients) {
  StartServer();
  constexpr int kClients = 8;
  constexpr int kRequests = 200;
  std::vector<std::thread> threads;
  std::vector<int> failures(kClients, 0);
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      TestClient client(port());
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = "client" + std::to_string(c) + "-request" + std::to_string(i);
        auto response = client.RoundTrip({.body = body});
        if (!response || response->status != 200 || response->body != body) ++failures[c];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int c = 0; c < kClients; ++c) EXPECT_EQ(failures[c], 0) << "client " << c;
  EXPECT_EQ(handler_.count(), static_cast<size_t>(kClients * kRequests));
}

TEST_F(ServerTest, StartFailsWhenThePortIsTaken) {
  StartServer();
  RecordingHandler other_handler;
  ServerOptions options = DefaultOptions();
  options.port = port();
  HttpServer other(options, other_handler);
  const Status status = other.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternalFailure);
  EXPECT_NE(status.error().message.find(std::to_string(port())), std::string::npos);
}

TEST_F(ServerTest, StartFailsOnAnAddressThisHostDoesNotHave) {
  ServerOptions options = DefaultOptions();
  options.host = "203.0.113.7";  // TEST-NET-3, never local
  HttpServer server(options, handler_);
  const Status status = server.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInternalFailure);
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerOptions options = DefaultOptions();
  options.max_connections = 1;
  StartServer(options);
  auto first = std::make_unique<TestClient>(port());
  ASSERT_TRUE(first->RoundTrip({.body = "x"}));  // registered for sure

  TestClient second(port());
  second.SendRaw(Serialize({.body = "y"}));  // may fail: the server may have closed already
  std::string received;
  EXPECT_EQ(second.WaitForClose(kDeadline, &received), WaitResult::kClosed);
  EXPECT_EQ(received, "");
  ASSERT_TRUE(first->RoundTrip({.body = "still served"}));

  // Once the first connection is gone a new one is served (the server notices the close
  // asynchronously, so retry until then).
  first->Close();
  first.reset();
  bool served = false;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    TestClient third(port());
    served = third.RoundTrip({.body = "z"}).has_value();
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace vigil::net::testing
