// MetricMathAnomalyDetector settings applied to ANOMALY_DETECTION_BAND over an expression
// (docs/anomaly-detection.md "Metric math detectors"): the matching rule of
// MathDetectorSettingsLookup (the sub-graph the band's expression reads, labels and ReturnData
// aside), and through the real dispatch in all three protocols: a detector's ExcludedTimeRanges
// change the band of GetMetricData, which then equals the library's training with those options,
// and deleting the detector brings the default band back.
#include <gtest/gtest.h>

#include <cmath>

#include "api/operations/anomaly_common.h"
#include "query/anomaly_band.h"
#include "unit/api/api_fixture.h"
#include "vigil/alarms/service.h"
#include "vigil/anomaly/model.h"
#include "vigil/api/anomaly_settings.h"

namespace vigil::api::testing {
namespace {

constexpr int64_t kNow = kFixtureNow;  // 2026-11-27T12:00:00Z
constexpr int64_t kDay = 86400;
constexpr int64_t kPeriod = 300;
constexpr int64_t kOutageStart = kNow - 9 * 3600;
constexpr int64_t kOutageEnd = kNow - 6 * 3600;  // the start of the requested range

double Pattern(int64_t t) {
  return 100 + 50 * std::sin(2 * M_PI * static_cast<double>(t % kDay) / kDay) +
         static_cast<double>((t / kPeriod * 37) % 11 - 5) * 0.4;
}
double Value(int64_t t) { return t >= kOutageStart && t < kOutageEnd ? 0.0 : Pattern(t); }

// --- the matching rule, on the lookup itself ---------------------------------------------------

alarms::MetricQuerySpec Stat(std::string id, std::string metric, int period = 300) {
  alarms::MetricQuerySpec q;
  q.id = std::move(id);
  q.metric_stat = alarms::MetricStatSpec{"anomns", std::move(metric), {}, period, "Average", {}};
  q.return_data = false;
  return q;
}
alarms::MetricQuerySpec Expr(std::string id, std::string expression, bool returning) {
  alarms::MetricQuerySpec q;
  q.id = std::move(id);
  q.expression = std::move(expression);
  q.return_data = returning;
  return q;
}

class MathDetectorLookupTest : public ::testing::Test {
 protected:
  MathDetectorLookupTest() : state_(alarms::NewMemoryStateStore()) {
    ops::MathDetectorRecord d;
    auto m1 = Stat("m1", "cpu");
    m1.label = "CPU";
    d.queries = {m1, Stat("m2", "mem"), Expr("e0", "m1 + m2", false), Expr("e1", "e0 * 2", true)};
    d.excluded.emplace_back(Timestamp::FromSeconds(kOutageStart),
                            Timestamp::FromSeconds(kOutageEnd));
    d.timezone = "Europe/Berlin";
    d.periodic_spikes = true;
    key_ = ops::MathDetectorKey("123456789012", "us-east-1", d.queries);
    alarms::WriteBatch b;
    b.puts.emplace_back(key_, ops::EncodeMathDetector(d));
    EXPECT_TRUE(state_->Write(b).ok());
  }

  // A request as GetMetricData builds it: the detector's queries in another order, other labels
  // and ReturnData, an unrelated query and the band.
  static std::vector<query::MetricDataQuery> Request(std::string account = "123456789012") {
    ops::MathDetectorRecord r;
    auto m2 = Stat("m2", "mem");
    m2.return_data = true;
    m2.label = "memory";
    r.queries = {Expr("e1", "e0 * 2", false),
                 m2,
                 Stat("m1", "cpu"),
                 Stat("m9", "disk"),
                 Expr("e0", "m1 + m2", true),
                 Expr("band", "ANOMALY_DETECTION_BAND(e1)", true)};
    return ops::MathDetectorQueries(account, "us-east-1", r);
  }

  std::optional<query::AnomalyBandSettings> Find(const std::vector<query::MetricDataQuery>& q,
                                                 std::string_view id) {
    return MathDetectorSettingsLookup(*state_)(q, id);
  }

  std::unique_ptr<alarms::StateStore> state_;
  std::string key_;
};

TEST_F(MathDetectorLookupTest, TheSubgraphOfTheBandsExpressionMatches) {
  auto found = Find(Request(), "e1");
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->excluded.size(), 1u);
  EXPECT_EQ(found->excluded[0].first, Timestamp::FromSeconds(kOutageStart));
  EXPECT_EQ(found->timezone, "Europe/Berlin");
  EXPECT_TRUE(found->periodic_spikes);
  EXPECT_EQ(found->detector, key_);
  EXPECT_FALSE(found->trained_model) << "the retrainer's wrapper adds the model";
}

TEST_F(MathDetectorLookupTest, AnythingTheExpressionReadsMustBeTheSame) {
  EXPECT_FALSE(Find(Request(), "e0").has_value()) << "e0 is not the detector's returning query";
  EXPECT_FALSE(Find(Request("210987654321"), "e1").has_value()) << "another account";
  auto other_text = Request();
  other_text[0].expression = "e0 * 3";
  EXPECT_FALSE(Find(other_text, "e1").has_value());
  auto deeper = Request();
  deeper[4].expression = "m1 - m2";  // a query e1 reads through e0
  EXPECT_FALSE(Find(deeper, "e1").has_value());
  auto period = Request();
  period[2].period_seconds = 60;
  EXPECT_FALSE(Find(period, "e1").has_value());
  auto stat = Request();
  stat[1].statistic = *query::Statistic::Parse("Maximum");
  EXPECT_FALSE(Find(stat, "e1").has_value());
  auto missing = Request();
  missing.erase(missing.begin() + 1);  // no m2
  EXPECT_FALSE(Find(missing, "e1").has_value());
  // What e1 does not read does not count.
  auto unrelated = Request();
  unrelated[3].period_seconds = 60;
  unrelated[3].label = "anything";
  EXPECT_TRUE(Find(unrelated, "e1").has_value());
}

TEST_F(MathDetectorLookupTest, DetectorPeriodIsTheSmallestPeriodTheExpressionReads) {
  auto q = Request();
  EXPECT_EQ(ops::MathDetectorPeriod(q, "e1"), 300);
  q[2].period_seconds = 60;  // m1
  EXPECT_EQ(ops::MathDetectorPeriod(q, "e1"), 60);
  q[3].period_seconds = 10;  // m9: not read by e1
  EXPECT_EQ(ops::MathDetectorPeriod(q, "e1"), 60);
  ops::MathDetectorRecord search;
  search.queries = {Expr("s1", "SEARCH('{anomns} cpu', 'Average', 3600)", true)};
  auto only_search = ops::MathDetectorQueries("123456789012", "us-east-1", search);
  EXPECT_EQ(ops::MathDetectorPeriod(only_search, "s1"), 300);
  only_search[0].period_seconds = 3600;
  EXPECT_EQ(ops::MathDetectorPeriod(only_search, "s1"), 3600);
}

// --- through GetMetricData -------------------------------------------------------------------

class MathDetectorApiTest : public AlarmProtocolApiTest {
 protected:
  MathDetectorApiTest() {
    std::vector<cw::MetricDatum> batch;
    for (int64_t t = kNow - 4 * kDay; t < kNow; t += kPeriod) {
      batch.push_back(Datum("cpu", Value(t), t));
      if (batch.size() == 1000) {
        PutOk(Put("anomns", std::move(batch)));
        batch.clear();
      }
    }
    if (!batch.empty()) PutOk(Put("anomns", std::move(batch)));
  }

  static std::vector<cw::MetricDataQuery> Queries() {
    cw::MetricDataQuery m;
    m.id = "m1";
    m.metric_stat = cw::MetricStat{cw::Metric{"anomns", "cpu", std::nullopt}, 300, "Average", {}};
    m.return_data = false;
    cw::MetricDataQuery e;
    e.id = "e1";
    e.expression = "m1 * 2";
    e.return_data = true;
    return {m, e};
  }
  cw::PutAnomalyDetectorInput Detector() {
    cw::PutAnomalyDetectorInput in;
    in.metric_math_anomaly_detector.emplace();
    in.metric_math_anomaly_detector->metric_data_queries = Queries();
    in.configuration.emplace();
    in.configuration->excluded_time_ranges = std::vector<cw::Range>{
        {Timestamp::FromSeconds(kOutageStart), Timestamp::FromSeconds(kOutageEnd)}};
    return in;
  }
  struct Band {
    std::vector<Timestamp> times;
    std::vector<double> upper, lower;
  };
  Band GetBand() {
    cw::GetMetricDataInput in;
    in.metric_data_queries = Queries();
    cw::MetricDataQuery b;
    b.id = "band";
    b.expression = "ANOMALY_DETECTION_BAND(e1)";
    in.metric_data_queries.push_back(b);
    in.start_time = Timestamp::FromSeconds(kOutageEnd);
    in.end_time = Timestamp::FromSeconds(kNow);
    in.scan_by = "TimestampAscending";
    cw::GetMetricDataOutput out;
    auto e = Do("GetMetricData", in, out);
    EXPECT_FALSE(e) << e->code << ": " << e->message;
    Band band;
    if (e || !out.metric_data_results || out.metric_data_results->size() != 3) {
      ADD_FAILURE() << "expected e1 and the two band series";
      return band;
    }
    const auto& r = *out.metric_data_results;
    band.times = r[1].timestamps.value_or(std::vector<Timestamp>{});
    band.upper = r[1].values.value_or(std::vector<double>{});
    band.lower = r[2].values.value_or(std::vector<double>{});
    EXPECT_EQ(r[1].timestamps, r[2].timestamps);
    return band;
  }
};

TEST_P(MathDetectorApiTest, ExcludedRangesOfTheDetectorShapeTheExpressionsBand) {
  const Band plain = GetBand();
  cw::PutAnomalyDetectorOutput put_out;
  auto e = Do("PutAnomalyDetector", Detector(), put_out);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  const Band excluded = GetBand();
  ASSERT_EQ(plain.times.size(), 72u);
  ASSERT_EQ(excluded.times, plain.times);
  EXPECT_NE(excluded.upper, plain.upper);

  // The library's training with the detector's options, per block of the schedule (10 minutes:
  // 6 hours are more than 48 five-minute blocks), on the expression's values (2 × the metric).
  std::vector<anomaly::Point> history;
  for (int64_t t = kNow - 4 * kDay; t < kNow; t += kPeriod) {
    history.push_back({Timestamp::FromSeconds(t), Value(t) * 2});
  }
  anomaly::TrainingOptions options;
  options.period_seconds = kPeriod;
  options.excluded.push_back(
      {Timestamp::FromSeconds(kOutageStart), Timestamp::FromSeconds(kOutageEnd)});
  options.clamp = anomaly::UnitClamp::kNonNegative;  // no negative value in the window
  for (size_t i = 0; i < excluded.times.size(); ++i) {
    const int64_t t = excluded.times[i].seconds();
    const int64_t block = t - t % 600;
    std::vector<anomaly::Point> before;
    for (const auto& p : history) {
      if (p.t.seconds() >= block - 14 * kDay && p.t.seconds() + kPeriod <= block) {
        before.push_back(p);
      }
    }
    auto model = anomaly::Model::Train(before, options, Timestamp::FromSeconds(block));
    ASSERT_TRUE(model.ok()) << model.error().message;
    const auto want = model->BandAt(excluded.times[i], 2);
    ASSERT_TRUE(want.has_value());
    EXPECT_DOUBLE_EQ(excluded.upper[i], want->upper) << "at " << t;
    EXPECT_DOUBLE_EQ(excluded.lower[i], want->lower) << "at " << t;
  }

  // Without the detector, the default band again.
  cw::DeleteAnomalyDetectorInput del;
  del.metric_math_anomaly_detector = Detector().metric_math_anomaly_detector;
  cw::DeleteAnomalyDetectorOutput del_out;
  e = Do("DeleteAnomalyDetector", del, del_out);
  ASSERT_FALSE(e) << e->code << ": " << e->message;
  const Band again = GetBand();
  EXPECT_EQ(again.upper, plain.upper);
  EXPECT_EQ(again.lower, plain.lower);
}

VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(MathDetectorApiTest);

}  // namespace
}  // namespace vigil::api::testing
