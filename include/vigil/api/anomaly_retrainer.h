// AnomalyRetrainer: retrains every anomaly detector on a schedule, off the request path
// (docs/anomaly-detection.md "Scheduled retraining").
//
// A pass at schedule time T (the injected clock rounded down to `interval_seconds`, 5 minutes by
// default) trains each single-metric detector (the "anom" records PutAnomalyDetector keeps in the
// alarm state store) as of T at `period_seconds`, from the metric store's data, exactly as
// ANOMALY_DETECTION_BAND would train its block at T (query::internal::TrainBandModel), and
// persists the model in the same store under
//   `anomm\0<account>\0<region>\0<namespace>\0<metric>\0<stat>\0<dimensions>\0<period>`
// (value: JSON with the training time, the detector settings it used and the serialised model),
// replacing the previous one. Each MetricMathAnomalyDetector is trained as of T too: its queries
// evaluated over the 14 days before T with only the returning expression returning
// (query::internal::ExpressionHistory), at ops::MathDetectorPeriod (the smallest MetricStat period
// the expression reads), trained as the expression band trains its block at T
// (query::internal::TrainExpressionBandModel), under
//   `anomm\0<account>\0<region>\0\x01<queries JSON>\0<period>`.
// Band alarms whose band reads a single-metric detector's metric at another period (say 60 s; the
// alarm state store's "alarm" records) get that detector's model at their period too, under the
// same key with their period, so their evaluations use persisted models as well.
// A pass also drops the records of detectors that no longer exist (and of periods no band alarm
// reads any more).
// So the trained state survives restarts, the band of the latest block is served from the record
// (WithTrainedModels) and DescribeAnomalyDetectors reports it (PersistedTrainingState).
//
// Threads: Start() runs the passes on a thread of its own at SCHED_IDLE priority (the kernel
// gives it only CPU time no request worker wants) that also yields between detectors; it wakes
// at each interval boundary of the clock. With `--clock manual` main does not Start() it: POST
// /_vigil/clock calls RunDue, as it does for the alarm evaluator. Every method is thread-safe;
// passes are serialised.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "vigil/alarms/state_store.h"
#include "vigil/common/clock.h"
#include "vigil/query/metric_data.h"
#include "vigil/storage/metric_store.h"

namespace vigil::api {

inline constexpr std::string_view kTrainedModelTag = "anomm";

struct RetrainerOptions {
  int64_t interval_seconds = 300;  // a positive multiple of 300 (--anomaly-retrain-interval)
  int period_seconds = 300;        // the period models are trained at (must divide 300)
  size_t batch = 64;               // records per state-store write
  bool idle_priority = true;       // Start()'s thread at SCHED_IDLE (false: benchmarks compare)
};

struct RetrainReport {
  Timestamp as_of;
  int64_t detectors = 0;            // detectors seen (single-metric and metric math)
  int64_t math_detectors = 0;       // of which metric math
  int64_t trained = 0;              // with a model that draws a band
  int64_t insufficient = 0;         // data, but too little for a band
  int64_t pending = 0;              // no data at all
  int64_t errors = 0;               // store or settings errors (the detector keeps its last model)
  int64_t removed = 0;              // records of deleted detectors dropped
  int64_t alarm_period_models = 0;  // extra models at band alarms' periods (not counted above)
  bool ran = false;                 // false: the pass for this schedule time had already run
  bool interrupted = false;         // Stop() was called during the pass
};

class AnomalyRetrainer {
 public:
  // `state` and `metrics` must outlive the retrainer.
  AnomalyRetrainer(alarms::StateStore& state, storage::MetricStore& metrics,
                   RetrainerOptions options = {});
  ~AnomalyRetrainer();
  AnomalyRetrainer(const AnomalyRetrainer&) = delete;
  AnomalyRetrainer& operator=(const AnomalyRetrainer&) = delete;

  // Runs the pass of the latest schedule time <= now unless it already ran (a manual clock that
  // jumps a day runs one pass, as of the new time: only the latest model is kept).
  RetrainReport RunDue(Timestamp now);
  // One pass as of `as_of` (a schedule time), whatever ran before.
  RetrainReport RetrainAll(Timestamp as_of);

  // Runs passes on a background thread on `clock` (which must outlive Stop()); the first one at
  // once (catching up after a restart), then at every interval boundary.
  void Start(const Clock& clock);
  // Interrupts a running pass between two detectors and joins the thread. Idempotent. Meant for
  // shutdown: any pass after it stops before its first detector.
  void Stop();

  const RetrainerOptions& options() const { return options_; }

  // `settings` with the retrain schedule and the persisted models added
  // (AnomalyBandSettings::retrain_seconds / trained_model), for GetMetricData and band alarms.
  query::AnomalyBandLookup WithTrainedModels(query::AnomalyBandLookup settings) const;
  // The same for the bands of expressions: `settings` (api::MathDetectorSettingsLookup) names the
  // matching math detector (AnomalyBandSettings::detector), whose persisted model is added.
  query::ExpressionBandLookup WithTrainedModels(query::ExpressionBandLookup settings) const;

 private:
  alarms::StateStore& state_;
  storage::MetricStore& metrics_;
  const RetrainerOptions options_;
  std::mutex pass_mu_;                // serialises passes
  std::optional<int64_t> last_pass_;  // ms, guarded by pass_mu_
  std::atomic<bool> stop_{false};
  std::mutex thread_mu_;
  std::condition_variable thread_cv_;
  std::thread thread_;
};

// The key of the persisted model of the detector whose record is at `detector_key` ("anom\0...").
std::string TrainedModelKey(std::string_view detector_key, int period_seconds);

// DescribeAnomalyDetectors' StateValue from the persisted training of the detector at
// `detector_key`: PENDING_TRAINING (no data in its window), TRAINED_INSUFFICIENT_DATA or TRAINED;
// nullopt when no pass has trained it yet.
std::optional<std::string_view> PersistedTrainingState(alarms::StateStore& state,
                                                       std::string_view detector_key,
                                                       int period_seconds = 300);

}  // namespace vigil::api
