// Protocol detection and operation extraction.
#include <gtest/gtest.h>

#include "unit/protocol/test_util.h"

namespace vigil::protocol {
namespace {

using namespace vigil::protocol::testing;  // NOLINT

TEST(ParseTest, ServiceConstants) {
  EXPECT_EQ(kCloudWatchService.json_target_prefix, "GraniteServiceVersion20100801");
  EXPECT_EQ(kCloudWatchService.cbor_service_name, "GraniteServiceVersion20100801");
  EXPECT_EQ(kCloudWatchService.query_version, "2010-08-01");
  EXPECT_EQ(kCloudWatchService.xml_namespace, "http://monitoring.amazonaws.com/doc/2010-08-01/");
  EXPECT_EQ(ProtocolName(Protocol::kQuery), "query");
  EXPECT_EQ(ProtocolName(Protocol::kJson10), "json");
  EXPECT_EQ(ProtocolName(Protocol::kRpcV2Cbor), "cbor");
}

TEST(ParseTest, Cbor) {
  HttpRequest r = CborRequest("GetMetricData", "");
  auto call = Parse(r, kCloudWatchService);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->protocol(), Protocol::kRpcV2Cbor);
  EXPECT_EQ((*call)->operation(), "GetMetricData");
  EXPECT_TRUE((*call)->query_mode());
  EXPECT_EQ((*call)->version(), "");
  // The path alone is enough.
  r.headers = {{"content-type", "application/cbor"}};
  call = Parse(r, kCloudWatchService);
  ASSERT_TRUE(call.ok());
  EXPECT_FALSE((*call)->query_mode());
  // The header alone is not: the operation comes from the path.
  r.target = "/";
  r.headers = {{"smithy-protocol", "rpc-v2-cbor"}};
  call = Parse(r, kCloudWatchService);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kInvalidAction);
  for (const char* bad : {"/service/Other/operation/GetMetricData",
                          "/service/GraniteServiceVersion20100801/operation/",
                          "/service/GraniteServiceVersion20100801/op/GetMetricData",
                          "/service/GraniteServiceVersion20100801/operation/A/B"}) {
    HttpRequest b = CborRequest("X", "");
    b.target = bad;
    auto c = Parse(b, kCloudWatchService);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidAction);
  }
  HttpRequest j = CborRequest("GetMetricData", "{}");
  j.headers[1].second = "application/json";
  call = Parse(j, kCloudWatchService);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kUnsupportedMediaType);
}

TEST(ParseTest, Json) {
  auto call = Parse(JsonRequest("PutMetricAlarm", "{}", false), kCloudWatchService);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->protocol(), Protocol::kJson10);
  EXPECT_EQ((*call)->operation(), "PutMetricAlarm");
  EXPECT_FALSE((*call)->query_mode());
  for (const char* target : {"Other.PutMetricAlarm", "GraniteServiceVersion20100801",
                             "GraniteServiceVersion20100801.", ""}) {
    HttpRequest r = JsonRequest("X", "{}");
    r.headers[0].second = target;
    auto c = Parse(r, kCloudWatchService);
    ASSERT_FALSE(c.ok()) << target;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidAction);
    EXPECT_EQ(c.error().message,
              "The action or operation requested is invalid. Verify that the action is typed "
              "correctly.");
  }
  HttpRequest r = JsonRequest("X", "{}");
  r.headers[1].second = "text/plain";
  call = Parse(r, kCloudWatchService);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kUnsupportedMediaType);
  r.headers[1].second = "application/x-amz-json-1.0; charset=utf-8";
  EXPECT_TRUE(Parse(r, kCloudWatchService).ok());
}

TEST(ParseTest, Query) {
  HttpRequest r = QueryRequest("Action=ListMetrics&Version=2010-03-31");
  r.headers.emplace_back("x-amzn-query-mode", "TRUE");
  auto call = Parse(r, kCloudWatchService);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->protocol(), Protocol::kQuery);
  EXPECT_EQ((*call)->operation(), "ListMetrics");
  EXPECT_EQ((*call)->version(), "2010-03-31");
  EXPECT_TRUE((*call)->query_mode());
  // Parse does not check that the operation exists.
  call = Parse(QueryRequest("Action=NoSuchThing"), kCloudWatchService);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->operation(), "NoSuchThing");
  // A form without the content type is still a form; JSON without a target is not.
  HttpRequest untyped;
  untyped.method = "POST";
  untyped.target = "/";
  untyped.body = "Action=DescribeAlarms";
  EXPECT_TRUE(Parse(untyped, kCloudWatchService).ok());
  untyped.body = R"({"Action":"x"})";
  call = Parse(untyped, kCloudWatchService);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kUnsupportedMediaType);
  // POST with an empty body and a query string.
  HttpRequest q;
  q.method = "POST";
  q.target = "/?Action=DescribeAlarms";
  call = Parse(q, kCloudWatchService);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->operation(), "DescribeAlarms");
  // Nothing at all.
  HttpRequest empty;
  empty.method = "POST";
  empty.target = "/";
  call = Parse(empty, kCloudWatchService);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kMissingAction);
}

TEST(ParseTest, DetectContext) {
  EXPECT_EQ(DetectContext(CborRequest("X", "")).protocol, Protocol::kRpcV2Cbor);
  EXPECT_TRUE(DetectContext(CborRequest("X", "")).query_mode);
  EXPECT_EQ(DetectContext(JsonRequest("X", "", false)).protocol, Protocol::kJson10);
  EXPECT_FALSE(DetectContext(JsonRequest("X", "", false)).query_mode);
  EXPECT_EQ(DetectContext(QueryRequest("garbage")).protocol, Protocol::kQuery);
  HttpRequest header_only;
  header_only.headers = {{"smithy-protocol", "rpc-v2-cbor"}};
  EXPECT_EQ(DetectContext(header_only).protocol, Protocol::kRpcV2Cbor);
}

}  // namespace
}  // namespace vigil::protocol
