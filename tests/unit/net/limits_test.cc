// Header and body limits, 100-continue, Content-Encoding, and bytes that are not HTTP.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>

#include "net_test_util.h"

namespace vigil::net::testing {
namespace {

class LimitsTest : public ServerTest {
 protected:
  void SetUp() override {
    handler_.behavior = [](const HttpRequest& request) {
      HttpResponse response;
      response.SetHeader("x-body-status", std::to_string(BodyStatusCode(request.body_status)));
      response.SetHeader("x-wire-bytes", std::to_string(request.wire_body_bytes));
      if (request.body_status == BodyStatus::kTooLarge) {
        response.status = 413;
        response.body = "<Error><Code>RequestEntityTooLarge</Code></Error>";
      } else {
        response.body = request.body;
      }
      return response;
    };
    ServerOptions options = DefaultOptions();
    options.max_header_bytes = 8 * 1024;
    options.max_body_bytes = 256 * 1024;
    options.max_inflated_bytes = 1024 * 1024;
    StartServer(options);
  }

  static std::string Status(BodyStatus s) { return std::to_string(BodyStatusCode(s)); }
};

TEST_F(LimitsTest, BodyOverTheLimitReachesTheHandlerAndTheClientGetsItsAnswer) {
  TestClient client(port());
  const std::string big(4 * 1024 * 1024, 'b');  // far more than the socket buffers hold
  ASSERT_TRUE(client.Send({.body = big}));      // the server must keep reading or this fails
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->body, "<Error><Code>RequestEntityTooLarge</Code></Error>");
  EXPECT_FALSE(response->keep_alive);
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);

  const auto seen = handler_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request.body_status, BodyStatus::kTooLarge);
  EXPECT_EQ(seen[0].request.body, "");
  EXPECT_EQ(seen[0].request.wire_body_bytes, big.size());
}

TEST_F(LimitsTest, BodyAtTheLimitIsAccepted) {
  TestClient client(port());
  const std::string body(256 * 1024, 'k');
  auto response = client.RoundTrip({.body = body});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.size(), body.size());
  EXPECT_TRUE(response->keep_alive);
}

TEST_F(LimitsTest, TooLargeWithExpectContinueIsAnsweredWithoutReadingTheBody) {
  TestClient client(port());
  ASSERT_TRUE(client.SendRaw(
      "PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);  // no 100 Continue first
  EXPECT_FALSE(response->keep_alive);
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_EQ(handler_.seen().at(0).request.body_status, BodyStatus::kTooLarge);
}

TEST_F(LimitsTest, ExpectContinueGetsA100ThenTheFinalResponse) {
  TestClient client(port());
  const std::string body(2000, 'e');
  ASSERT_TRUE(
      client.SendRaw("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n"
                     "Expect: 100-continue\r\n\r\n"));
  auto cont = client.Read();
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->status, 100);
  EXPECT_EQ(handler_.count(), 0u);
  ASSERT_TRUE(client.SendRaw(body));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, body);
  EXPECT_TRUE(response->keep_alive);
}

TEST_F(LimitsTest, ChunkedBodyIsAssembled) {
  TestClient client(port());
  auto response = client.RoundTrip({.headers = {{"Transfer-Encoding", "chunked"}},
                                    .body = "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "hello world");
  EXPECT_TRUE(response->keep_alive);
}

TEST_F(LimitsTest, ChunkedBodyGrowingPastTheLimitIsTooLarge) {
  TestClient client(port());
  std::string chunked;
  const std::string chunk(16 * 1024, 'c');
  for (int i = 0; i < 32; ++i) chunked += "4000\r\n" + chunk + "\r\n";  // 512 KiB in all
  chunked += "0\r\n\r\n";
  ASSERT_TRUE(client.Send({.headers = {{"Transfer-Encoding", "chunked"}}, .body = chunked}));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_FALSE(response->keep_alive);
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  const auto seen = handler_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request.body_status, BodyStatus::kTooLarge);
  EXPECT_EQ(seen[0].request.body, "");
}

TEST_F(LimitsTest, GzipBodyIsInflated) {
  std::string original;
  for (int i = 0; i < 5000; ++i) original += "MetricData.member." + std::to_string(i) + "=1&";
  const std::string compressed = Gzip(original);
  TestClient client(port());
  for (const char* coding : {"gzip", "X-GZip"}) {
    auto response =
        client.RoundTrip({.headers = {{"Content-Encoding", coding}}, .body = compressed});
    ASSERT_TRUE(response) << coding;
    EXPECT_EQ(response->Header("x-body-status"), Status(BodyStatus::kOk));
    EXPECT_EQ(response->Header("x-wire-bytes"), std::to_string(compressed.size()));
    EXPECT_EQ(response->body, original);
  }
  // Headers are left as sent.
  EXPECT_EQ(handler_.seen().at(0).request.Header("content-encoding"), "gzip");
}

TEST_F(LimitsTest, IdentityEncodingLeavesTheBodyAlone) {
  TestClient client(port());
  auto response = client.RoundTrip({.headers = {{"Content-Encoding", "identity"}}, .body = "raw"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("x-body-status"), Status(BodyStatus::kOk));
  EXPECT_EQ(response->body, "raw");
}

TEST_F(LimitsTest, GzipBombStopsAtTheInflatedLimit) {
  const std::string bomb = GzipZeros(size_t{100} << 20);  // 100 MiB of zeros
  ASSERT_LT(bomb.size(), 256u * 1024);                    // fits the wire limit
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  TestClient client(port());
  auto response = client.RoundTrip({.headers = {{"Content-Encoding", "gzip"}}, .body = bomb});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("x-body-status"), Status(BodyStatus::kInflatedTooLarge));
  EXPECT_EQ(response->Header("x-wire-bytes"), std::to_string(bomb.size()));
  EXPECT_EQ(response->body, "");
  EXPECT_TRUE(response->keep_alive);
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 48 * 1024) << "KiB of peak memory growth";
}

TEST_F(LimitsTest, TruncatedGzipIsBadEncodingAndTheConnectionStaysUsable) {
  const std::string gz = Gzip(std::string(10000, 't'));
  TestClient client(port());
  auto response = client.RoundTrip(
      {.headers = {{"Content-Encoding", "gzip"}}, .body = gz.substr(0, gz.size() - 8)});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("x-body-status"), Status(BodyStatus::kBadEncoding));
  EXPECT_EQ(response->body, "");
  EXPECT_TRUE(response->keep_alive);
  auto next = client.RoundTrip({.body = "after"});
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "after");
}

TEST_F(LimitsTest, UnsupportedEncodingStillReachesTheHandler) {
  TestClient client(port());
  auto response = client.RoundTrip({.headers = {{"Content-Encoding", "br"}}, .body = "xyz"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("x-body-status"), Status(BodyStatus::kUnsupportedEncoding));
  EXPECT_EQ(response->Header("x-wire-bytes"), "3");
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(handler_.seen().at(0).request.Header("content-encoding"), "br");
}

TEST_F(LimitsTest, OversizedHeaderGets431AndClose) {
  TestClient client(port());
  ASSERT_TRUE(client.Send({.headers = {{"X-Big", std::string(16 * 1024, 'h')}}, .body = "x"}));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_FALSE(response->keep_alive);
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(LimitsTest, GarbageGets400AndClose) {
  for (std::string garbage : {std::string("HELLO\r\n\r\n"),
                              std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
                              std::string("GET / HTTP/1.1\r\nBad Header Line\r\n\r\n")}) {
    TestClient client(port());
    ASSERT_TRUE(client.SendRaw(garbage));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
    EXPECT_FALSE(response->keep_alive);
    EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  }
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(LimitsTest, BadChunkEncodingGets400) {
  TestClient client(port());
  ASSERT_TRUE(client.Send(
      {.headers = {{"Transfer-Encoding", "chunked"}}, .body = "zz\r\nhello\r\n0\r\n\r\n"}));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(client.WaitForClose(kDeadline), WaitResult::kClosed);
  EXPECT_EQ(handler_.count(), 0u);
}

TEST_F(LimitsTest, AbruptDisconnectsDoNotHurtTheServer) {
  for (int i = 0; i < 20; ++i) {
    TestClient client(port());
    client.SendRaw("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\npartial");
    client.Close();
  }
  TestClient client(port());
  auto response = client.RoundTrip({.body = "alive"});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "alive");
}

}  // namespace
}  // namespace vigil::net::testing
