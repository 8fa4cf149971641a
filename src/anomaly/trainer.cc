#include "anomaly/trainer.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace vigil::anomaly {
namespace {

constexpr double kMadToSigma = 1.4826;

double MedianInPlace(std::vector<double>& v) {
  const size_t n = v.size();
  if (n == 0) return 0;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  double hi = *mid;
  if (n % 2) return hi;
  double lo = *std::max_element(v.begin(), mid);
  return 0.5 * (lo + hi);
}

double QuantileInPlace(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  auto at = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), at, v.end());
  return *at;
}

double SortedMedian(std::span<const double> s) {
  const size_t m = s.size();
  if (m == 0) return 0;
  return m % 2 ? s[m / 2] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
}

// Median of the sorted pool without one occurrence of v (v is in the pool); 0 when nothing is
// left, i.e. "no seasonal information" for that point. O(1): with j = lower_bound(v), removing
// P[j] only matters through which side of the middle j falls, one or two comparisons.
double LeaveOneOutMedian(std::span<const double> pool, double v) {
  const size_t m = pool.size();
  if (m <= 1) return 0;
  if (m % 2 == 0) {  // m - 1 left, odd: one middle element
    const size_t a = (m - 2) / 2;
    return pool[a] < v ? pool[a] : pool[a + 1];
  }
  // m - 1 left, even: the mean of the two middle elements (m >= 3).
  const size_t a = (m - 3) / 2;
  if (pool[a] >= v) return 0.5 * (pool[a + 1] + pool[a + 2]);  // removed at or before a
  if (pool[a + 1] < v) return 0.5 * (pool[a] + pool[a + 1]);   // removed after a + 1
  return 0.5 * (pool[a] + pool[a + 2]);                         // removed a + 1
}

// z such that P(|N(0,1)| <= z) = q: turns a quantile of |residual| into a sigma-like unit.
double NormalAbsQuantile(double q) {
  double lo = 0, hi = 10;
  for (int i = 0; i < 60; ++i) {
    double mid = 0.5 * (lo + hi);
    (std::erf(mid / std::sqrt(2.0)) < q ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

int64_t PosMod(int64_t a, int64_t m) { return ((a % m) + m) % m; }

}  // namespace

int64_t LocalClock::Local(int64_t utc) {
  if (zone_ == nullptr) return utc;
  if (utc < begin_ || utc >= end_) {
    const auto* zone = static_cast<const date::time_zone*>(zone_);
    date::sys_info info = zone->get_info(date::sys_seconds{std::chrono::seconds{utc}});
    begin_ = info.begin.time_since_epoch().count();
    end_ = info.end.time_since_epoch().count();
    offset_ = info.offset.count();
  }
  return utc + offset_;
}

Result<const void*> FindZone(const std::string& name) {
  if (name.empty() || name == "UTC") return static_cast<const void*>(nullptr);
  try {
    return static_cast<const void*>(date::locate_zone(name));
  } catch (const std::exception&) {
    std::string msg = "Unknown time zone: ";
    msg += name;
    return MakeError(ErrorCode::kInvalidParameterValue, msg);
  }
}

void Trainer::Residuals(std::span<const PreparedPoint> pts, const ModelParams& params) {
  const size_t n = pts.size();
  res_.resize(n);
  const int64_t h = params.level_seconds;
  const int64_t t0 = pts[0].t;
  if (pts[n - 1].t - t0 < h) {
    tmp_.assign(d_.begin(), d_.end());
    double m = MedianInPlace(tmp_);
    for (size_t i = 0; i < n; ++i) res_[i] = d_[i] - m;
    return;
  }
  // Each point against the median of the previous non-empty level block: an out-of-sample error
  // of the "recent level" the band is drawn from.
  bool have_prev = false;
  double prev = 0;
  size_t i = 0;
  while (i < n) {
    const int64_t block = (pts[i].t - t0) / h;
    size_t j = i;
    while (j < n && (pts[j].t - t0) / h == block) ++j;
    tmp_.assign(d_.begin() + static_cast<std::ptrdiff_t>(i), d_.begin() + static_cast<std::ptrdiff_t>(j));
    const double med = MedianInPlace(tmp_);
    const double ref = have_prev ? prev : med;
    for (size_t k = i; k < j; ++k) res_[k] = d_[k] - ref;
    prev = med;
    have_prev = true;
    i = j;
  }
}

double Trainer::Evaluate(std::span<const PreparedPoint> pts, Candidate c, bool pooled,
                         const ModelParams& params, std::vector<double>& profile) {
  const size_t n = pts.size();
  d_.resize(n);
  if (c.kind == Seasonality::kNone) {
    profile.clear();
    std::copy(y_.begin(), y_.end(), d_.begin());
  } else {
    const size_t nslots = static_cast<size_t>((c.cycle + period_ - 1) / period_);
    // Counting sort of y into slots, then each slot sorted.
    slot_of_.resize(n);
    offsets_.assign(nslots + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      slot_of_[i] = static_cast<uint32_t>(PosMod(pts[i].local, c.cycle) / period_);
      ++offsets_[slot_of_[i] + 1];
    }
    for (size_t s = 0; s < nslots; ++s) offsets_[s + 1] += offsets_[s];
    sorted_.resize(n);
    {
      std::vector<uint32_t>& fill = pooled_offsets_;
      fill.assign(offsets_.begin(), offsets_.end() - 1);
      for (size_t i = 0; i < n; ++i) sorted_[fill[slot_of_[i]]++] = y_[i];
    }
    for (size_t s = 0; s < nslots; ++s) {
      std::sort(sorted_.begin() + offsets_[s], sorted_.begin() + offsets_[s + 1]);
    }
    auto bucket = [&](size_t s) {
      return std::span<const double>(sorted_.data() + offsets_[s], offsets_[s + 1] - offsets_[s]);
    };
    // Pools: a slot and its two neighbours (robust to a pattern drifting by one sample), or the
    // slot alone when the metric has periodic one-sample spikes.
    const bool pool3 = pooled && nslots >= 3;
    if (pool3) {
      pooled_offsets_.assign(nslots + 1, 0);
      pooled_.resize(3 * n);
      size_t at = 0;
      for (size_t s = 0; s < nslots; ++s) {
        pooled_offsets_[s] = static_cast<uint32_t>(at);
        auto a = bucket((s + nslots - 1) % nslots), b = bucket(s), cc = bucket((s + 1) % nslots);
        tmp_.resize(a.size() + b.size());
        std::merge(a.begin(), a.end(), b.begin(), b.end(), tmp_.begin());
        std::merge(tmp_.begin(), tmp_.end(), cc.begin(), cc.end(),
                   pooled_.begin() + static_cast<std::ptrdiff_t>(at));
        at += tmp_.size() + cc.size();
      }
      pooled_offsets_[nslots] = static_cast<uint32_t>(at);
    }
    auto pool = [&](size_t s) {
      if (!pool3) return bucket(s);
      return std::span<const double>(pooled_.data() + pooled_offsets_[s],
                                     pooled_offsets_[s + 1] - pooled_offsets_[s]);
    };
    profile.resize(nslots);
    for (size_t s = 0; s < nslots; ++s) profile[s] = SortedMedian(pool(s));
    for (size_t i = 0; i < n; ++i) d_[i] = y_[i] - LeaveOneOutMedian(pool(slot_of_[i]), y_[i]);
  }
  Residuals(pts, params);
  double sum = 0;
  for (double r : res_) sum += std::fabs(r);
  return sum / static_cast<double>(n);
}

// Run calibration (docs/anomaly-detection.md "Scale"): the narrowest pair of edges (upper du,
// lower dl, distances from the median residual, each a quantile of the out-of-sample residuals
// times run_margin) such that at most run_rate of the residuals end a run of run_length
// consecutive breaches on either side. For a fixed du, widening dl only removes breaches, so
// the narrowest feasible dl is found by bisection. The side scales are the edges / 2 (k = 2
// draws the calibrated edges), never wider than the symmetric scale.
void Trainer::RunCalibrate(double med_res, double floor, double scale, const ModelParams& params,
                           double& upper, double& lower) {
  const size_t n = best_res_.size();
  const size_t len = static_cast<size_t>(params.run_length);
  if (n < 4 * len) return;
  run_r_.resize(n);
  for (size_t i = 0; i < n; ++i) run_r_[i] = best_res_[i] - med_res;
  tmp_.assign(run_r_.begin(), run_r_.end());
  std::sort(tmp_.begin(), tmp_.end());
  auto q = [&](double p) { return tmp_[static_cast<size_t>(p * static_cast<double>(n - 1))]; };
  static constexpr double kShares[] = {0.001, 0.002, 0.005, 0.01, 0.02, 0.03,
                                       0.05,  0.08,  0.12,  0.2,  0.3};
  constexpr size_t kN = std::size(kShares);
  const double m = params.run_margin;
  const double min_edge = 2 * floor;
  double up_edge[kN], low_edge[kN];  // decreasing with the share
  size_t shares = 0;  // the shares within run_max_share
  while (shares < kN && kShares[shares] <= params.run_max_share + 1e-12) ++shares;
  if (shares == 0) return;
  for (size_t j = 0; j < kN; ++j) {
    up_edge[j] = std::max(std::max(q(1.0 - kShares[j]), 0.0) * m, min_edge);
    low_edge[j] = std::max(std::max(-q(kShares[j]), 0.0) * m, min_edge);
  }
  const double allowed = params.run_rate * static_cast<double>(n);
  auto feasible = [&](double eu, double el) {
    size_t run = 0, hits = 0;
    for (double r : run_r_) {
      run = (r > eu || r < -el) ? run + 1 : 0;
      hits += run >= len;
    }
    return static_cast<double>(hits) <= allowed;
  };
  bool found = false;
  double best_u = 0, best_l = 0;
  for (size_t j = 0; j < shares; ++j) {
    const double eu = up_edge[j];
    if (j > 0 && eu == up_edge[j - 1]) continue;
    if (!feasible(eu, low_edge[0])) break;  // narrower uppers only add breaches
    size_t ok = 0, bad = shares;            // low_edge[ok] feasible; [bad] not (or none)
    while (bad - ok > 1) {
      const size_t mid = (ok + bad) / 2;
      (feasible(eu, low_edge[mid]) ? ok : bad) = mid;
    }
    if (!found || eu + low_edge[ok] < best_u + best_l) {
      found = true;
      best_u = eu;
      best_l = low_edge[ok];
    }
  }
  if (!found) return;
  upper = std::min(best_u / 2, scale);
  lower = std::min(best_l / 2, scale);
}

Model Trainer::Fit(std::span<const PreparedPoint> pts, const TrainingOptions& options,
                   const void* zone, const ModelParams& params) {
  Model model;
  model.clamp_ = options.clamp;
  model.period_ = options.period_seconds;
  model.zone_ = zone;
  model.timezone_ = options.timezone;
  const size_t n = pts.size();
  model.summary_.points = n;
  if (n < std::max<size_t>(params.min_points, 2)) return model;
  period_ = options.period_seconds;

  tmp_.resize(n);
  for (size_t i = 0; i < n; ++i) tmp_[i] = pts[i].v;
  base_ = MedianInPlace(tmp_);
  double typical = 0;  // median |x|: the relative floor of the scale
  for (size_t i = 0; i < n; ++i) tmp_[i] = std::fabs(pts[i].v);
  typical = MedianInPlace(tmp_);
  y_.resize(n);
  for (size_t i = 0; i < n; ++i) y_[i] = pts[i].v - base_;

  // Seasonality: each candidate's leave-one-out error; a longer cycle must beat the best so far
  // by `season_gain`, so noise never buys a seasonal profile.
  Candidate best{Seasonality::kNone, 0};
  double best_cost = Evaluate(pts, best, false, params, best_profile_);
  best_d_.swap(d_);
  best_res_.swap(res_);
  const int64_t span = pts[n - 1].t - pts[0].t + period_;
  const Candidate candidates[] = {{Seasonality::kHourly, 3600},
                                  {Seasonality::kDaily, 86400},
                                  {Seasonality::kWeekly, 7 * 86400}};
  for (const Candidate& c : candidates) {
    const int64_t need = c.kind == Seasonality::kWeekly ? 10 * 86400 : 2 * c.cycle;
    if (c.cycle / period_ < 4 || span < need) continue;
    double cost = Evaluate(pts, c, !options.periodic_spikes, params, profile_);
    if (cost < best_cost * (1.0 - params.season_gain)) {
      best = c;
      best_cost = cost;
      best_d_.swap(d_);
      best_res_.swap(res_);
      best_profile_.swap(profile_);
    }
  }

  // Level: median of the deseasonalised recent past.
  const int64_t t_last = pts[n - 1].t;
  size_t first = n;
  while (first > 0 && pts[first - 1].t > t_last - params.level_seconds) --first;
  tmp_.assign(best_d_.begin() + static_cast<std::ptrdiff_t>(first), best_d_.end());
  const double level = MedianInPlace(tmp_);
  model.level_time_ = (pts[first].t + t_last) / 2;

  // Trend: Theil-Sen over day medians, kept only when the day pairs agree on its sign.
  double slope = 0;
  bool has_trend = false;
  {
    std::vector<double> day_med;
    std::vector<int64_t> day_idx;
    const int64_t t0 = pts[0].t;
    const size_t min_in_day = static_cast<size_t>(std::max<int64_t>(1, 86400 / period_ / 4));
    size_t i = 0;
    while (i < n) {
      const int64_t day = (pts[i].t - t0) / 86400;
      size_t j = i;
      while (j < n && (pts[j].t - t0) / 86400 == day) ++j;
      if (j - i >= min_in_day) {
        tmp_.assign(best_d_.begin() + static_cast<std::ptrdiff_t>(i),
                    best_d_.begin() + static_cast<std::ptrdiff_t>(j));
        day_med.push_back(MedianInPlace(tmp_));
        day_idx.push_back(day);
      }
      i = j;
    }
    if (day_med.size() >= 3) {
      tmp_.clear();
      for (size_t a = 0; a < day_med.size(); ++a) {
        for (size_t b = a + 1; b < day_med.size(); ++b) {
          tmp_.push_back((day_med[b] - day_med[a]) / static_cast<double>(day_idx[b] - day_idx[a]));
        }
      }
      const size_t pairs = tmp_.size();
      size_t pos = 0, neg = 0;
      for (double s : tmp_) pos += s > 0, neg += s < 0;
      slope = MedianInPlace(tmp_);
      const double agree = static_cast<double>(slope > 0 ? pos : neg) / static_cast<double>(pairs);
      has_trend = slope != 0 && agree >= params.trend_agreement;
      if (!has_trend) slope = 0;
    }
  }

  // Scale: the larger of the MAD and a high quantile of |residual| in sigma units, with floors so
  // flat, spiky or mostly-zero series keep a band of non-zero width.
  tmp_.assign(best_res_.begin(), best_res_.end());
  const double med_res = MedianInPlace(tmp_);
  double mean_abs = 0;
  for (size_t i = 0; i < n; ++i) {
    tmp_[i] = std::fabs(best_res_[i] - med_res);
    mean_abs += tmp_[i];
  }
  mean_abs /= static_cast<double>(n);
  const double mad = kMadToSigma * MedianInPlace(tmp_);
  const double tail = QuantileInPlace(tmp_, params.scale_quantile) /
                      (params.tail_divisor > 0 ? params.tail_divisor
                                               : NormalAbsQuantile(params.scale_quantile));
  const double floor =
      std::max({0.5 * mean_abs, 1e-3 * std::fabs(base_ + level), 1e-3 * typical, 1e-6});
  const double scale = std::max({mad, tail, floor});
  double scale_upper = scale, scale_lower = scale;
  if (params.run_length > 0) RunCalibrate(med_res, floor, scale, params, scale_upper, scale_lower);

  model.trained_ = true;
  model.base_ = base_;
  model.cycle_ = best.cycle;
  model.profile_.assign(best_profile_.begin(), best_profile_.end());
  if (best.kind == Seasonality::kNone) model.profile_.clear();
  model.summary_.seasonality = best.kind;
  model.summary_.has_trend = has_trend;
  model.summary_.slope_per_day = slope;
  model.summary_.level = base_ + level;
  model.summary_.scale = scale;
  model.summary_.scale_upper = scale_upper;
  model.summary_.scale_lower = scale_lower;
  return model;
}

}  // namespace vigil::anomaly
