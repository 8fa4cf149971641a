// Internal: the training algorithm over prepared points, with buffers reused between fits so the
// causal replay (CausalBands) and the service's scheduled retraining allocate almost nothing.
// Not thread-safe: one Trainer per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vigil/anomaly/model.h"

namespace vigil::anomaly {

// A point with its phase precomputed: `local` is epoch seconds shifted by the zone's UTC offset
// at that instant, so `local % 86400` is the local second of the day across DST changes.
struct PreparedPoint {
  int64_t t = 0;
  int64_t local = 0;
  double v = 0;
};

// Epoch seconds -> local seconds for one zone, caching the current offset interval.
class LocalClock {
 public:
  explicit LocalClock(const void* zone) : zone_(zone) {}
  int64_t Local(int64_t utc);

 private:
  const void* zone_;
  int64_t begin_ = 1;
  int64_t end_ = 0;
  int64_t offset_ = 0;
};

// Resolves a tz database name (empty = UTC -> nullptr).
Result<const void*> FindZone(const std::string& name);

class Trainer {
 public:
  // Fits on `pts` (sorted, filtered, non-empty window). The model inherits clamp/period/zone.
  Model Fit(std::span<const PreparedPoint> pts, const TrainingOptions& options, const void* zone,
            const ModelParams& params);

 private:
  struct Candidate {
    Seasonality kind = Seasonality::kNone;
    int64_t cycle = 0;
  };
  // Fills d_ (deseasonalised, leave-one-out) and res_ (one-level-block-ahead residuals) for one
  // candidate and returns its mean |residual|; profile gets the in-sample slot medians.
  double Evaluate(std::span<const PreparedPoint> pts, Candidate c, bool pooled,
                  const ModelParams& params, std::vector<double>& profile);
  void Residuals(std::span<const PreparedPoint> pts, const ModelParams& params);
  void RunCalibrate(double med_res, double floor, double scale, const ModelParams& params,
                    double& upper, double& lower);

  int64_t period_ = 300;
  double base_ = 0;
  std::vector<double> y_, d_, res_, best_d_, best_res_, tmp_, sorted_, pooled_, run_r_;
  std::vector<uint32_t> offsets_, pooled_offsets_, slot_of_;
  std::vector<double> profile_, best_profile_;
};

}  // namespace vigil::anomaly
