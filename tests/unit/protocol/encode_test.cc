// Encoding results and errors: round trips in every protocol, wire details, the error table.
#include <cbor.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocol/query_decoder.h"
#include "protocol/token_decoder.h"
#include "protocol/tokens.h"
#include "unit/protocol/multi_protocol.h"

namespace vigil::protocol {
namespace {

using namespace vigil::protocol::testing;  // NOLINT
using nlohmann::json;

// ---------------------------------------------------------------- test-only output decoders

// Our own XML output (no attributes inside the result, entities we write) -> Query form pairs,
// which DecodeQuery then reads into the output struct.
class XmlToForm {
 public:
  explicit XmlToForm(std::string_view xml) : xml_(xml) {}
  std::string Run() {
    std::string out;
    stack_.push_back({"", {}});
    while (pos_ < xml_.size()) {
      if (xml_[pos_] != '<') {
        size_t lt = xml_.find('<', pos_);
        text_ += Unescape(xml_.substr(pos_, lt - pos_));
        pos_ = lt;
        continue;
      }
      size_t gt = xml_.find('>', pos_);
      std::string_view tag = xml_.substr(pos_ + 1, gt - pos_ - 1);
      pos_ = gt + 1;
      if (tag[0] == '/') {
        Frame f = stack_.back();
        stack_.pop_back();
        if (!f.had_child) Emit(out, f.path, text_);
        text_.clear();
      } else if (tag.back() == '/') {
        std::string path = Child(tag.substr(0, tag.size() - 1));
        Emit(out, path, "");
      } else {
        text_.clear();
        std::string path = Child(tag);
        stack_.push_back({path, {}});
      }
    }
    return out;
  }

 private:
  struct Frame {
    std::string path;
    std::map<std::string, int> counts;
    bool had_child = false;
  };
  std::string Child(std::string_view name) {
    Frame& parent = stack_.back();
    parent.had_child = true;
    std::string n(name);
    std::string seg = n;
    if (n == "member" || n == "entry") seg.append(".").append(std::to_string(++parent.counts[n]));
    return parent.path.empty() ? seg : parent.path + "." + seg;
  }
  static void Emit(std::string& out, const std::string& path, const std::string& value) {
    out += "&" + UrlEncode(path) + "=" + UrlEncode(value);
  }
  static std::string Unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '&') {
        out += s[i];
        continue;
      }
      size_t semi = s.find(';', i);
      std::string_view ent = s.substr(i + 1, semi - i - 1);
      if (ent == "amp") out += '&';
      if (ent == "lt") out += '<';
      if (ent == "gt") out += '>';
      if (ent == "quot") out += '"';
      if (ent == "apos") out += '\'';
      if (ent == "#xD") out += '\r';
      i = semi;
    }
    return out;
  }
  std::string_view xml_;
  size_t pos_ = 0;
  std::vector<Frame> stack_;
  std::string text_;
};

// The content of <OpResult> in a Query response.
std::string ResultXml(const std::string& body, std::string_view op) {
  std::string open = "<" + std::string(op) + "Result>";
  std::string close = "</" + std::string(op) + "Result>";
  size_t a = body.find(open);
  size_t b = body.rfind(close);
  if (a == std::string::npos || b == std::string::npos) return {};
  return body.substr(a + open.size(), b - a - open.size());
}

template <typename T>
std::string AsJson(const T& v) {
  HttpResponse r =
      EncodeResult(Protocol::kJson10, kCloudWatchService, "X", &model::ShapeOf<T>(), &v, "rid");
  return r.body;
}

// Encodes `in` in protocol p and decodes the bytes back.
template <typename T>
T RoundTrip(Protocol p, const T& in, std::string_view op = "Op") {
  HttpResponse r = EncodeResult(p, kCloudWatchService, op, &model::ShapeOf<T>(), &in, "rid-1");
  EXPECT_EQ(r.status, 200);
  T out;
  Status st;
  if (p == Protocol::kQuery) {
    internal::FormParams params;
    std::string form = XmlToForm(ResultXml(r.body, op)).Run();
    st = params.Parse(form);
    if (st.ok()) st = internal::DecodeQuery(params, model::ShapeOf<T>(), &out);
  } else {
    internal::TokenStream ts;
    st = p == Protocol::kJson10 ? internal::ReadJson(r.body, ts) : internal::ReadCbor(r.body, ts);
    if (st.ok()) {
      st = internal::DecodeTokens(
          ts, p == Protocol::kJson10 ? internal::TokenFlavor::kJson : internal::TokenFlavor::kCbor,
          model::ShapeOf<T>(), &out);
    }
  }
  EXPECT_TRUE(st.ok()) << ProtocolName(p) << ": " << st.error().message << "\n" << r.body;
  return out;
}

class EncodeTest : public AllProtocols {};
INSTANTIATE_TEST_SUITE_P(Protocols, EncodeTest,
                         ::testing::Values(Protocol::kQuery, Protocol::kJson10,
                                           Protocol::kRpcV2Cbor),
                         ProtocolParamName);

cw::DescribeAlarmsOutput RichAlarms() {
  cw::DescribeAlarmsOutput out;
  cw::MetricAlarm a;
  a.alarm_name = "cpu <high> & \"quoted\" 'x' caf\xC3\xA9 \xF0\x9F\x98\x80";
  a.alarm_description = "line1\nline2\ttab\r\nend </AlarmDescription>";
  a.actions_enabled = true;
  a.ok_actions = std::vector<std::string>{};
  a.alarm_actions = std::vector<std::string>{"arn:aws:sns:us-east-1:1:t", "arn:2"};
  a.state_value = "ALARM";
  a.state_updated_timestamp = Timestamp::FromMillis(1765977780123);
  a.alarm_configuration_updated_timestamp = Timestamp::FromSeconds(1765977780);
  a.threshold = 30;
  a.period = 60;
  a.evaluation_periods = 2147483647;
  a.datapoints_to_alarm = -2147483647 - 1;
  a.dimensions = std::vector<cw::Dimension>{{"Host", "h1"}, {"Az", ""}};
  cw::MetricDataQuery q;
  q.id = "m1";
  q.return_data = false;
  q.metric_stat = cw::MetricStat{cw::Metric{"NS", "Lat", std::nullopt}, 60, "p99", std::nullopt};
  a.metrics = std::vector<cw::MetricDataQuery>{q};
  out.metric_alarms = std::vector<cw::MetricAlarm>{a, cw::MetricAlarm{}};
  out.composite_alarms = std::vector<cw::CompositeAlarm>{};
  out.next_token = "tok";
  return out;
}

TEST_P(EncodeTest, RoundTripAlarms) {
  auto in = RichAlarms();
  EXPECT_EQ(AsJson(RoundTrip(GetParam(), in, "DescribeAlarms")), AsJson(in));
}

TEST_P(EncodeTest, RoundTripMetricDataDoublesAndTimestamps) {
  cw::GetMetricDataOutput in;
  cw::MetricDataResult r;
  r.id = "q1";
  r.label = "";
  r.status_code = "Complete";
  r.timestamps =
      std::vector<Timestamp>{Timestamp::FromSeconds(1765977780),
                             Timestamp::FromMillis(1765977780001), Timestamp::FromMillis(-1500)};
  r.values =
      std::vector<double>{30, 0.1, -0.0, 1e300, 5e-324, NAN, INFINITY, -INFINITY, 123456789.125};
  r.messages = std::vector<cw::MessageData>{};
  in.metric_data_results = std::vector<cw::MetricDataResult>{r};
  in.messages = std::vector<cw::MessageData>{{"c", "v"}};
  EXPECT_EQ(AsJson(RoundTrip(GetParam(), in, "GetMetricData")), AsJson(in));
}

TEST_P(EncodeTest, RoundTripMapsLongsAndBlobs) {
  cw::GetMetricStatisticsOutput stats;
  cw::Datapoint d;
  d.timestamp = Timestamp::FromSeconds(60);
  d.extended_statistics = std::map<std::string, double>{{"p99", 1.5}, {"p50", 0}};
  stats.datapoints = std::vector<cw::Datapoint>{d};
  stats.label = "L";
  EXPECT_EQ(AsJson(RoundTrip(GetParam(), stats, "GetMetricStatistics")), AsJson(stats));

  cw::DescribeAlarmContributorsOutput contrib;
  contrib.alarm_contributors.push_back(
      {"id", {{"k<1>", "v&1"}, {"k2", ""}}, "reason", Timestamp::FromSeconds(1)});
  EXPECT_EQ(AsJson(RoundTrip(GetParam(), contrib, "DescribeAlarmContributors")), AsJson(contrib));

  cw::GetInsightRuleReportOutput report;
  report.approximate_unique_count = INT64_MIN;
  report.aggregate_value = 0;
  report.key_labels = std::vector<std::string>{"IpAddress"};
  EXPECT_EQ(AsJson(RoundTrip(GetParam(), report, "GetInsightRuleReport")), AsJson(report));

  cw::GetMetricWidgetImageOutput image;
  image.metric_widget_image = std::string("\x89PNG\r\n\x1a\n\0\xff", 10);
  EXPECT_EQ(RoundTrip(GetParam(), image, "GetMetricWidgetImage").metric_widget_image,
            image.metric_widget_image);
}

TEST_P(EncodeTest, ContentTypes) {
  cw::DescribeAlarmsOutput out;
  HttpResponse r = EncodeResult(GetParam(), kCloudWatchService, "DescribeAlarms",
                                &model::ShapeOf<cw::DescribeAlarmsOutput>(), &out, "rid");
  EXPECT_EQ(r.status, 200);
  switch (GetParam()) {
    case Protocol::kQuery:
      EXPECT_EQ(Header(r, "content-type"), "text/xml");
      break;
    case Protocol::kJson10:
      EXPECT_EQ(Header(r, "content-type"), "application/x-amz-json-1.0");
      break;
    case Protocol::kRpcV2Cbor:
      EXPECT_EQ(Header(r, "content-type"), "application/cbor");
      EXPECT_EQ(Header(r, "smithy-protocol"), "rpc-v2-cbor");
      break;
  }
}

// ---------------------------------------------------------------- wire details

TEST(JsonEncodeTest, NumbersTimestampsAndEmptyLists) {
  cw::GetMetricDataOutput in;
  cw::MetricDataResult r;
  r.id = "a";
  r.timestamps = std::vector<Timestamp>{Timestamp::FromSeconds(1765977780),
                                        Timestamp::FromMillis(1765977780123)};
  r.values = std::vector<double>{30, 0.1, 1e21, NAN, INFINITY, -INFINITY};
  r.messages = std::vector<cw::MessageData>{};
  in.metric_data_results = std::vector<cw::MetricDataResult>{r};
  EXPECT_EQ(AsJson(in),
            R"({"MetricDataResults":[{"Id":"a","Timestamps":[1765977780.0,1765977780.123],)"
            R"("Values":[30.0,0.1,1e+21,"NaN","Infinity","-Infinity"],"Messages":[]}]})");
}

TEST(JsonEncodeTest, StringEscaping) {
  cw::MessageData m;
  m.code = std::string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f caf\xC3\xA9 bad\xff end");
  EXPECT_EQ(AsJson(m),
            "{\"Code\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f caf\xC3\xA9 bad\xEF\xBF\xBD "
            "end\"}");
}

TEST(CborEncodeTest, WireForm) {
  cw::MetricDataResult r;
  r.id = "a";
  r.timestamps = std::vector<Timestamp>{Timestamp::FromSeconds(1765977780)};
  r.values = std::vector<double>{};
  HttpResponse resp = EncodeResult(Protocol::kRpcV2Cbor, kCloudWatchService, "X",
                                   &model::ShapeOf<cw::MetricDataResult>(), &r, "rid");
  // {"Id": "a", "Timestamps": [1(1765977780.0)], "Values": []}: definite lengths, tag 1 +
  // float64, empty array written.
  EXPECT_EQ(resp.body, Hex("a3624964616"
                           "1"
                           "6a54696d657374616d707381c1fb41da50abad000000"
                           "6656616c75657380"));
  cw::DescribeAlarmsOutput none;
  cw::MetricAlarm a;
  a.period = 60;
  a.evaluation_periods = -1;
  a.datapoints_to_alarm = 70000;
  none.metric_alarms = std::vector<cw::MetricAlarm>{a};
  resp = EncodeResult(Protocol::kRpcV2Cbor, kCloudWatchService, "X",
                      &model::ShapeOf<cw::DescribeAlarmsOutput>(), &none, "rid");
  // Smallest ints: 60 -> 18 3c, -1 -> 20, 70000 -> 1a 00011170.
  EXPECT_NE(resp.body.find(Hex("506572696f64183c")), std::string::npos);
  EXPECT_NE(resp.body.find(Hex("714576616c756174696f6e506572696f647320")), std::string::npos);
  EXPECT_NE(resp.body.find(Hex("1a00011170")), std::string::npos);
  EXPECT_EQ(resp.body.substr(0, 1), Hex("a1"));
}

TEST(XmlEncodeTest, ResponseFrameEmptyListsAndEscaping) {
  cw::GetMetricDataOutput out;
  out.messages = std::vector<cw::MessageData>{};
  out.metric_data_results = std::vector<cw::MetricDataResult>{cw::MetricDataResult{}};
  out.metric_data_results->at(0).label = "a<b & c>";
  HttpResponse r = EncodeResult(Protocol::kQuery, kCloudWatchService, "GetMetricData",
                                &model::ShapeOf<cw::GetMetricDataOutput>(), &out, "req-1");
  EXPECT_EQ(r.body,
            "<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
            "<GetMetricDataResult><MetricDataResults><member><Label>a&lt;b &amp; c&gt;</Label>"
            "</member></MetricDataResults><Messages/></GetMetricDataResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</GetMetricDataResponse>");
  EXPECT_EQ(Header(r, "Content-Type"), "text/xml");
}

TEST(XmlEncodeTest, NoOutputShapeMeansNoResultElement) {
  HttpResponse r = EncodeResult(Protocol::kQuery, kCloudWatchService, "PutMetricData", nullptr,
                                nullptr, "req-2");
  EXPECT_EQ(r.body,
            "<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
            "<ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata>"
            "</PutMetricDataResponse>");
  cw::DeleteAnomalyDetectorOutput empty;
  r = EncodeResult(Protocol::kQuery, kCloudWatchService, "DeleteAnomalyDetector",
                   &model::ShapeOf<cw::DeleteAnomalyDetectorOutput>(), &empty, "r");
  EXPECT_NE(r.body.find("<DeleteAnomalyDetectorResult/>"), std::string::npos) << r.body;
  r = EncodeResult(Protocol::kJson10, kCloudWatchService, "PutMetricData", nullptr, nullptr, "r");
  EXPECT_EQ(r.body, "{}");
  r = EncodeResult(Protocol::kRpcV2Cbor, kCloudWatchService, "PutMetricData", nullptr, nullptr,
                   "r");
  EXPECT_EQ(r.body, Hex("a0"));
}

TEST(XmlEncodeTest, TimestampsBooleansDoublesAndControlCharacters) {
  cw::MetricAlarm a;
  a.state_updated_timestamp = Timestamp::FromSeconds(1765979580);
  a.state_transitioned_timestamp = Timestamp::FromMillis(1765979580250);
  a.actions_enabled = false;
  a.threshold = 30;
  a.alarm_description = std::string("bell\x07 cr\r");
  HttpResponse r = EncodeResult(Protocol::kQuery, kCloudWatchService, "X",
                                &model::ShapeOf<cw::MetricAlarm>(), &a, "r");
  EXPECT_NE(r.body.find("<StateUpdatedTimestamp>2025-12-17T13:53:00Z</StateUpdatedTimestamp>"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<StateTransitionedTimestamp>2025-12-17T13:53:00.250Z<"),
            std::string::npos);
  EXPECT_NE(r.body.find("<ActionsEnabled>false</ActionsEnabled>"), std::string::npos);
  EXPECT_NE(r.body.find("<Threshold>30.0</Threshold>"), std::string::npos);
  EXPECT_NE(r.body.find("<AlarmDescription>bell\xEF\xBF\xBD cr&#xD;</AlarmDescription>"),
            std::string::npos);
}

// ---------------------------------------------------------------- errors

json ParseCborBody(const std::string& body) {
  return json::from_cbor(std::vector<uint8_t>(body.begin(), body.end()));
}

TEST(ErrorEncodeTest, EveryRowInEveryProtocol) {
  for (const ErrorInfo& row : kErrorTable) {
    SCOPED_TRACE(std::string(row.query_code));
    for (bool has_message : {true, false}) {
      ApiError err = has_message ? MakeError(row.code, "bad <thing> & \"x\"")
                                 : ApiError::WithoutMessage(row.code);
      std::string fault = row.sender_fault ? "Sender" : "Receiver";
      // Query.
      HttpResponse q = EncodeError({Protocol::kQuery, false}, kCloudWatchService, err, "rid-9");
      EXPECT_EQ(q.status, row.http_status);
      EXPECT_EQ(Header(q, "content-type"), "text/xml");
      std::string expected =
          "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
          "<Error><Type>" +
          fault + "</Type><Code>" + std::string(row.query_code) + "</Code>" +
          (has_message ? "<Message>bad &lt;thing&gt; &amp; &quot;x&quot;</Message>" : "") +
          "</Error><RequestId>rid-9</RequestId></ErrorResponse>";
      EXPECT_EQ(q.body, expected);
      EXPECT_EQ(Header(q, "x-amzn-query-error"), "");
      // JSON and CBOR, with and without query mode.
      for (Protocol p : {Protocol::kJson10, Protocol::kRpcV2Cbor}) {
        for (bool query_mode : {true, false}) {
          HttpResponse r = EncodeError({p, query_mode}, kCloudWatchService, err, "rid-9");
          int status = (!query_mode && row.http_status == 404) ? 400 : row.http_status;
          EXPECT_EQ(r.status, status);
          EXPECT_EQ(Header(r, "x-amzn-query-error"), std::string(row.query_code) + ";" + fault);
          json body = p == Protocol::kJson10 ? json::parse(r.body) : ParseCborBody(r.body);
          EXPECT_EQ(body["__type"], std::string(row.json_type));
          EXPECT_EQ(body.contains("message"), has_message);
          if (has_message) {
            EXPECT_EQ(body["message"], "bad <thing> & \"x\"");
          }
          EXPECT_EQ(body.size(), has_message ? 2u : 1u);
          if (p == Protocol::kJson10) {
            EXPECT_EQ(Header(r, "content-type"), "application/x-amz-json-1.0");
          } else {
            EXPECT_EQ(Header(r, "content-type"), "application/cbor");
            EXPECT_EQ(Header(r, "smithy-protocol"), "rpc-v2-cbor");
          }
        }
      }
    }
  }
}

TEST(ErrorEncodeTest, RecordedAwsForms) {
  ApiError missing = ApiError::WithoutMessage(ErrorCode::kResourceNotFound);
  HttpResponse q = EncodeError({Protocol::kQuery, false}, kCloudWatchService, missing, "r");
  EXPECT_EQ(q.status, 404);
  EXPECT_EQ(q.body.find("<Message>"), std::string::npos);
  HttpResponse j = EncodeError({Protocol::kJson10, false}, kCloudWatchService, missing, "r");
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(j.body, R"({"__type":"com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound"})");
  EXPECT_EQ(Header(j, "x-amzn-query-error"), "ResourceNotFound;Sender");
  j = EncodeError({Protocol::kJson10, true}, kCloudWatchService, missing, "r");
  EXPECT_EQ(j.status, 404);
  ApiError v = MakeError(ErrorCode::kValidationError, "1 validation error detected: x");
  j = EncodeError({Protocol::kJson10, true}, kCloudWatchService, v, "r");
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(
      j.body,
      R"({"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: x"})");
  EXPECT_EQ(Header(j, "x-amzn-query-error"), "ValidationError;Sender");
  HttpResponse c = EncodeError({Protocol::kRpcV2Cbor, false}, kCloudWatchService,
                               MakeError(ErrorCode::kInternalFailure, "boom"), "r");
  EXPECT_EQ(c.status, 500);
  EXPECT_EQ(Header(c, "x-amzn-query-error"), "InternalFailure;Receiver");
}

}  // namespace
}  // namespace vigil::protocol
