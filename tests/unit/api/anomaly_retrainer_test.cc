// The scheduled anomaly retrainer (include/vigil/api/anomaly_retrainer.h): a pass trains every
// single-metric detector as of the schedule time and persists the model the band would train;
// RunDue follows the schedule; records of deleted detectors go; the persisted model survives a
// new retrainer (a restart) and is what GetMetricData's band serves; through the real Frontend on
// the manual clock, POST /_vigil/clock runs the pass and DescribeAnomalyDetectors reports it.
#include "vigil/api/anomaly_retrainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "api/operations/anomaly_common.h"
#include "query/anomaly_band.h"
#include "unit/api/api_fixture.h"
#include "vigil/alarms/service.h"
#include "vigil/api/anomaly_settings.h"

namespace vigil::api {
namespace {

constexpr int64_t kPeriod = 300;
constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1'795'780'800;  // 2026-11-27T12:00:00Z, a multiple of 300

storage::SeriesKey Key(std::string metric) {
  storage::SeriesKey k{"123456789012", "us-east-1", "anomns", std::move(metric), {}};
  k.Canonicalize();
  return k;
}

double Pattern(int64_t t) {
  return 100 + 50 * std::sin(2 * M_PI * static_cast<double>(t % kDay) / kDay) +
         static_cast<double>((t / kPeriod * 37) % 11 - 5) * 0.4;
}

class RetrainerTest : public ::testing::Test {
 protected:
  RetrainerTest()
      : metrics_(storage::NewMemoryMetricStore()), state_(alarms::NewMemoryStateStore()) {}

  void Put(const std::string& metric, int64_t from, int64_t to) {
    std::vector<storage::Datum> batch;
    for (int64_t t = from; t < to; t += kPeriod) {
      storage::Datum d;
      d.series = Key(metric);
      d.timestamp = Timestamp::FromSeconds(t);
      d.stats.Add(Pattern(t), 1);
      batch.push_back(std::move(d));
    }
    ASSERT_TRUE(metrics_->Write(batch).ok());
  }
  std::string Detector(const std::string& metric, std::optional<std::string> tz = std::nullopt) {
    ops::DetectorRecord d;
    d.series = Key(metric);
    d.stat = "Average";
    d.timezone = std::move(tz);
    alarms::WriteBatch b;
    const std::string key = ops::DetectorKey(d.series, d.stat);
    b.puts.emplace_back(key, ops::EncodeDetector(d));
    EXPECT_TRUE(state_->Write(b).ok());
    return key;
  }
  std::optional<query::TrainedBandModel> Cached(const AnomalyRetrainer& r,
                                                const std::string& metric) {
    auto lookup = r.WithTrainedModels(DetectorSettingsLookup(*state_));
    auto settings = lookup(Key(metric), *query::Statistic::Parse("Average"));
    if (!settings || !settings->trained_model) return std::nullopt;
    EXPECT_EQ(settings->retrain_seconds, r.options().interval_seconds);
    return settings->trained_model(kPeriod);
  }

  std::unique_ptr<storage::MetricStore> metrics_;
  std::unique_ptr<alarms::StateStore> state_;
};

TEST_F(RetrainerTest, PassTrainsEveryDetectorAndPersistsTheBandsModel) {
  Put("week", kNow - 7 * kDay, kNow + 3600);  // data after the pass time is not used
  Put("little", kNow - 900, kNow);
  const std::string week = Detector("week", "Europe/Berlin");
  const std::string little = Detector("little");
  const std::string none = Detector("none");
  AnomalyRetrainer r(*state_, *metrics_);
  const RetrainReport report = r.RetrainAll(Timestamp::FromSeconds(kNow));
  EXPECT_TRUE(report.ran);
  EXPECT_EQ(report.detectors, 3);
  EXPECT_EQ(report.trained, 1);
  EXPECT_EQ(report.insufficient, 1);
  EXPECT_EQ(report.pending, 1);
  EXPECT_EQ(report.errors, 0);
  EXPECT_EQ(PersistedTrainingState(*state_, week), "TRAINED");
  EXPECT_EQ(PersistedTrainingState(*state_, little), "TRAINED_INSUFFICIENT_DATA");
  EXPECT_EQ(PersistedTrainingState(*state_, none), "PENDING_TRAINING");
  EXPECT_EQ(PersistedTrainingState(*state_, week, 60), std::nullopt) << "another period";

  // The persisted model is, byte for byte, the one the band trains for the block at kNow.
  auto cached = Cached(r, "week");
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->trained_at, Timestamp::FromSeconds(kNow));
  EXPECT_EQ(cached->timezone, "Europe/Berlin");
  query::MetricQuery q;
  q.series = Key("week");
  q.statistic = *query::Statistic::Parse("Average");
  q.period_seconds = kPeriod;
  query::AnomalyBandSettings s;
  s.timezone = "Europe/Berlin";
  auto fresh = query::internal::TrainBandModel(*metrics_, q, s, Timestamp::FromSeconds(kNow),
                                               Timestamp::FromSeconds(kNow + 7200));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(cached->model.Serialize(), fresh->Serialize());

  // A new retrainer over the same store (a restart) serves the same model before any pass.
  AnomalyRetrainer restarted(*state_, *metrics_);
  auto again = Cached(restarted, "week");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->model.Serialize(), cached->model.Serialize());
}

TEST_F(RetrainerTest, RunDueFollowsTheSchedule) {
  Put("week", kNow - 7 * kDay, kNow);
  Detector("week");
  RetrainerOptions o;
  o.interval_seconds = 600;
  AnomalyRetrainer r(*state_, *metrics_, o);
  const int64_t t0 = kNow - kNow % 600;
  RetrainReport a = r.RunDue(Timestamp::FromSeconds(t0 + 10));
  EXPECT_TRUE(a.ran);
  EXPECT_EQ(a.as_of, Timestamp::FromSeconds(t0));
  EXPECT_FALSE(r.RunDue(Timestamp::FromSeconds(t0 + 599)).ran) << "same schedule time";
  RetrainReport b = r.RunDue(Timestamp::FromSeconds(t0 + 3 * 600 + 1));
  EXPECT_TRUE(b.ran) << "a jump runs one pass, as of the latest schedule time";
  EXPECT_EQ(b.as_of, Timestamp::FromSeconds(t0 + 3 * 600));
  EXPECT_EQ(Cached(r, "week")->trained_at, Timestamp::FromSeconds(t0 + 3 * 600));
}

TEST_F(RetrainerTest, DeletedDetectorsLoseTheirModels) {
  Put("a", kNow - 2 * kDay, kNow);
  Put("b", kNow - 2 * kDay, kNow);
  const std::string a = Detector("a");
  Detector("b");
  AnomalyRetrainer r(*state_, *metrics_);
  EXPECT_EQ(r.RetrainAll(Timestamp::FromSeconds(kNow)).removed, 0);
  ASSERT_TRUE(PersistedTrainingState(*state_, a).has_value());
  alarms::WriteBatch del;
  del.deletes.push_back(a);
  ASSERT_TRUE(state_->Write(del).ok());
  const RetrainReport next = r.RetrainAll(Timestamp::FromSeconds(kNow + kPeriod));
  EXPECT_EQ(next.detectors, 1);
  EXPECT_EQ(next.removed, 1);
  EXPECT_FALSE(PersistedTrainingState(*state_, a).has_value());
}

// Through the Frontend on the manual clock.
class RetrainerApiTest : public ::testing::Test {
 protected:
  RetrainerApiTest()
      : metrics_(storage::NewMemoryMetricStore()),
        state_(alarms::NewMemoryStateStore()),
        service_(*state_, *metrics_, notifier_),
        retrainer_(*state_, *metrics_) {
    EXPECT_TRUE(service_.Load().ok());
    Services s;
    s.metrics = metrics_.get();
    s.clock = &clock_;
    s.alarms = &service_;
    s.manual_clock = &clock_;
    s.anomaly_retrainer = &retrainer_;
    frontend_ = std::make_unique<Frontend>(s);
  }
  nlohmann::json Post(std::string path, std::string body) {
    HttpRequest r;
    r.method = "POST";
    r.target = std::move(path);
    r.body = std::move(body);
    HttpResponse resp = frontend_->Handle(r);
    EXPECT_EQ(resp.status, 200) << resp.body;
    return nlohmann::json::parse(resp.body, nullptr, false);
  }
  template <typename In, typename Out>
  void Call(std::string_view op, const In& in, Out& out) {
    auto e = vigil::testing::Call(*frontend_, protocol::Protocol::kJson10, op, in, out,
                                  "AKIDEXAMPLE");
    ASSERT_FALSE(e) << e->code << ": " << e->message;
  }
  std::string State() {
    model::cw::DescribeAnomalyDetectorsInput in;
    model::cw::DescribeAnomalyDetectorsOutput out;
    Call("DescribeAnomalyDetectors", in, out);
    if (!out.anomaly_detectors || out.anomaly_detectors->size() != 1) {
      ADD_FAILURE() << "expected one detector";
      return "";
    }
    return out.anomaly_detectors->front().state_value.value_or("");
  }
  void PutData(int64_t from, int64_t to) {
    std::vector<model::cw::MetricDatum> batch;
    for (int64_t t = from; t < to; t += kPeriod) {
      batch.push_back(testing::Datum("cpu", Pattern(t), t));
      if (batch.size() == 1000 || t + kPeriod >= to) {
        auto e = vigil::testing::Call(*frontend_, protocol::Protocol::kJson10, "PutMetricData",
                                      testing::Put("anomns", std::move(batch)), "AKIDEXAMPLE");
        ASSERT_FALSE(e) << e->code << ": " << e->message;
        batch.clear();
      }
    }
  }

  ManualClock clock_{Timestamp::FromSeconds(kNow)};
  std::unique_ptr<storage::MetricStore> metrics_;
  std::unique_ptr<alarms::StateStore> state_;
  alarms::LoggingNotifier notifier_;
  alarms::AlarmService service_;
  AnomalyRetrainer retrainer_;
  std::unique_ptr<Frontend> frontend_;
};

TEST_F(RetrainerApiTest, ClockMoveRetrainsAndDescribeReportsThePersistedState) {
  model::cw::PutAnomalyDetectorInput put;
  put.namespace_ = "anomns";
  put.metric_name = "cpu";
  put.stat = "Average";
  model::cw::PutAnomalyDetectorOutput put_out;
  Call("PutAnomalyDetector", put, put_out);
  PutData(kNow - 1200, kNow);  // 4 points: too few for a band
  nlohmann::json j = Post("/_vigil/clock", R"({"advance": 1})");
  EXPECT_EQ(j["retrained"], 1);
  EXPECT_EQ(State(), "TRAINED_INSUFFICIENT_DATA");
  // A week of history arrives (PutMetricData takes two weeks back): the state is the persisted
  // training's until the next pass, not an estimate from the data.
  PutData(kNow - 7 * kDay, kNow - 1200);
  EXPECT_EQ(State(), "TRAINED_INSUFFICIENT_DATA");
  j = Post("/_vigil/clock", R"({"advance": 100})");
  EXPECT_EQ(j["retrained"], 0) << "the next pass is due at kNow + 300";
  j = Post("/_vigil/clock", R"({"advance": 200})");
  EXPECT_EQ(j["retrained"], 1);
  EXPECT_EQ(State(), "TRAINED");
}

}  // namespace
}  // namespace vigil::api
