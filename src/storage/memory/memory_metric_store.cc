// The in-memory MetricStore twin used by unit tests: same contract, no durability.
#include <map>
#include <mutex>

#include "storage/keys.h"

namespace vigil::storage {
namespace {

class MemoryMetricStore final : public MetricStore {
 public:
  Status Write(const std::vector<Datum>& data) override {
    std::lock_guard lock(mu_);
    for (const Datum& d : data) {
      auto& s = series_[EncodeSeriesKey(d.series)];
      s.key = d.series;
      s.last_seconds = std::max(s.last_seconds, d.timestamp.seconds());
      s.buckets[{d.unit, BucketSeconds(d)}].Merge(d.stats);
    }
    return OkStatus();
  }

  Result<std::vector<UnitBuckets>> Read(const SeriesKey& series, std::optional<uint8_t> unit,
                                        Timestamp start, Timestamp end, int) override {
    std::lock_guard lock(mu_);
    std::vector<UnitBuckets> out;
    auto it = series_.find(EncodeSeriesKey(series));
    if (it == series_.end()) return out;
    for (const auto& [k, agg] : it->second.buckets) {
      auto [u, secs] = k;
      if (unit && *unit != u) continue;
      if (secs < start.seconds() || secs * 1000 >= end.millis) continue;
      if (out.empty() || out.back().unit != u) out.push_back({u, {}});
      out.back().buckets.push_back({Timestamp::FromSeconds(secs), agg});
    }
    return out;
  }

  Result<std::vector<SeriesInfo>> List(const ListFilter& filter,
                                       const std::optional<SeriesKey>& after,
                                       size_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<SeriesInfo> out;
    std::string prefix = EncodeSeriesPrefix(filter);
    std::string after_bytes = after ? EncodeSeriesKey(*after) : std::string();
    for (auto it = series_.lower_bound(prefix); it != series_.end() && out.size() < limit; ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      if (after && it->first <= after_bytes) continue;
      if (!MatchesFilter(it->second.key, filter)) continue;
      if (filter.active_since && it->second.last_seconds < filter.active_since->seconds()) continue;
      out.push_back({it->second.key, Timestamp::FromSeconds(it->second.last_seconds)});
    }
    return out;
  }

  Status Reset() override {
    std::lock_guard lock(mu_);
    series_.clear();
    return OkStatus();
  }

  bool Healthy() const override { return true; }

 private:
  struct Series {
    SeriesKey key;
    int64_t last_seconds = INT64_MIN;
    std::map<std::pair<uint8_t, int64_t>, Aggregate> buckets;
  };
  std::mutex mu_;
  std::map<std::string, Series> series_;
};

}  // namespace

std::unique_ptr<MetricStore> NewMemoryMetricStore() {
  return std::make_unique<MemoryMetricStore>();
}

}  // namespace vigil::storage
