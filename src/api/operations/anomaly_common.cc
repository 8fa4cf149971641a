#include "api/operations/anomaly_common.h"

#include <nlohmann/json.hpp>

#include "vigil/alarms/service.h"
#include "vigil/alarms/state_store.h"

namespace vigil::api::ops {

std::string DetectorScopePrefix(std::string_view account, std::string_view region) {
  std::string k(kAnomalyTag);
  k += '\0';
  k += account;
  k += '\0';
  k += region;
  k += '\0';
  return k;
}

std::string DetectorKey(const storage::SeriesKey& series, std::string_view stat) {
  std::string k = DetectorScopePrefix(series.account, series.region);
  k += series.namespace_;
  k += '\0';
  k += series.metric_name;
  k += '\0';
  k += stat;
  k += '\0';
  nlohmann::json dims = nlohmann::json::array();
  for (const auto& d : series.dimensions) dims.push_back({d.name, d.value});
  k += dims.dump();
  return k;
}

std::string EncodeDetector(const DetectorRecord& d) {
  nlohmann::json j;
  j["namespace"] = d.series.namespace_;
  j["metric"] = d.series.metric_name;
  nlohmann::json dims = nlohmann::json::array();
  for (const auto& x : d.series.dimensions) dims.push_back({x.name, x.value});
  j["dimensions"] = std::move(dims);
  j["stat"] = d.stat;
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& [s, e] : d.excluded) ex.push_back({s.millis, e.millis});
  j["excluded"] = std::move(ex);
  if (d.timezone) j["timezone"] = *d.timezone;
  if (d.periodic_spikes) j["periodic_spikes"] = *d.periodic_spikes;
  return j.dump();
}

std::optional<DetectorRecord> DecodeDetector(std::string_view account, std::string_view region,
                                             std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    DetectorRecord d;
    d.series.account = account;
    d.series.region = region;
    d.series.namespace_ = j.at("namespace").get<std::string>();
    d.series.metric_name = j.at("metric").get<std::string>();
    for (const auto& x : j.at("dimensions")) {
      d.series.dimensions.push_back({x.at(0).get<std::string>(), x.at(1).get<std::string>()});
    }
    d.stat = j.at("stat").get<std::string>();
    for (const auto& x : j.at("excluded")) {
      d.excluded.emplace_back(Timestamp{x.at(0).get<int64_t>()}, Timestamp{x.at(1).get<int64_t>()});
    }
    if (j.contains("timezone")) d.timezone = j["timezone"].get<std::string>();
    if (j.contains("periodic_spikes")) d.periodic_spikes = j["periodic_spikes"].get<bool>();
    return d;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

query::AnomalyBandLookup AnomalySettingsLookup(const RequestContext& ctx) {
  if (!ctx.services || !ctx.services->alarms) return {};
  alarms::StateStore* store = &ctx.services->alarms->state_store();
  return [store](const storage::SeriesKey& series,
                 const query::Statistic& stat) -> std::optional<query::AnomalyBandSettings> {
    const std::string key = DetectorKey(series, stat.text());
    std::optional<DetectorRecord> found;
    Status s = store->Scan(key, [&](std::string_view k, std::string_view v) {
      if (k == key) found = DecodeDetector(series.account, series.region, v);
      return false;
    });
    if (!s.ok() || !found) return std::nullopt;
    query::AnomalyBandSettings out;
    out.excluded = std::move(found->excluded);
    out.timezone = found->timezone.value_or("");
    out.periodic_spikes = found->periodic_spikes.value_or(false);
    return out;
  };
}

}  // namespace vigil::api::ops
