// A fixture for API tests parameterised over the three wire protocols: the real Frontend over the
// memory store, a ManualClock, and helpers to call operations and check AWS errors.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "unit/api/wire_client.h"
#include "vigil/alarms/notifier.h"
#include "vigil/alarms/service.h"
#include "vigil/alarms/state_store.h"
#include "vigil/api/frontend.h"
#include "vigil/model/cloudwatch.h"
#include "vigil/storage/metric_store.h"

namespace vigil::api::testing {

namespace cw = model::cw;
using protocol::Protocol;
using vigil::testing::WireError;

inline constexpr int64_t kFixtureNow = 1'795'780'800;  // 2026-11-27T12:00:00Z

inline cw::MetricDatum Datum(std::string name, double value, int64_t ts,
                             std::vector<cw::Dimension> dims = {}) {
  cw::MetricDatum d;
  d.metric_name = std::move(name);
  d.value = value;
  d.timestamp = Timestamp::FromSeconds(ts);
  if (!dims.empty()) d.dimensions = std::move(dims);
  return d;
}

// prefix + n, without operator+ on a temporary (g++ 12 warns falsely about it at -O2).
inline std::string Numbered(std::string_view prefix, long long n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

inline cw::PutMetricDataInput Put(std::string ns, std::vector<cw::MetricDatum> data) {
  cw::PutMetricDataInput in;
  in.namespace_ = std::move(ns);
  in.metric_data = std::move(data);
  return in;
}

inline std::string ProtocolParamName(const ::testing::TestParamInfo<Protocol>& info) {
  return std::string(protocol::ProtocolName(info.param));
}

class ProtocolApiTest : public ::testing::TestWithParam<Protocol> {
 protected:
  ProtocolApiTest() : store_(storage::NewMemoryMetricStore()) {
    Services s;
    s.metrics = store_.get();
    s.clock = &clock_;
    frontend_ = std::make_unique<Frontend>(s);
  }

  template <typename In, typename Out>
  requires(!std::is_convertible_v<Out&, std::string_view>) std::optional<WireError> Do(
      std::string_view op, const In& in, Out& out, std::string_view key = "AKIDEXAMPLE") {
    return vigil::testing::Call(*frontend_, GetParam(), op, in, out, key);
  }
  template <typename In>
  std::optional<WireError> Do(std::string_view op, const In& in,
                              std::string_view key = "AKIDEXAMPLE") {
    return vigil::testing::Call(*frontend_, GetParam(), op, in, key);
  }
  void PutOk(const cw::PutMetricDataInput& in) {
    auto e = Do("PutMetricData", in);
    ASSERT_FALSE(e) << e->code << ": " << e->message;
  }
  static void ExpectError(const std::optional<WireError>& e, int status, std::string_view code,
                          std::string_view message = {}) {
    ASSERT_TRUE(e.has_value()) << "expected " << code;
    EXPECT_EQ(e->status, status);
    EXPECT_EQ(e->code, code) << e->message;
    if (!message.empty()) {
      EXPECT_EQ(e->message, message);
    }
  }
  ManualClock clock_{Timestamp::FromSeconds(kFixtureNow)};
  std::unique_ptr<storage::MetricStore> store_;
  std::unique_ptr<Frontend> frontend_;
};

// ProtocolApiTest with an alarm service over a memory state store (what the alarm and anomaly
// detector operations need); actions are only logged.
class AlarmProtocolApiTest : public ProtocolApiTest {
 protected:
  AlarmProtocolApiTest()
      : state_(alarms::NewMemoryStateStore()), service_(*state_, *store_, notifier_) {
    EXPECT_TRUE(service_.Load().ok());
    Services s;
    s.metrics = store_.get();
    s.clock = &clock_;
    s.alarms = &service_;
    frontend_ = std::make_unique<Frontend>(s);
  }

  std::unique_ptr<alarms::StateStore> state_;
  alarms::LoggingNotifier notifier_;
  alarms::AlarmService service_;
};

#define VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(Suite)                                                 \
  INSTANTIATE_TEST_SUITE_P(                                                                        \
      Protocols, Suite,                                                                            \
      ::testing::Values(::vigil::protocol::Protocol::kQuery, ::vigil::protocol::Protocol::kJson10, \
                        ::vigil::protocol::Protocol::kRpcV2Cbor),                                  \
      &::vigil::api::testing::ProtocolParamName)

}  // namespace vigil::api::testing
