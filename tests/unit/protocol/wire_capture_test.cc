// Every real client capture decodes to the struct the client meant.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "unit/protocol/test_util.h"

namespace vigil::protocol {
namespace {

using namespace vigil::protocol::testing;  // NOLINT

// "boto3-json-PutMetricData-gzip.http" -> "PutMetricData".
std::string OperationOf(const std::string& file) {
  for (const char* op :
       {"PutMetricData", "GetMetricData", "PutMetricAlarm", "DescribeAlarms", "SetAlarmState"}) {
    if (file.find(std::string("-") + op) != std::string::npos) return op;
  }
  return {};
}

void CheckPutMetricData(const std::string& file, const cw::PutMetricDataInput& in) {
  SCOPED_TRACE(file);
  ASSERT_TRUE(in.metric_data.has_value());
  const auto& data = *in.metric_data;
  EXPECT_TRUE(in.namespace_.ends_with("/json") || in.namespace_.ends_with("/query") ||
              in.namespace_.ends_with("/smithy-rpc-v2-cbor") || in.namespace_ == "Cli/Test" ||
              in.namespace_ == "Cli/Big" || in.namespace_ == "Js/Test")
      << in.namespace_;
  if (in.namespace_.ends_with("Big") || file.find("gzip") != std::string::npos) {
    // 200 datums (more than the SDKs' 10 KB gzip threshold), 20 series, Value = index.
    ASSERT_GE(data.size(), 100u);
    for (size_t i = 0; i < data.size(); ++i) {
      EXPECT_EQ(data[i].metric_name, "Big");
      ASSERT_TRUE(data[i].value.has_value());
      EXPECT_EQ(*data[i].value, static_cast<double>(i));
      ASSERT_TRUE(data[i].dimensions.has_value());
      ASSERT_EQ(data[i].dimensions->size(), 1u);
      EXPECT_EQ((*data[i].dimensions)[0].name, "Series");
      EXPECT_EQ((*data[i].dimensions)[0].value, std::string("s").append(std::to_string(i % 20)));
    }
    return;
  }
  ASSERT_GE(data.size(), 1u);
  const auto& d0 = data[0];
  EXPECT_EQ(d0.metric_name, "Latency");
  ASSERT_TRUE(d0.value.has_value());
  EXPECT_EQ(*d0.value, 12.5);
  EXPECT_EQ(d0.unit, std::optional<std::string>("Milliseconds"));
  ASSERT_TRUE(d0.timestamp.has_value());
  EXPECT_EQ(d0.timestamp->millis % 60000, 0);
  ASSERT_TRUE(d0.dimensions.has_value());
  EXPECT_EQ((*d0.dimensions)[0].name, "Host");
  EXPECT_EQ((*d0.dimensions)[0].value, "h1");
  if (data.size() >= 2) {
    const auto& d1 = data[1];
    ASSERT_TRUE(d1.values.has_value());
    ASSERT_TRUE(d1.counts.has_value());
    EXPECT_EQ(d1.values->size(), d1.counts->size());
    EXPECT_EQ((*d1.values)[0], 1.0);
    EXPECT_EQ(d1.timestamp->millis - d0.timestamp->millis, 60000);
    EXPECT_FALSE(d1.value.has_value());
  }
  if (data.size() >= 3) {
    const auto& d2 = data[2];
    ASSERT_TRUE(d2.statistic_values.has_value());
    EXPECT_EQ(d2.statistic_values->sample_count, 4.0);
    EXPECT_EQ(d2.statistic_values->sum, 40.0);
    EXPECT_EQ(d2.statistic_values->minimum, 5.0);
    EXPECT_EQ(d2.statistic_values->maximum, 15.0);
    EXPECT_EQ(d2.storage_resolution, std::optional<int32_t>(60));
  }
}

void CheckGetMetricData(const std::string& file, const cw::GetMetricDataInput& in) {
  SCOPED_TRACE(file);
  ASSERT_GE(in.metric_data_queries.size(), 1u);
  const auto& q = in.metric_data_queries[0];
  EXPECT_FALSE(q.id.empty());
  ASSERT_TRUE(q.metric_stat.has_value());
  EXPECT_EQ(q.metric_stat->period, 60);
  EXPECT_EQ(q.metric_stat->metric.metric_name, std::optional<std::string>("Latency"));
  ASSERT_TRUE(q.metric_stat->metric.dimensions.has_value());
  EXPECT_EQ((*q.metric_stat->metric.dimensions)[0].value, "h1");
  EXPECT_GT(in.end_time, in.start_time);
  if (in.metric_data_queries.size() == 2) {
    EXPECT_EQ(in.metric_data_queries[1].return_data, std::optional<bool>(true));
    EXPECT_EQ(in.metric_data_queries[1].metric_stat->stat, "Sum");
    EXPECT_EQ(in.end_time.millis - in.start_time.millis, 900000);
  }
}

void CheckPutMetricAlarm(const std::string& file, const cw::PutMetricAlarmInput& in) {
  SCOPED_TRACE(file);
  EXPECT_FALSE(in.alarm_name.empty());
  EXPECT_EQ(in.metric_name, std::optional<std::string>("Latency"));
  EXPECT_EQ(in.statistic, std::optional<std::string>("Average"));
  EXPECT_EQ(in.period, std::optional<int32_t>(60));
  EXPECT_EQ(in.comparison_operator, std::optional<std::string>("GreaterThanThreshold"));
  ASSERT_TRUE(in.threshold.has_value());
  EXPECT_GT(*in.threshold, 0);
  ASSERT_TRUE(in.evaluation_periods.has_value());
  ASSERT_TRUE(in.dimensions.has_value());
  EXPECT_EQ((*in.dimensions)[0].name, "Host");
  if (in.alarm_actions) {
    EXPECT_EQ((*in.alarm_actions)[0], "arn:aws:sns:us-east-1:123456789012:topic");
    EXPECT_EQ(in.treat_missing_data, std::optional<std::string>("notBreaching"));
    EXPECT_EQ(in.datapoints_to_alarm, std::optional<int32_t>(2));
    EXPECT_EQ(in.unit, std::optional<std::string>("Milliseconds"));
  }
}

void CheckCapture(const std::filesystem::path& file, std::set<std::string>* seen_ops) {
  std::string name = file.filename().string();
  SCOPED_TRACE(name);
  HttpRequest r = LoadCapture(file);
  ASSERT_FALSE(r.body.empty());
  auto call = Parse(r, kCloudWatchService);
  ASSERT_TRUE(call.ok()) << call.error().message;
  std::string op = OperationOf(name);
  EXPECT_EQ((*call)->operation(), op);
  if (name.find("-cbor-") != std::string::npos) {
    EXPECT_EQ((*call)->protocol(), Protocol::kRpcV2Cbor);
  } else if (name.find("-query-") != std::string::npos) {
    EXPECT_EQ((*call)->protocol(), Protocol::kQuery);
    EXPECT_EQ((*call)->version(), "2010-08-01");
  } else {
    EXPECT_EQ((*call)->protocol(), Protocol::kJson10);
    EXPECT_TRUE((*call)->query_mode());
  }
  const model::Operation* operation = model::cw::FindOperation(op);
  ASSERT_NE(operation, nullptr);
  void* obj = operation->input->create();
  Status st = (*call)->DecodeInput(*operation->input, obj);
  EXPECT_TRUE(st.ok()) << st.error().message;
  if (st.ok()) {
    if (op == "PutMetricData") CheckPutMetricData(name, *static_cast<cw::PutMetricDataInput*>(obj));
    if (op == "GetMetricData") CheckGetMetricData(name, *static_cast<cw::GetMetricDataInput*>(obj));
    if (op == "PutMetricAlarm") {
      CheckPutMetricAlarm(name, *static_cast<cw::PutMetricAlarmInput*>(obj));
    }
    if (op == "DescribeAlarms") {
      auto* in = static_cast<cw::DescribeAlarmsInput*>(obj);
      ASSERT_TRUE(in->alarm_names.has_value());
      EXPECT_EQ(in->alarm_names->size(), 1u);
    }
    if (op == "SetAlarmState") {
      auto* in = static_cast<cw::SetAlarmStateInput*>(obj);
      EXPECT_EQ(in->state_value, "ALARM");
      EXPECT_FALSE(in->alarm_name.empty());
      EXPECT_FALSE(in->state_reason.empty());
    }
  }
  operation->input->destroy(obj);
  if (seen_ops) seen_ops->insert(name.substr(0, name.find(op)) + op);
}

size_t CheckAllIn(const std::filesystem::path& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".http") continue;
    CheckCapture(e.path(), nullptr);
    ++n;
  }
  return n;
}

TEST(WireCaptureTest, EveryCaptureDecodes) { EXPECT_GE(CheckAllIn(TestDataDir()), 37u); }

// The same PutMetricData through the three boto3 protocols decodes to the same struct
// (namespaces differ by design).
TEST(WireCaptureTest, Boto3ProtocolsAgree) {
  auto decode = [](const char* file) {
    cw::PutMetricDataInput in;
    Status st = Decode(LoadCapture(TestDataDir() / file), in);
    EXPECT_TRUE(st.ok()) << file;
    return in;
  };
  auto j = decode("boto3-json-PutMetricData.http");
  auto c = decode("boto3-cbor-PutMetricData.http");
  auto q = decode("boto3-query-PutMetricData.http");
  EXPECT_EQ(j.namespace_, "Wire/json");
  EXPECT_EQ(c.namespace_, "Wire/smithy-rpc-v2-cbor");
  EXPECT_EQ(q.namespace_, "Wire/query");
  ASSERT_EQ(j.metric_data->size(), 3u);
  ASSERT_EQ(c.metric_data->size(), 3u);
  ASSERT_EQ(q.metric_data->size(), 3u);
  // JSON and CBOR were sent in the same second; the query capture a minute later in ISO form.
  EXPECT_EQ((*j.metric_data)[0].timestamp, Timestamp::FromSeconds(1795779420));
  EXPECT_EQ((*c.metric_data)[0].timestamp, Timestamp::FromSeconds(1795779420));
  EXPECT_EQ((*q.metric_data)[0].timestamp, ParseTimestamp("2026-11-27T11:37:00Z"));
  for (const auto* in : {&c, &q}) {
    for (size_t i = 0; i < 3; ++i) {
      const auto& a = (*j.metric_data)[i];
      const auto& b = (*in->metric_data)[i];
      EXPECT_EQ(a.metric_name, b.metric_name);
      EXPECT_EQ(a.value, b.value);
      EXPECT_EQ(a.values, b.values);
      EXPECT_EQ(a.counts, b.counts);
      EXPECT_EQ(a.unit, b.unit);
      EXPECT_EQ(a.storage_resolution, b.storage_resolution);
      EXPECT_EQ(a.dimensions->size(), b.dimensions->size());
      EXPECT_EQ((*a.dimensions)[1].value, (*b.dimensions)[1].value);
    }
  }
}

// Decoding is stateless apart from per-thread buffers: threads decoding different protocols at
// once get the same answers as one thread.
TEST(WireCaptureTest, ConcurrentDecodes) {
  const char* files[] = {"boto3-json-PutMetricData-gzip.http", "boto3-cbor-PutMetricData-gzip.http",
                         "boto3-query-PutMetricData-gzip.http", "boto3-json-GetMetricData.http"};
  std::vector<HttpRequest> requests;
  for (const char* f : files) requests.push_back(LoadCapture(TestDataDir() / f));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const HttpRequest& r = requests[(t + i) % requests.size()];
        auto call = Parse(r, kCloudWatchService);
        if (!call.ok()) {
          ++failures;
          continue;
        }
        const model::Operation* op = model::cw::FindOperation((*call)->operation());
        void* obj = op->input->create();
        if (!(*call)->DecodeInput(*op->input, obj).ok()) ++failures;
        if (op->name == "PutMetricData" &&
            static_cast<cw::PutMetricDataInput*>(obj)->metric_data->size() != 200) {
          ++failures;
        }
        op->input->destroy(obj);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace vigil::protocol
