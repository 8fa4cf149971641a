// The scheduled anomaly retrainer (include/vigil/api/anomaly_retrainer.h): a pass trains every
// single-metric detector as of the schedule time and persists the model the band would train;
// RunDue follows the schedule; records of deleted detectors go; the persisted model survives a
// new retrainer (a restart) and is what GetMetricData's band serves; through the real Frontend on
// the manual clock, POST /_vigil/clock runs the pass and DescribeAnomalyDetectors reports it.
// Metric math detectors likewise: the pass trains the returning expression, the record survives a
// restart, the band of its block is the persisted model bit for bit, a later spike leaves the
// earlier band values unchanged, and Describe reports the persisted training.
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

  // A metric math detector on `metric`: m1 (its Average at 300 s), e1 = m1 * 2 returning.
  static ops::MathDetectorRecord MathRecord(const std::string& metric) {
    ops::MathDetectorRecord d;
    alarms::MetricQuerySpec m;
    m.id = "m1";
    m.metric_stat = alarms::MetricStatSpec{"anomns", metric, {}, kPeriod, "Average", {}};
    m.return_data = false;
    alarms::MetricQuerySpec e;
    e.id = "e1";
    e.expression = "m1 * 2";
    d.queries = {m, e};
    d.timezone = "Europe/Berlin";
    return d;
  }
  std::string MathDetector(const ops::MathDetectorRecord& d) {
    alarms::WriteBatch b;
    const std::string key = ops::MathDetectorKey("123456789012", "us-east-1", d.queries);
    b.puts.emplace_back(key, ops::EncodeMathDetector(d));
    EXPECT_TRUE(state_->Write(b).ok());
    return key;
  }
  // GetMetricData of the detector's queries and ANOMALY_DETECTION_BAND(e1) over [from, to).
  query::MetricDataRequest MathRequest(const ops::MathDetectorRecord& d, int64_t from, int64_t to) {
    ops::MathDetectorRecord with_band = d;
    alarms::MetricQuerySpec band;
    band.id = "band";
    band.expression = "ANOMALY_DETECTION_BAND(e1)";
    with_band.queries.push_back(band);
    query::MetricDataRequest r;
    r.queries = ops::MathDetectorQueries("123456789012", "us-east-1", with_band);
    r.start = Timestamp::FromSeconds(from);
    r.end = Timestamp::FromSeconds(to);
    r.order = query::ScanOrder::kTimestampAscending;
    return r;
  }
  // The band's (upper, lower) values.
  std::pair<std::vector<double>, std::vector<double>> Band(const query::MetricDataRequest& r,
                                                           int64_t now) {
    auto page = query::GetMetricData(*metrics_, r, Timestamp::FromSeconds(now));
    EXPECT_TRUE(page.ok()) << page.error().message;
    if (!page.ok() || page->results.size() != 3) {
      ADD_FAILURE() << "expected e1 and two band series";
      return {};
    }
    EXPECT_EQ(page->results[1].timestamps, page->results[0].timestamps);
    return {page->results[1].values, page->results[2].values};
  }

  std::unique_ptr<storage::MetricStore> metrics_;
  std::unique_ptr<alarms::StateStore> state_;
};

TEST_F(RetrainerTest, PassTrainsMathDetectorsAndTheBandServesTheModel) {
  Put("week", kNow - 7 * kDay, kNow + 3600);
  const ops::MathDetectorRecord d = MathRecord("week");
  const std::string key = MathDetector(d);
  AnomalyRetrainer r(*state_, *metrics_);
  const RetrainReport report = r.RetrainAll(Timestamp::FromSeconds(kNow));
  EXPECT_EQ(report.detectors, 1);
  EXPECT_EQ(report.math_detectors, 1);
  EXPECT_EQ(report.trained, 1);
  EXPECT_EQ(report.errors, 0);
  EXPECT_EQ(ops::PersistedMathTrainingState(*state_, "123456789012", "us-east-1", d), "TRAINED");
  EXPECT_EQ(PersistedTrainingState(*state_, key, kPeriod), "TRAINED") << "under the math key";

  // The persisted model is, byte for byte, the library's training of the expression's values
  // (2 × the metric) with the detector's settings as of the pass.
  std::vector<anomaly::Point> values;
  for (int64_t t = kNow - 7 * kDay; t < kNow + 3600; t += kPeriod) {
    values.push_back({Timestamp::FromSeconds(t), Pattern(t) * 2});
  }
  query::AnomalyBandSettings s;
  s.timezone = "Europe/Berlin";
  auto fresh =
      query::internal::TrainExpressionBandModel(values, kPeriod, s, Timestamp::FromSeconds(kNow));
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  auto persisted =
      [&](const AnomalyRetrainer& retrainer) -> std::optional<query::TrainedBandModel> {
    const auto req = MathRequest(d, kNow - 3600, kNow + 600);
    auto settings =
        retrainer.WithTrainedModels(MathDetectorSettingsLookup(*state_))(req.queries, "e1");
    if (!settings || !settings->trained_model) return std::nullopt;
    EXPECT_EQ(settings->timezone, "Europe/Berlin");
    return settings->trained_model(kPeriod);
  };
  auto cached = persisted(r);
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->trained_at, Timestamp::FromSeconds(kNow));
  EXPECT_EQ(cached->model.Serialize(), fresh->Serialize());
  // A restart (a new retrainer over the same store) serves it before any pass.
  AnomalyRetrainer restarted(*state_, *metrics_);
  auto again = persisted(restarted);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->model.Serialize(), cached->model.Serialize());

  // GetMetricData: the block at kNow comes from the record (consulted, and used), bit-identical
  // to the request path's training of it.
  auto req = MathRequest(d, kNow - 3600, kNow + 900);
  req.expression_anomaly_settings = MathDetectorSettingsLookup(*state_);
  const auto trained_here = Band(req, kNow + 900);
  int used = 0;
  auto with_models = r.WithTrainedModels(MathDetectorSettingsLookup(*state_));
  req.expression_anomaly_settings = [&](const std::vector<query::MetricDataQuery>& q,
                                        std::string_view id) {
    auto found = with_models(q, id);
    if (found && found->trained_model) {
      auto inner = found->trained_model;
      found->trained_model = [&used, inner](int period) {
        auto m = inner(period);
        if (m) ++used;
        return m;
      };
    }
    return found;
  };
  const auto served = Band(req, kNow + 900);
  EXPECT_EQ(used, 1);
  ASSERT_EQ(served.first.size(), 15u);
  EXPECT_EQ(served, trained_here);

  // A spike after the pass leaves every band value up to and including it unchanged.
  storage::Datum spike;
  spike.series = Key("week");
  spike.timestamp = Timestamp::FromSeconds(kNow + 300);
  spike.stats.Add(50'000, 1);
  ASSERT_TRUE(metrics_->Write({spike}).ok());
  const auto after = Band(req, kNow + 900);
  ASSERT_EQ(after.first.size(), served.first.size());
  for (size_t i = 0; i <= 13; ++i) {  // kNow - 3600 ... kNow + 300
    EXPECT_EQ(after.first[i], served.first[i]) << i;
    EXPECT_EQ(after.second[i], served.second[i]) << i;
  }
  EXPECT_NE(after.first[14], served.first[14]) << "the block after the spike trains on it";
}

TEST_F(RetrainerTest, DeletedMathDetectorsLoseTheirModels) {
  Put("a", kNow - 2 * kDay, kNow);
  const ops::MathDetectorRecord d = MathRecord("a");
  const std::string key = MathDetector(d);
  AnomalyRetrainer r(*state_, *metrics_);
  EXPECT_EQ(r.RetrainAll(Timestamp::FromSeconds(kNow)).removed, 0);
  ASSERT_TRUE(ops::PersistedMathTrainingState(*state_, "123456789012", "us-east-1", d));
  alarms::WriteBatch del;
  del.deletes.push_back(key);
  ASSERT_TRUE(state_->Write(del).ok());
  const RetrainReport next = r.RetrainAll(Timestamp::FromSeconds(kNow + kPeriod));
  EXPECT_EQ(next.detectors, 0);
  EXPECT_EQ(next.removed, 1);
  EXPECT_FALSE(ops::PersistedMathTrainingState(*state_, "123456789012", "us-east-1", d));
}

TEST_F(RetrainerTest, BandAlarmsPeriodsGetModelsToo) {
  // A band alarm on the detector's metric at 60 s: the pass also trains the detector at 60 s (the
  // model the alarm's band uses); an alarm on a metric without a detector, or at 300 s, adds
  // nothing; once the alarm is deleted, the next pass drops its period's model.
  Put("week", kNow - 7 * kDay, kNow);
  Put("other", kNow - 7 * kDay, kNow);
  const std::string week = Detector("week");
  alarms::LoggingNotifier notifier;
  alarms::AlarmService alarms_service(*state_, *metrics_, notifier);
  ASSERT_TRUE(alarms_service.Load().ok());
  const alarms::Scope scope{"123456789012", "us-east-1"};
  auto band_alarm = [&](std::string name, std::string metric, int period) {
    alarms::AlarmConfig c;
    c.name = std::move(name);
    c.evaluation_periods = 1;
    c.comparison_operator = "LessThanLowerOrGreaterThanUpperThreshold";
    c.threshold_metric_id = "ad1";
    alarms::MetricQuerySpec m;
    m.id = "m1";
    m.metric_stat = alarms::MetricStatSpec{"anomns", std::move(metric), {}, period, "Average", {}};
    m.return_data = true;
    alarms::MetricQuerySpec b;
    b.id = "ad1";
    b.expression = "ANOMALY_DETECTION_BAND(m1, 2)";
    c.metrics = {m, b};
    auto s = alarms_service.PutMetricAlarm(scope, std::move(c), {}, Timestamp::FromSeconds(kNow));
    ASSERT_TRUE(s.ok()) << s.error().message;
  };
  band_alarm("minute", "week", 60);
  band_alarm("five", "week", 300);
  band_alarm("nodetector", "other", 60);
  AnomalyRetrainer r(*state_, *metrics_);
  const RetrainReport report = r.RetrainAll(Timestamp::FromSeconds(kNow));
  EXPECT_EQ(report.detectors, 1);
  EXPECT_EQ(report.trained, 1);
  EXPECT_EQ(report.alarm_period_models, 1);
  EXPECT_EQ(PersistedTrainingState(*state_, week, 300), "TRAINED");
  EXPECT_EQ(PersistedTrainingState(*state_, week, 60), "TRAINED");

  // What the alarm's band finds for its period: the pass's model, the band's own training.
  auto lookup = r.WithTrainedModels(DetectorSettingsLookup(*state_));
  auto settings = lookup(Key("week"), *query::Statistic::Parse("Average"));
  ASSERT_TRUE(settings.has_value());
  auto cached = settings->trained_model(60);
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->trained_at, Timestamp::FromSeconds(kNow));
  EXPECT_EQ(cached->model.period_seconds(), 60);
  query::MetricQuery q;
  q.series = Key("week");
  q.statistic = *query::Statistic::Parse("Average");
  q.period_seconds = 60;
  auto fresh = query::internal::TrainBandModel(*metrics_, q, {}, Timestamp::FromSeconds(kNow),
                                               Timestamp::FromSeconds(kNow));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(cached->model.Serialize(), fresh->Serialize());

  ASSERT_TRUE(alarms_service.DeleteAlarms(scope, {"minute"}, Timestamp::FromSeconds(kNow)).ok());
  const RetrainReport next = r.RetrainAll(Timestamp::FromSeconds(kNow + kPeriod));
  EXPECT_EQ(next.alarm_period_models, 0);
  EXPECT_EQ(next.removed, 1);
  EXPECT_FALSE(PersistedTrainingState(*state_, week, 60).has_value());
  EXPECT_EQ(PersistedTrainingState(*state_, week, 300), "TRAINED");
}

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
    auto e =
        vigil::testing::Call(*frontend_, protocol::Protocol::kJson10, op, in, out, "AKIDEXAMPLE");
    ASSERT_FALSE(e) << e->code << ": " << e->message;
  }
  std::string State(std::optional<std::string> type = std::nullopt) {
    model::cw::DescribeAnomalyDetectorsInput in;
    if (type) in.anomaly_detector_types = std::vector<std::string>{*type};
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

TEST_F(RetrainerApiTest, MathDetectorsStateComesFromThePersistedTraining) {
  model::cw::PutAnomalyDetectorInput put;
  model::cw::MetricDataQuery m;
  m.id = "m1";
  m.metric_stat =
      model::cw::MetricStat{model::cw::Metric{"anomns", "cpu", std::nullopt}, 300, "Average", {}};
  m.return_data = false;
  model::cw::MetricDataQuery e;
  e.id = "e1";
  e.expression = "m1 * 2";
  put.metric_math_anomaly_detector.emplace();
  put.metric_math_anomaly_detector->metric_data_queries =
      std::vector<model::cw::MetricDataQuery>{m, e};
  model::cw::PutAnomalyDetectorOutput put_out;
  Call("PutAnomalyDetector", put, put_out);
  PutData(kNow - 1200, kNow);
  nlohmann::json j = Post("/_vigil/clock", R"({"advance": 1})");
  EXPECT_EQ(j["retrained"], 1);
  EXPECT_EQ(State("METRIC_MATH"), "TRAINED_INSUFFICIENT_DATA");
  PutData(kNow - 7 * kDay, kNow - 1200);
  EXPECT_EQ(State("METRIC_MATH"), "TRAINED_INSUFFICIENT_DATA")
      << "the persisted training, not an estimate";
  j = Post("/_vigil/clock", R"({"advance": 300})");
  EXPECT_EQ(j["retrained"], 1);
  EXPECT_EQ(State("METRIC_MATH"), "TRAINED");
}

}  // namespace
}  // namespace vigil::api
