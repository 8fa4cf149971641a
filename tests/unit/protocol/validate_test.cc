// Model constraints reported in coral's exact form, identically in every protocol.
#include <gtest/gtest.h>

#include "unit/protocol/multi_protocol.h"

namespace vigil::protocol {
namespace {

using namespace vigil::protocol::testing;  // NOLINT
using nlohmann::json;

class ValidateTest : public AllProtocols {
 protected:
  template <typename T>
  ApiError Error(std::string_view op, const json& j) {
    T out;
    Status st = DecodeIn(GetParam(), op, j, out);
    EXPECT_FALSE(st.ok()) << j.dump();
    return st.ok() ? ApiError{} : st.error();
  }
  template <typename T>
  void Ok(std::string_view op, const json& j) {
    T out;
    Status st = DecodeIn(GetParam(), op, j, out);
    EXPECT_TRUE(st.ok()) << j.dump() << ": " << st.error().message;
  }
};

INSTANTIATE_TEST_SUITE_P(Protocols, ValidateTest,
                         ::testing::Values(Protocol::kQuery, Protocol::kJson10,
                                           Protocol::kRpcV2Cbor),
                         ProtocolParamName);

json Pmd(json datum) { return {{"Namespace", "ns"}, {"MetricData", json::array({datum})}}; }

TEST_P(ValidateTest, EnumMatchesTheRecordedAwsAnswer) {
  ApiError e = Error<cw::SetAlarmStateInput>(
      "SetAlarmState", {{"AlarmName", "a"}, {"StateValue", "INVALID"}, {"StateReason", "r"}});
  EXPECT_EQ(e.code, ErrorCode::kValidationError);
  EXPECT_EQ(e.message,
            "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy "
            "constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]");
  Ok<cw::SetAlarmStateInput>("SetAlarmState",
                             {{"AlarmName", "a"}, {"StateValue", "ALARM"}, {"StateReason", "r"}});
}

TEST_P(ValidateTest, LengthAndPatternOnOneValue) {
  ApiError e = Error<cw::PutMetricDataInput>("PutMetricData", {{"Namespace", ""}});
  EXPECT_EQ(e.message,
            "2 validation errors detected: Value '' at 'namespace' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1; Value '' at 'namespace' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: [^:].*");
  e = Error<cw::PutMetricDataInput>("PutMetricData", {{"Namespace", ":x"}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value ':x' at 'namespace' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [^:].*");
}

TEST_P(ValidateTest, StringLengthCountsCodePoints) {
  std::string e255, e256;
  for (int i = 0; i < 255; ++i) e255 += "\xC3\xA9";  // 510 bytes, 255 characters
  e256 = e255 + "\xC3\xA9";
  Ok<cw::PutMetricDataInput>("PutMetricData", Pmd({{"MetricName", e255}}));
  ApiError e = Error<cw::PutMetricDataInput>("PutMetricData", Pmd({{"MetricName", e256}}));
  EXPECT_EQ(e.message, "1 validation error detected: Value '" + e256 +
                           "' at 'metricData.1.member.metricName' failed to satisfy constraint: "
                           "Member must have length less than or equal to 255");
}

TEST_P(ValidateTest, NestedListPathsAndNumbers) {
  ApiError e = Error<cw::PutMetricDataInput>(
      "PutMetricData",
      {{"Namespace", "ns"},
       {"MetricData",
        {{{"MetricName", "m"}},
         {{"MetricName", "m"},
          {"StorageResolution", 0},
          {"Dimensions", {{{"Name", "a"}, {"Value", "b"}}, {{"Name", "a"}, {"Value", ""}}}}}}}});
  EXPECT_EQ(e.message,
            "2 validation errors detected: Value '' at "
            "'metricData.2.member.dimensions.2.member.value' failed to satisfy constraint: Member "
            "must have length greater than or equal to 1; Value '0' at "
            "'metricData.2.member.storageResolution' failed to satisfy constraint: Member must "
            "have value greater than or equal to 1");
  e = Error<cw::DescribeAlarmsInput>("DescribeAlarms", {{"MaxRecords", 101}});
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '101' at 'maxRecords' failed to satisfy "
            "constraint: Member must have value less than or equal to 100");
}

TEST_P(ValidateTest, CollectionSizesAndScalarElements) {
  json dims = json::array();
  for (int i = 0; i < 31; ++i)
    dims.push_back({{"Name", std::string("n").append(std::to_string(i))}, {"Value", "v"}});
  ApiError e = Error<cw::PutMetricDataInput>("PutMetricData",
                                             Pmd({{"MetricName", "m"}, {"Dimensions", dims}}));
  EXPECT_TRUE(e.message.starts_with(
      "1 validation error detected: Value '[{Name=n0, Value=v}, {Name=n1, Value=v}, "))
      << e.message;
  EXPECT_TRUE(e.message.ends_with(
      "{Name=n30, Value=v}]' at 'metricData.1.member.dimensions' failed to satisfy constraint: "
      "Member must have length less than or equal to 30"))
      << e.message;

  // A bad element of a list of strings is reported once, at the list (coral's form).
  e = Error<cw::DescribeAlarmsInput>("DescribeAlarms",
                                     {{"AlarmNames", {"ok", std::string(256, 'x'), ""}}});
  EXPECT_EQ(e.message, "1 validation error detected: Value '[ok, " + std::string(256, 'x') +
                           ", ]' at 'alarmNames' failed to satisfy constraint: Member must "
                           "satisfy constraint: [Member must have length less than or equal to "
                           "255]");
}

TEST_P(ValidateTest, MapSizesAndValues) {
  json pmd = {{"Namespace", "ns"},
              {"EntityMetricData", {{{"Entity", {{"KeyAttributes", {{"Type", "Service"}}}}}}}}};
  ApiError e = Error<cw::PutMetricDataInput>("PutMetricData", pmd);
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '{Type=Service}' at "
            "'entityMetricData.1.member.entity.keyAttributes' failed to satisfy constraint: "
            "Member must have length greater than or equal to 2");
  pmd["EntityMetricData"][0]["Entity"]["KeyAttributes"] = {{"Type", "Service"}, {"Name", ""}};
  e = Error<cw::PutMetricDataInput>("PutMetricData", pmd);
  EXPECT_EQ(e.message,
            "1 validation error detected: Value '{Name=, Type=Service}' at "
            "'entityMetricData.1.member.entity.keyAttributes' failed to satisfy constraint: Map "
            "value must satisfy constraint: [Member must have length greater than or equal to 1]");
}

TEST_P(ValidateTest, AtMostTenViolations) {
  json data = json::array();
  for (int i = 0; i < 25; ++i) data.push_back({{"MetricName", ""}});
  ApiError e =
      Error<cw::PutMetricDataInput>("PutMetricData", {{"Namespace", "ns"}, {"MetricData", data}});
  EXPECT_TRUE(
      e.message.starts_with("10 validation errors detected: Value '' at "
                            "'metricData.1.member.metricName'"))
      << e.message;
  EXPECT_NE(e.message.find("'metricData.10.member.metricName'"), std::string::npos);
  EXPECT_EQ(e.message.find("'metricData.11.member.metricName'"), std::string::npos);
}

TEST_P(ValidateTest, MissingRequiredComesFirstAndIsTheSameEverywhere) {
  ApiError e = Error<cw::PutMetricDataInput>("PutMetricData",
                                             {{"Namespace", ""}, {"MetricData", {{{"Value", 1}}}}});
  EXPECT_EQ(e.code, ErrorCode::kMissingParameter);
  EXPECT_EQ(e.message, "The parameter MetricData.member.1.MetricName is required.");
  e = Error<cw::GetMetricDataInput>(
      "GetMetricData",
      {{"StartTime", 1},
       {"EndTime", 2},
       {"MetricDataQueries", {{{"Id", "a"}, {"MetricStat", {{"Period", 60}, {"Stat", "Sum"}}}}}}});
  EXPECT_EQ(e.message, "The parameter MetricDataQueries.member.1.MetricStat.Metric is required.");
}

}  // namespace
}  // namespace vigil::protocol
