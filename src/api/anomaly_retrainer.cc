// The scheduled anomaly-model retrainer (include/vigil/api/anomaly_retrainer.h).
#include "vigil/api/anomaly_retrainer.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

#include "alarms/codec.h"
#include "api/operations/anomaly_common.h"
#include "query/anomaly_band.h"
#include "vigil/api/anomaly_settings.h"
#include "vigil/common/base64.h"
#include "vigil/common/logging.h"
#include "vigil/query/math.h"

namespace vigil::api {
namespace {

int64_t FloorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step != 0 && t < 0) --q;
  return q * step;
}

// Exact-key read through the prefix scan the StateStore offers.
Result<std::optional<std::string>> Read(alarms::StateStore& store, const std::string& key) {
  std::optional<std::string> out;
  RETURN_IF_ERROR(store.Scan(key, [&](std::string_view k, std::string_view v) {
    if (k == key) out = std::string(v);
    return false;
  }));
  return out;
}

std::string EncodeRecord(Timestamp at, const query::AnomalyBandSettings& s,
                         const anomaly::Model& model) {
  nlohmann::json j;
  j["at"] = at.millis;
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& [b, e] : s.excluded) ex.push_back({b.millis, e.millis});
  j["excluded"] = std::move(ex);
  j["tz"] = s.timezone;
  j["spikes"] = s.periodic_spikes;
  j["model"] = Base64Encode(model.Serialize());
  return j.dump();
}

std::optional<query::TrainedBandModel> DecodeRecord(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    query::TrainedBandModel m;
    m.trained_at = Timestamp{j.at("at").get<int64_t>()};
    for (const auto& x : j.at("excluded")) {
      m.excluded.emplace_back(Timestamp{x.at(0).get<int64_t>()}, Timestamp{x.at(1).get<int64_t>()});
    }
    m.timezone = j.at("tz").get<std::string>();
    m.periodic_spikes = j.at("spikes").get<bool>();
    auto bytes = Base64Decode(j.at("model").get<std::string>());
    if (!bytes) return std::nullopt;
    auto model = anomaly::Model::Deserialize(*bytes);
    if (!model.ok()) return std::nullopt;
    m.model = std::move(*model);
    return m;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// Adds the periods other than `trained` at which band alarm `a` reads a single-metric detector's
// band (detector key -> periods): its ThresholdMetricId names ANOMALY_DETECTION_BAND(m1[, k])
// over a MetricStat query m1 without a Unit (a Unit filter never uses a persisted model).
void AddBandAlarmPeriods(const alarms::Alarm& a, int trained,
                         std::map<std::string, std::set<int>>& out) {
  const alarms::AlarmConfig& c = a.config;
  if (!c.threshold_metric_id) return;
  for (const alarms::MetricQuerySpec& band : c.metrics) {
    if (band.id != *c.threshold_metric_id || !band.expression) continue;
    auto root = query::math::Parse(*band.expression);
    if (!root.ok() || root->kind != query::math::Node::Kind::kCall ||
        root->text != "ANOMALY_DETECTION_BAND" || root->children.empty() ||
        root->children[0].kind != query::math::Node::Kind::kId) {
      continue;
    }
    for (const alarms::MetricQuerySpec& m : c.metrics) {
      if (m.id != root->children[0].text || !m.metric_stat || m.metric_stat->unit) continue;
      const alarms::MetricStatSpec& s = *m.metric_stat;
      if (s.period == trained) continue;
      storage::SeriesKey series{a.account, a.region, s.namespace_, s.metric_name, s.dimensions};
      series.Canonicalize();
      out[ops::DetectorKey(series, s.stat)].insert(s.period);
    }
  }
}

// Every band alarm's periods (AddBandAlarmPeriods), from the alarm records of the state store.
Result<std::map<std::string, std::set<int>>> BandAlarmPeriods(alarms::StateStore& state,
                                                              int trained) {
  std::map<std::string, std::set<int>> out;
  RETURN_IF_ERROR(state.Scan(alarms::codec::TagPrefix(alarms::codec::kAlarmTag),
                             [&](std::string_view, std::string_view v) {
                               if (auto a = alarms::codec::DecodeAlarm(v)) {
                                 AddBandAlarmPeriods(*a, trained, out);
                               }
                               return true;
                             }));
  return out;
}

// Lowers the calling thread to SCHED_IDLE (or, where that is refused, nice 19): request workers
// always win the CPU over a retraining pass.
void LowerPriority() {
  sched_param p{};
  p.sched_priority = 0;
  if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &p) != 0) {
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
  }
}

}  // namespace

std::string TrainedModelKey(std::string_view detector_key, int period_seconds) {
  std::string k(kTrainedModelTag);
  k += detector_key.substr(std::min(detector_key.size(), ops::kAnomalyTag.size()));
  k += '\0';
  k += std::to_string(period_seconds);
  return k;
}

std::optional<std::string_view> PersistedTrainingState(alarms::StateStore& state,
                                                       std::string_view detector_key,
                                                       int period_seconds) {
  auto text = Read(state, TrainedModelKey(detector_key, period_seconds));
  if (!text.ok() || !text->has_value()) return std::nullopt;
  auto record = DecodeRecord(**text);
  if (!record) return std::nullopt;
  if (record->model.summary().points == 0) return "PENDING_TRAINING";
  if (!record->model.trained()) return "TRAINED_INSUFFICIENT_DATA";
  return "TRAINED";
}

AnomalyRetrainer::AnomalyRetrainer(alarms::StateStore& state, storage::MetricStore& metrics,
                                   RetrainerOptions options)
    : state_(state), metrics_(metrics), options_(options) {}

AnomalyRetrainer::~AnomalyRetrainer() { Stop(); }

RetrainReport AnomalyRetrainer::RunDue(Timestamp now) {
  const int64_t interval = options_.interval_seconds * 1000;
  const int64_t due = FloorTo(now.millis, interval);
  {
    std::lock_guard lock(pass_mu_);
    if (last_pass_ && *last_pass_ >= due) return RetrainReport{Timestamp{due}};
  }
  return RetrainAll(Timestamp{due});
}

RetrainReport AnomalyRetrainer::RetrainAll(Timestamp as_of) {
  std::lock_guard lock(pass_mu_);
  RetrainReport report;
  report.as_of = as_of;
  report.ran = true;
  auto log = Logger("anomaly");

  // The detectors first (the scan must not be held while training: the in-memory store locks).
  std::vector<std::pair<std::string, ops::DetectorRecord>> detectors;
  struct MathDetector {
    std::string key, account, region;
    ops::MathDetectorRecord record;
  };
  std::vector<MathDetector> math_detectors;
  std::string prefix(ops::kAnomalyTag);
  prefix += '\0';
  Status listed = state_.Scan(prefix, [&](std::string_view k, std::string_view v) {
    std::string_view rest = k.substr(prefix.size());
    const size_t a = rest.find('\0');
    if (a == std::string_view::npos) return true;
    const size_t r = rest.find('\0', a + 1);
    if (r == std::string_view::npos || r + 1 >= rest.size()) return true;
    if (rest[r + 1] == ops::kMathDetectorMark) {
      auto d = ops::DecodeMathDetector(v);
      if (d) {
        math_detectors.push_back(MathDetector{std::string(k), std::string(rest.substr(0, a)),
                                              std::string(rest.substr(a + 1, r - a - 1)),
                                              std::move(*d)});
      }
      return true;
    }
    auto d = ops::DecodeDetector(rest.substr(0, a), rest.substr(a + 1, r - a - 1), v);
    if (d) detectors.emplace_back(std::string(k), std::move(*d));
    return true;
  });
  if (!listed.ok()) {
    log->warn("anomaly retraining: listing detectors: {}", listed.error().message);
    ++report.errors;
    return report;
  }

  // Band alarms at other periods get models of their detector at those periods too.
  auto alarm_periods = BandAlarmPeriods(state_, options_.period_seconds);
  if (!alarm_periods.ok()) {
    log->warn("anomaly retraining: listing band alarms: {}", alarm_periods.error().message);
    ++report.errors;
  }

  std::unordered_set<std::string> keep;
  alarms::WriteBatch batch;
  auto flush = [&] {
    if (batch.empty()) return;
    if (Status s = state_.Write(batch); !s.ok()) {
      log->warn("anomaly retraining: persisting models: {}", s.error().message);
      report.errors += static_cast<int64_t>(batch.puts.size());
    }
    batch = {};
  };
  auto count = [&](const anomaly::Model& model) {
    if (model.trained()) {
      ++report.trained;
    } else if (model.summary().points > 0) {
      ++report.insufficient;
    } else {
      ++report.pending;
    }
  };
  for (const auto& [key, d] : detectors) {
    if (stop_.load(std::memory_order_relaxed)) {
      report.interrupted = true;
      break;
    }
    ++report.detectors;
    keep.insert(TrainedModelKey(key, options_.period_seconds));
    auto stat = query::Statistic::Parse(d.stat);
    if (!stat) {
      ++report.errors;
      continue;
    }
    const query::AnomalyBandSettings settings = d.BandSettings();
    std::vector<int> periods{options_.period_seconds};
    if (alarm_periods.ok()) {
      auto it = alarm_periods->find(key);
      if (it != alarm_periods->end()) {
        periods.insert(periods.end(), it->second.begin(), it->second.end());
      }
    }
    for (const int period : periods) {
      const bool main_period = period == options_.period_seconds;
      const std::string model_key = TrainedModelKey(key, period);
      keep.insert(model_key);
      query::MetricQuery q;
      q.series = d.series;
      q.statistic = *stat;
      q.period_seconds = period;
      auto model = query::internal::TrainBandModel(metrics_, q, settings, as_of, as_of);
      if (!model.ok()) {
        log->debug("anomaly retraining {}/{} at {} s: {}", d.series.metric_name, d.stat, period,
                   model.error().message);
        ++report.errors;
        continue;
      }
      if (main_period) {
        count(*model);
      } else {
        ++report.alarm_period_models;
      }
      batch.puts.emplace_back(model_key, EncodeRecord(as_of, settings, *model));
      if (batch.puts.size() >= options_.batch) flush();
      std::this_thread::yield();
    }
  }

  // Metric math detectors: the returning expression over the training window before T at its
  // period (ops::MathDetectorPeriod), trained as the expression band trains its block at T.
  const query::AnomalyBandLookup nested_metric = WithTrainedModels(DetectorSettingsLookup(state_));
  const query::ExpressionBandLookup nested_expression =
      WithTrainedModels(MathDetectorSettingsLookup(state_));
  for (const MathDetector& m : math_detectors) {
    if (report.interrupted || stop_.load(std::memory_order_relaxed)) {
      report.interrupted = true;
      break;
    }
    ++report.detectors;
    ++report.math_detectors;
    query::MetricDataRequest req;
    req.queries = ops::MathDetectorQueries(m.account, m.region, m.record);
    const std::string returning = ops::MathDetectorReturning(m.record);
    if (req.queries.empty() || returning.empty()) {
      ++report.errors;
      continue;
    }
    const int period = ops::MathDetectorPeriod(req.queries, returning);
    const std::string model_key = TrainedModelKey(m.key, period);
    keep.insert(model_key);
    req.anomaly_settings = nested_metric;
    req.expression_anomaly_settings = nested_expression;
    const query::AnomalyBandSettings settings = m.record.BandSettings();
    auto train = [&]() -> Result<anomaly::Model> {
      const anomaly::ModelParams params;
      ASSIGN_OR_RETURN(std::vector<query::Point> history,
                       query::internal::ExpressionHistory(
                           metrics_, req, returning,
                           Timestamp{as_of.millis - params.window_seconds * 1000}, as_of, as_of));
      std::vector<anomaly::Point> points;
      points.reserve(history.size());
      for (const query::Point& p : history) points.push_back({p.timestamp, p.value});
      return query::internal::TrainExpressionBandModel(points, period, settings, as_of);
    };
    Result<anomaly::Model> model = train();
    if (!model.ok()) {
      log->debug("anomaly retraining of math detector {}: {}", returning, model.error().message);
      ++report.errors;
      continue;
    }
    count(*model);
    batch.puts.emplace_back(model_key, EncodeRecord(as_of, settings, *model));
    if (batch.puts.size() >= options_.batch) flush();
    std::this_thread::yield();
  }
  flush();

  if (!report.interrupted) {
    // Records of detectors deleted since (or of a period nothing reads any more). Not when the
    // band alarms could not be listed: their periods' models would look unused.
    if (alarm_periods.ok()) {
      std::string model_prefix(kTrainedModelTag);
      model_prefix += '\0';
      Status scanned = state_.Scan(model_prefix, [&](std::string_view k, std::string_view) {
        if (!keep.contains(std::string(k))) batch.deletes.emplace_back(k);
        return true;
      });
      report.removed = static_cast<int64_t>(batch.deletes.size());
      if (!scanned.ok()) ++report.errors;
    }
    flush();
    last_pass_ = as_of.millis;
  }
  log->debug("anomaly retraining as of {}: {} detectors ({} metric math), {} trained, {} "
             "insufficient, {} pending, {} models at band alarms' periods, {} errors, {} removed",
             as_of.millis, report.detectors, report.math_detectors, report.trained,
             report.insufficient, report.pending, report.alarm_period_models, report.errors,
             report.removed);
  return report;
}

void AnomalyRetrainer::Start(const Clock& clock) {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, &clock] {
    if (options_.idle_priority) LowerPriority();
    const int64_t interval = options_.interval_seconds * 1000;
    std::unique_lock lock(thread_mu_);
    while (!stop_) {
      lock.unlock();
      (void)RunDue(clock.Now());
      lock.lock();
      const int64_t now = clock.Now().millis;
      const auto wait = std::chrono::milliseconds(FloorTo(now, interval) + interval - now + 5);
      if (thread_cv_.wait_for(lock, wait, [&] { return stop_.load(); })) break;
    }
  });
}

void AnomalyRetrainer::Stop() {
  std::thread t;
  {
    std::lock_guard lock(thread_mu_);
    stop_ = true;
    t = std::move(thread_);
  }
  thread_cv_.notify_all();
  if (t.joinable()) t.join();
}

namespace {

// The retrain schedule and the persisted models of the detector at `detector_key` ("anom\0..."),
// read from `store` when the band asks for a period.
void AttachTrainedModels(query::AnomalyBandSettings& settings, alarms::StateStore* store,
                         int64_t retrain_seconds, std::string detector_key) {
  settings.retrain_seconds = retrain_seconds;
  settings.trained_model = [store, key = std::move(detector_key)](
                               int period) -> std::optional<query::TrainedBandModel> {
    auto text = Read(*store, TrainedModelKey(key, period));
    if (!text.ok() || !text->has_value()) return std::nullopt;
    return DecodeRecord(**text);
  };
}

}  // namespace

query::ExpressionBandLookup AnomalyRetrainer::WithTrainedModels(
    query::ExpressionBandLookup settings) const {
  if (!settings) return settings;
  alarms::StateStore* store = &state_;
  const int64_t retrain_seconds = options_.interval_seconds;
  return [store, retrain_seconds, settings = std::move(settings)](
             const std::vector<query::MetricDataQuery>& queries,
             std::string_view id) -> std::optional<query::AnomalyBandSettings> {
    auto found = settings(queries, id);
    if (!found || found->detector.empty()) return found;
    AttachTrainedModels(*found, store, retrain_seconds, found->detector);
    return found;
  };
}

query::AnomalyBandLookup AnomalyRetrainer::WithTrainedModels(
    query::AnomalyBandLookup settings) const {
  if (!settings) return settings;
  alarms::StateStore* store = &state_;
  const int64_t retrain_seconds = options_.interval_seconds;
  return [store, retrain_seconds, settings = std::move(settings)](
             const storage::SeriesKey& series,
             const query::Statistic& stat) -> std::optional<query::AnomalyBandSettings> {
    auto found = settings(series, stat);
    if (!found) return found;
    AttachTrainedModels(*found, store, retrain_seconds, ops::DetectorKey(series, stat.text()));
    return found;
  };
}

}  // namespace vigil::api
