// Decoding rules and every decoding error path, per protocol.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "unit/protocol/test_util.h"

namespace vigil::protocol {
namespace {

using namespace vigil::protocol::testing;  // NOLINT
using nlohmann::json;

std::string Cbor(const json& j) {
  auto v = json::to_cbor(j);
  return std::string(v.begin(), v.end());
}

template <typename T>
ApiError JsonError(std::string_view op, std::string body) {
  T out;
  Status st = Decode(JsonRequest(op, std::move(body)), out);
  EXPECT_FALSE(st.ok());
  return st.ok() ? ApiError{} : st.error();
}

template <typename T>
ApiError CborError(std::string_view op, std::string body) {
  T out;
  Status st = Decode(CborRequest(op, std::move(body)), out);
  EXPECT_FALSE(st.ok());
  return st.ok() ? ApiError{} : st.error();
}

template <typename T>
ApiError QueryError(std::string body) {
  T out;
  Status st = Decode(QueryRequest(std::move(body)), out);
  EXPECT_FALSE(st.ok());
  return st.ok() ? ApiError{} : st.error();
}

const char* const kDatum = R"({"MetricName":"m","Value":1})";

// ---------------------------------------------------------------- JSON

TEST(JsonDecodeTest, MalformedBodyIsSerializationException) {
  for (const char* body : {R"({"Namespace": )", R"({"Namespace":"a"} x)", "{,}", "nul", "[1,]",
                           R"({"Namespace":"a",})", "\"abc"}) {
    SCOPED_TRACE(body);
    ApiError e = JsonError<cw::PutMetricDataInput>("PutMetricData", body);
    EXPECT_EQ(e.code, ErrorCode::kSerializationException);
    EXPECT_TRUE(e.message.starts_with("Malformed JSON request body")) << e.message;
  }
}

TEST(JsonDecodeTest, TopLevelMustBeAnObject) {
  ApiError e = JsonError<cw::PutMetricDataInput>("PutMetricData", "[1,2]");
  EXPECT_EQ(e.code, ErrorCode::kSerializationException);
  EXPECT_EQ(e.message, "Expected a JSON object for the request body");
}

TEST(JsonDecodeTest, EmptyBodyIsAnEmptyObject) {
  cw::DescribeAlarmsInput in;
  EXPECT_TRUE(Decode(JsonRequest("DescribeAlarms", ""), in).ok());
  EXPECT_TRUE(Decode(JsonRequest("DescribeAlarms", "  \n"), in).ok());
  ApiError e = JsonError<cw::PutMetricDataInput>("PutMetricData", "");
  EXPECT_EQ(e.code, ErrorCode::kMissingParameter);
  EXPECT_EQ(e.message, "The parameter Namespace is required.");
}

TEST(JsonDecodeTest, WrongTypesNameTheMember) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","Value":"abc"}]})",
       "Expected a number for MetricData.member.1.Value"},
      {R"({"Namespace":5})", "Expected a string for Namespace"},
      {R"({"Namespace":"n","MetricData":{}})", "Expected a list for MetricData"},
      {R"({"Namespace":"n","MetricData":[1]})", "Expected a structure for MetricData.member.1"},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m"},{"MetricName":"m","StorageResolution":1.5}]})",
       "Expected an integer for MetricData.member.2.StorageResolution"},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","StorageResolution":3000000000}]})",
       "Number out of range for MetricData.member.1.StorageResolution"},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","StorageResolution":-3000000000}]})",
       "Number out of range for MetricData.member.1.StorageResolution"},
      // nlohmann refuses literals beyond a double itself.
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","Value":1e999}]})",
       "Malformed JSON request body: number overflow parsing '1e999'"},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","Timestamp":"yesterday"}]})",
       "Expected a timestamp for MetricData.member.1.Timestamp"},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","Timestamp":true}]})",
       "Expected a timestamp for MetricData.member.1.Timestamp"},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","Timestamp":1e15}]})",
       "Timestamp out of range for MetricData.member.1.Timestamp"},
      // Year 0 parses as ISO-8601 but could not be written back as epoch seconds.
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","Timestamp":"0000-01-01T00:00:00Z"}]})",
       "Timestamp out of range for MetricData.member.1.Timestamp"},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","Dimensions":[{"Name":"a","Value":7}]}]})",
       "Expected a string for MetricData.member.1.Dimensions.member.1.Value"},
      {R"({"Namespace":"n","EntityMetricData":[{"Entity":{"KeyAttributes":{"Type":1}}}]})",
       "Expected a string for EntityMetricData.member.1.Entity.KeyAttributes.entry.1.value"},
      {R"({"Namespace":"n","StrictEntityValidation":"true"})",
       "Expected a boolean for StrictEntityValidation"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    ApiError e = JsonError<cw::PutMetricDataInput>("PutMetricData", c.body);
    EXPECT_EQ(e.code, ErrorCode::kSerializationException);
    EXPECT_EQ(e.message, c.message);
  }
}

TEST(JsonDecodeTest, NumbersTimestampsAndSmithyStrings) {
  cw::PutMetricDataInput in;
  ASSERT_TRUE(Decode(JsonRequest("PutMetricData", R"({"Namespace":"n","MetricData":[
      {"MetricName":"a","Value":"NaN","Timestamp":1795779420.5,"StorageResolution":60.0},
      {"MetricName":"b","Value":"Infinity","Timestamp":"2026-11-27T11:37:00.250Z"},
      {"MetricName":"c","Value":"-Infinity","Timestamp":-1},
      {"MetricName":"d","Value":-12,"Values":[1,2.5,-3,1e300],"Timestamp":0}]})"),
                     in)
                  .ok());
  const auto& d = *in.metric_data;
  EXPECT_TRUE(std::isnan(*d[0].value));
  EXPECT_EQ(d[0].timestamp->millis, 1795779420500);
  EXPECT_EQ(d[0].storage_resolution, 60);
  EXPECT_EQ(*d[1].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(d[1].timestamp, ParseTimestamp("2026-11-27T11:37:00.250Z"));
  EXPECT_EQ(*d[2].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(d[2].timestamp->millis, -1000);
  EXPECT_EQ(*d[3].value, -12.0);
  EXPECT_EQ(*d[3].values, (std::vector<double>{1, 2.5, -3, 1e300}));
}

TEST(JsonDecodeTest, MissingRequiredUsesQueryFormPaths) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {R"({"MetricData":[]})", "The parameter Namespace is required."},
      {R"({"Namespace":"n","MetricData":[{"Value":1}]})",
       "The parameter MetricData.member.1.MetricName is required."},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m"},{"MetricName":"m","Dimensions":[{"Name":"a","Value":"b"},{"Name":"a"}]}]})",
       "The parameter MetricData.member.2.Dimensions.member.2.Value is required."},
      {R"({"Namespace":"n","MetricData":[{"MetricName":"m","StatisticValues":{"SampleCount":1,"Minimum":1,"Maximum":1}}]})",
       "The parameter MetricData.member.1.StatisticValues.Sum is required."},
      // null means absent, also for required members.
      {R"({"Namespace":null})", "The parameter Namespace is required."},
      {R"({"Namespace":"n","MetricData":[{"MetricName":null}]})",
       "The parameter MetricData.member.1.MetricName is required."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    ApiError e = JsonError<cw::PutMetricDataInput>("PutMetricData", c.body);
    EXPECT_EQ(e.code, ErrorCode::kMissingParameter);
    EXPECT_EQ(e.message, c.message);
  }
}

TEST(JsonDecodeTest, UnknownMembersAreSkippedAtAnyDepthAndNullIsAbsent) {
  cw::PutMetricDataInput in;
  Status st = Decode(JsonRequest("PutMetricData", R"({"Foo":{"a":[1,{"b":[[],{}]}]},
      "Namespace":"n","Bar":null,"MetricData":[{"MetricName":"m","Zed":[[[{"x":1}]]],
      "Unit":null,"Value":null,"Dimensions":[{"Name":"a","Value":"b","Extra":{}}]}]})"),
                     in);
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto& d = (*in.metric_data)[0];
  EXPECT_FALSE(d.unit.has_value());
  EXPECT_FALSE(d.value.has_value());
  EXPECT_EQ((*d.dimensions)[0].value, "b");
}

TEST(JsonDecodeTest, DuplicateKeysKeepTheFirstValueAndNullElementsAreDropped) {
  cw::PutMetricDataInput in;
  ASSERT_TRUE(Decode(JsonRequest("PutMetricData",
                                 R"({"Namespace":"first","Namespace":"second","MetricData":[
      {"MetricName":"m","Values":[1,null,2],"Values":[9]},null]})"),
                     in)
                  .ok());
  EXPECT_EQ(in.namespace_, "first");
  ASSERT_EQ(in.metric_data->size(), 1u);
  EXPECT_EQ(*(*in.metric_data)[0].values, (std::vector<double>{1, 2}));
}

TEST(JsonDecodeTest, DepthBombIsRefused) {
  std::string deep =
      R"({"Namespace":"n","Junk":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  ApiError e = JsonError<cw::PutMetricDataInput>("PutMetricData", deep);
  EXPECT_EQ(e.code, ErrorCode::kSerializationException);
  EXPECT_NE(e.message.find("nested too deeply"), std::string::npos) << e.message;
  // 60 levels of unknown nesting are fine.
  std::string ok =
      R"({"Namespace":"n","Junk":)" + std::string(60, '[') + std::string(60, ']') + "}";
  cw::PutMetricDataInput in;
  EXPECT_TRUE(Decode(JsonRequest("PutMetricData", ok), in).ok());
}

TEST(JsonDecodeTest, HugeArrays) {
  std::string body = R"({"Namespace":"n","Junk":[)";
  for (int i = 0; i < 200000; ++i) body += i ? ",0" : "0";
  body += R"(],"MetricData":[)";
  for (int i = 0; i < 20000; ++i) {
    if (i) body += ',';
    body += kDatum;
  }
  body += "]}";
  cw::PutMetricDataInput in;
  ASSERT_TRUE(Decode(JsonRequest("PutMetricData", body), in).ok());
  EXPECT_EQ(in.metric_data->size(), 20000u);
}

TEST(JsonDecodeTest, InvalidUtf8IsRefused) {
  ApiError e = JsonError<cw::PutMetricDataInput>("PutMetricData", "{\"Namespace\":\"a\xff\xfe\"}");
  EXPECT_EQ(e.code, ErrorCode::kSerializationException);
  e = JsonError<cw::PutMetricDataInput>("PutMetricData", R"({"Namespace":"\ud800"})");
  EXPECT_EQ(e.code, ErrorCode::kSerializationException);
  // Valid multi-byte text and escapes pass through.
  cw::PutMetricDataInput in;
  ASSERT_TRUE(
      Decode(JsonRequest("PutMetricData", R"({"Namespace":"caf\u00e9/\ud83d\ude00 ✓"})"), in).ok());
  EXPECT_EQ(in.namespace_, "caf\xC3\xA9/\xF0\x9F\x98\x80 \xE2\x9C\x93");
}

// ---------------------------------------------------------------- CBOR

TEST(CborDecodeTest, EveryTruncationOfARealRequestFailsCleanly) {
  HttpRequest full = LoadCapture(TestDataDir() / "boto3-cbor-PutMetricData.http");
  for (size_t n = 1; n < full.body.size(); ++n) {
    ApiError e = CborError<cw::PutMetricDataInput>("PutMetricData", full.body.substr(0, n));
    EXPECT_EQ(e.code, ErrorCode::kSerializationException) << n;
  }
}

TEST(CborDecodeTest, GarbageAndTrailingBytes) {
  for (std::string body :
       {Hex("ff"), Hex("1c"), Hex("a1ff"), Hex("a0a0"), Hex("a0ff"), Hex("5f01ff"),
        Hex("7f6161416161ff") /* byte chunk in text */, Hex("a1c1ff") /* tag then break */,
        Hex("9b7fffffffffffffff"), Hex("7b7fffffffffffffff61"), Hex("a1616161ff")}) {
    SCOPED_TRACE(::testing::PrintToString(body));
    ApiError e = CborError<cw::DescribeAlarmsInput>("DescribeAlarms", body);
    EXPECT_EQ(e.code, ErrorCode::kSerializationException) << e.message;
  }
}

TEST(CborDecodeTest, TopLevelMustBeAMap) {
  ApiError e = CborError<cw::DescribeAlarmsInput>("DescribeAlarms", Hex("80"));
  EXPECT_EQ(e.message, "Expected a CBOR map for the request body");
}

TEST(CborDecodeTest, EmptyBodyIsAnEmptyMap) {
  cw::DescribeAlarmsInput in;
  EXPECT_TRUE(Decode(CborRequest("DescribeAlarms", ""), in).ok());
}

// {"Namespace": "ns", "MetricData": [ {datum} ]} with the datum's members spelled in hex.
std::string PmdWithDatum(const std::string& datum_members_hex, int member_count) {
  std::string h = "a2" + std::string("694e616d657370616365") + "626e73" +  // Namespace: "ns"
                  "6a4d6574726963446174618" + "1";                         // MetricData: [1 item]
  char head[4];
  std::snprintf(head, sizeof head, "%02x", 0xa0 + member_count + 1);
  h += head;
  h += "6a4d65747269634e616d65616d";  // MetricName: "m"
  h += datum_members_hex;
  return Hex(h);
}

const std::string kTimestampKey = "6954696d657374616d70";  // "Timestamp"
const std::string kValueKey = "6556616c7565";              // "Value"
const std::string kStorageResolutionKey = "7153746f726167655265736f6c7574696f6e";

TEST(CborDecodeTest, TimestampForms) {
  struct Case {
    std::string hex;
    int64_t millis;
  } cases[] = {
      {"c11a6b096b5c", 1795779420000},          // tag 1 + uint32
      {"c1fb41dac25ad7000000", 1795779420000},  // tag 1 + float64
      {"c1fb41dac25ad7200000", 1795779420500},  // fractional
      {"c1fa4ed612d7", 1795779456000},          // tag 1 + float32 (rounded by float32)
      {"c1f93c00", 1000},                       // tag 1 + float16 1.0
      {"c120", -1000},                          // tag 1 + negative int
      {"1a6b096b5c", 1795779420000},            // untagged
      {"d8376b096b5c", 0},                      // unknown tag 55 around... (replaced below)
  };
  cases[7].hex = "d837c11a6b096b5c";  // unknown tag 55 wrapping tag 1
  cases[7].millis = 1795779420000;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.hex);
    cw::PutMetricDataInput in;
    Status st = Decode(CborRequest("PutMetricData", PmdWithDatum(kTimestampKey + c.hex, 1)), in);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ((*in.metric_data)[0].timestamp->millis, c.millis);
  }
}

TEST(CborDecodeTest, IntegersOfEveryWidthAndIntegralFloats) {
  for (std::string hex : {"183c", "19003c", "1a0000003c", "1b000000000000003c",
                          "fb404e000000000000", "fa42700000", "f95380"}) {
    SCOPED_TRACE(hex);
    cw::PutMetricDataInput in;
    Status st =
        Decode(CborRequest("PutMetricData", PmdWithDatum(kStorageResolutionKey + hex, 1)), in);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ((*in.metric_data)[0].storage_resolution, 60);
  }
  // Negative ints decode (and then fail the model's min of 1).
  ApiError e = CborError<cw::PutMetricDataInput>("PutMetricData",
                                                 PmdWithDatum(kStorageResolutionKey + "38ff", 1));
  EXPECT_EQ(e.code, ErrorCode::kValidationError);
  EXPECT_NE(e.message.find("Value '-256' at 'metricData.1.member.storageResolution'"),
            std::string::npos)
      << e.message;
  e = CborError<cw::PutMetricDataInput>(
      "PutMetricData", PmdWithDatum(kStorageResolutionKey + "fb404e400000000000", 1));
  EXPECT_EQ(e.message, "Expected an integer for MetricData.member.1.StorageResolution");
  e = CborError<cw::PutMetricDataInput>(
      "PutMetricData", PmdWithDatum(kStorageResolutionKey + "1b0000000100000000", 1));
  EXPECT_EQ(e.message, "Number out of range for MetricData.member.1.StorageResolution");
  e = CborError<cw::PutMetricDataInput>(
      "PutMetricData", PmdWithDatum(kStorageResolutionKey + "3bffffffffffffffff", 1));
  EXPECT_EQ(e.message, "Number out of range for MetricData.member.1.StorageResolution");
}

TEST(CborDecodeTest, FloatsOfEveryWidthAndIntsForDoubles) {
  struct Case {
    std::string hex;
    double value;
  } cases[] = {
      {"f93e00", 1.5},      {"fa3fc00000", 1.5}, {"fb3ff8000000000000", 1.5},
      {"0c", 12.0},         {"2b", -12.0},       {"3bffffffffffffffff", -18446744073709551616.0},
      {"f97c00", INFINITY}, {"63496e66", 0}};
  cases[7] = {"68496e66696e697479", INFINITY};  // the Smithy string "Infinity"
  for (const auto& c : cases) {
    SCOPED_TRACE(c.hex);
    cw::PutMetricDataInput in;
    Status st = Decode(CborRequest("PutMetricData", PmdWithDatum(kValueKey + c.hex, 1)), in);
    ASSERT_TRUE(st.ok()) << st.error().message;
    EXPECT_EQ(*(*in.metric_data)[0].value, c.value);
  }
  cw::PutMetricDataInput in;
  ASSERT_TRUE(Decode(CborRequest("PutMetricData", PmdWithDatum(kValueKey + "f97e00", 1)), in).ok());
  EXPECT_TRUE(std::isnan(*(*in.metric_data)[0].value));
}

TEST(CborDecodeTest, IndefiniteContainersAndStrings) {
  // {_ "Namespace": (_ "n", "s"), "MetricData": [_ {_ "MetricName": "m", "Values": [_ 1, 2]}]}
  std::string h =
      "bf694e616d657370616365"
      "7f616e6173ff"
      "6a4d65747269634461746"
      "1"
      "9f"
      "bf"
      "6a4d65747269634e616d65616d"
      "6656616c756573"
      "9f0102ff"
      "ff"
      "ff"
      "ff";
  cw::PutMetricDataInput in;
  Status st = Decode(CborRequest("PutMetricData", Hex(h)), in);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(in.namespace_, "ns");
  EXPECT_EQ(*(*in.metric_data)[0].values, (std::vector<double>{1, 2}));
}

TEST(CborDecodeTest, UndefinedIsAbsentAndOtherKeysAreSkipped) {
  // {"Namespace": "ns", 7: [1, {}], h'00': 1, "MetricData": undefined}
  std::string h =
      "a4694e616d657370616365626e73"
      "07"
      "8201a0"
      "4100"
      "01"
      "6a4d657472696344617461"
      "f7";
  cw::PutMetricDataInput in;
  Status st = Decode(CborRequest("PutMetricData", Hex(h)), in);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_FALSE(in.metric_data.has_value());
}

TEST(CborDecodeTest, WrongTypesAndBadUtf8) {
  // Namespace as a byte string.
  ApiError e =
      CborError<cw::PutMetricDataInput>("PutMetricData", Hex("a1694e616d65737061636542616e"));
  EXPECT_EQ(e.message, "Expected a string for Namespace");
  // Namespace text with an invalid UTF-8 byte.
  e = CborError<cw::PutMetricDataInput>("PutMetricData", Hex("a1694e616d65737061636562ff61"));
  EXPECT_EQ(e.code, ErrorCode::kSerializationException);
  EXPECT_NE(e.message.find("UTF-8"), std::string::npos);
  // A JSON-built body with a wrong nested type.
  e = CborError<cw::PutMetricDataInput>(
      "PutMetricData",
      Cbor({{"Namespace", "n"}, {"MetricData", {{{"MetricName", "m"}, {"Unit", 5}}}}}));
  EXPECT_EQ(e.message, "Expected a string for MetricData.member.1.Unit");
}

TEST(CborDecodeTest, DepthBombAndHugeDeclaredSizes) {
  std::string bomb =
      Hex("a2694e616d657370616365616e644a756e6b") + std::string(100000, '\x81') + Hex("00");
  ApiError e = CborError<cw::PutMetricDataInput>("PutMetricData", bomb);
  EXPECT_NE(e.message.find("nested too deeply"), std::string::npos) << e.message;
  e = CborError<cw::PutMetricDataInput>(
      "PutMetricData", Hex("a2694e616d657370616365616e") + Hex("9bffffffffffffffff"));
  EXPECT_EQ(e.code, ErrorCode::kSerializationException);
  e = CborError<cw::PutMetricDataInput>("PutMetricData", Hex("bbffffffffffffffff"));
  EXPECT_EQ(e.code, ErrorCode::kSerializationException);
}

TEST(CborDecodeTest, LargeJsonConvertedBodies) {
  json j = {{"Namespace", "n"}, {"MetricData", json::array()}};
  for (int i = 0; i < 5000; ++i) {
    j["MetricData"].push_back({{"MetricName", std::string("m").append(std::to_string(i))},
                               {"Value", i * 0.5},
                               {"Dimensions", {{{"Name", "a"}, {"Value", "b"}}}}});
  }
  cw::PutMetricDataInput in;
  ASSERT_TRUE(Decode(CborRequest("PutMetricData", Cbor(j)), in).ok());
  ASSERT_EQ(in.metric_data->size(), 5000u);
  EXPECT_EQ(*(*in.metric_data)[4999].value, 4999 * 0.5);
}

// ---------------------------------------------------------------- Query

TEST(QueryDecodeTest, EmptyListUnsortedMembersAndGaps) {
  cw::DescribeAlarmsInput in;
  ASSERT_TRUE(
      Decode(QueryRequest("Action=DescribeAlarms&Version=2010-08-01&AlarmNames="), in).ok());
  ASSERT_TRUE(in.alarm_names.has_value());
  EXPECT_TRUE(in.alarm_names->empty());

  cw::DescribeAlarmsInput in2;
  ASSERT_TRUE(Decode(QueryRequest("Action=DescribeAlarms&AlarmNames.member.10=c&"
                                  "AlarmNames.member.2=b&AlarmNames.member.1=a"),
                     in2)
                  .ok());
  EXPECT_EQ(*in2.alarm_names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(QueryDecodeTest, PercentDecodingAndPlus) {
  cw::SetAlarmStateInput in;
  ASSERT_TRUE(Decode(QueryRequest("Action=SetAlarmState&AlarmName=my+alarm%2B1&StateValue=OK&"
                                  "StateReason=caf%C3%A9%20%3C%26%3E"),
                     in)
                  .ok());
  EXPECT_EQ(in.alarm_name, "my alarm+1");
  EXPECT_EQ(in.state_reason, "caf\xC3\xA9 <&>");
}

TEST(QueryDecodeTest, BadScalarsAreInvalidParameterValue) {
  struct Case {
    std::string body;
    std::string message;
  } cases[] = {
      {"Namespace=n&MetricData.member.1.MetricName=m&MetricData.member.1.Value=abc",
       "Value abc for parameter MetricData.member.1.Value is invalid."},
      {"Namespace=n&MetricData.member.1.MetricName=m&MetricData.member.1.StorageResolution=1.5",
       "Value 1.5 for parameter MetricData.member.1.StorageResolution is invalid."},
      {"Namespace=n&MetricData.member.1.MetricName=m&MetricData.member.1.StorageResolution="
       "99999999999",
       "Value 99999999999 for parameter MetricData.member.1.StorageResolution is invalid."},
      {"Namespace=n&MetricData.member.3.MetricName=m&MetricData.member.3.Timestamp=noon",
       "Value noon for parameter MetricData.member.3.Timestamp is invalid."},
      {"Namespace=n&MetricData.member.1.MetricName=m&MetricData.member.1.Timestamp=0000-12-31",
       "Value 0000-12-31 for parameter MetricData.member.1.Timestamp is invalid."},
      {"Namespace=n&StrictEntityValidation=yes",
       "Value yes for parameter StrictEntityValidation is invalid."},
      {"Namespace=n&MetricData=x", "Value x for parameter MetricData is invalid."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    ApiError e = QueryError<cw::PutMetricDataInput>("Action=PutMetricData&" + c.body);
    EXPECT_EQ(e.code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(e.message, c.message);
  }
}

TEST(QueryDecodeTest, MissingRequired) {
  ApiError e = QueryError<cw::PutMetricDataInput>(
      "Action=PutMetricData&Namespace=n&MetricData.member.1.MetricName=m&"
      "MetricData.member.2.Value=1");
  EXPECT_EQ(e.code, ErrorCode::kMissingParameter);
  EXPECT_EQ(e.message, "The parameter MetricData.member.2.MetricName is required.");
  e = QueryError<cw::PutMetricDataInput>("Action=PutMetricData");
  EXPECT_EQ(e.message, "The parameter Namespace is required.");
  e = QueryError<cw::PutMetricDataInput>(
      "Action=PutMetricData&Namespace=n&EntityMetricData.member.1.Entity.KeyAttributes.entry.1.key="
      "Type");
  EXPECT_EQ(
      e.message,
      "The parameter EntityMetricData.member.1.Entity.KeyAttributes.entry.1.value is required.");
}

TEST(QueryDecodeTest, MapsBooleansAndNumbers) {
  cw::PutMetricDataInput in;
  Status st =
      Decode(QueryRequest("Action=PutMetricData&Namespace=n&StrictEntityValidation=TRUE&"
                          "EntityMetricData.member.1.Entity.KeyAttributes.entry.2.key=Name&"
                          "EntityMetricData.member.1.Entity.KeyAttributes.entry.2.value=svc&"
                          "EntityMetricData.member.1.Entity.KeyAttributes.entry.1.key=Type&"
                          "EntityMetricData.member.1.Entity.KeyAttributes.entry.1.value=Service&"
                          "EntityMetricData.member.1.MetricData.member.1.MetricName=m&"
                          "EntityMetricData.member.1.MetricData.member.1.Value=-1.5e3&"
                          "EntityMetricData.member.1.MetricData.member.1.Values.member.1=NaN&"
                          "EntityMetricData.member.1.MetricData.member.1.Values.member.2=-Infinity&"
                          "Unknown.Thing=1&EntityMetricData.member.1.Bogus.x=2"),
             in);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(in.strict_entity_validation, true);
  const auto& e = (*in.entity_metric_data)[0];
  EXPECT_EQ(*e.entity->key_attributes,
            (std::map<std::string, std::string>{{"Name", "svc"}, {"Type", "Service"}}));
  const auto& d = (*e.metric_data)[0];
  EXPECT_EQ(*d.value, -1500.0);
  EXPECT_TRUE(std::isnan((*d.values)[0]));
  EXPECT_EQ((*d.values)[1], -INFINITY);
  EXPECT_FALSE(in.metric_data.has_value());
  // A list item that only has unknown members still exists (and misses its required ones).
  ApiError err = QueryError<cw::PutMetricDataInput>(
      "Action=PutMetricData&Namespace=n&MetricData.member.1.Bogus=2");
  EXPECT_EQ(err.message, "The parameter MetricData.member.1.MetricName is required.");
}

TEST(QueryDecodeTest, MalformedAndMissingAction) {
  auto call = Parse(QueryRequest("Action=PutMetricData&Namespace=%zz"), kCloudWatchService);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kMalformedQueryString);
  call = Parse(QueryRequest("Action=PutMetricData&Namespace=%4"), kCloudWatchService);
  EXPECT_EQ(call.error().code, ErrorCode::kMalformedQueryString);
  call = Parse(QueryRequest("Action=PutMetricData&Namespace=%FF"), kCloudWatchService);
  EXPECT_EQ(call.error().code, ErrorCode::kMalformedQueryString);
  call = Parse(QueryRequest("Version=2010-08-01&Namespace=n"), kCloudWatchService);
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kMissingAction);
  EXPECT_EQ(call.error().message, "The request is missing an action or a required parameter.");
}

TEST(QueryDecodeTest, GetUsesTheQueryString) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/?Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=a%20b";
  auto call = Parse(r, kCloudWatchService);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ((*call)->operation(), "DescribeAlarms");
  cw::DescribeAlarmsInput in;
  ASSERT_TRUE((*call)->DecodeInput(model::ShapeOf<cw::DescribeAlarmsInput>(), &in).ok());
  EXPECT_EQ((*in.alarm_names)[0], "a b");
}

TEST(QueryDecodeTest, ManyDatums) {
  std::string body = "Action=PutMetricData&Namespace=n";
  for (int i = 1; i <= 3000; ++i) {
    std::string p = std::string("&MetricData.member.").append(std::to_string(i)).append(".");
    body += p + "MetricName=m" + p + "Value=" + std::to_string(i) + p +
            "Dimensions.member.1.Name=a" + p + "Dimensions.member.1.Value=b";
  }
  cw::PutMetricDataInput in;
  ASSERT_TRUE(Decode(QueryRequest(body), in).ok());
  ASSERT_EQ(in.metric_data->size(), 3000u);
  EXPECT_EQ(*(*in.metric_data)[2999].value, 3000.0);
}

}  // namespace
}  // namespace vigil::protocol
