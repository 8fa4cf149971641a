#include "api/operations/anomaly_common.h"

#include <nlohmann/json.hpp>

#include "vigil/alarms/service.h"
#include "vigil/alarms/state_store.h"
#include "vigil/api/anomaly_retrainer.h"
#include "vigil/api/anomaly_settings.h"

namespace vigil::api {
namespace ops {

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

namespace {

void EncodeConfiguration(const DetectorConfiguration& d, nlohmann::json& j) {
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& [s, e] : d.excluded) ex.push_back({s.millis, e.millis});
  j["excluded"] = std::move(ex);
  if (d.timezone) j["timezone"] = *d.timezone;
  if (d.periodic_spikes) j["periodic_spikes"] = *d.periodic_spikes;
}

// Throws nlohmann::json::exception on a malformed record (the callers catch it).
void DecodeConfiguration(const nlohmann::json& j, DetectorConfiguration& d) {
  for (const auto& x : j.at("excluded")) {
    d.excluded.emplace_back(Timestamp{x.at(0).get<int64_t>()}, Timestamp{x.at(1).get<int64_t>()});
  }
  if (j.contains("timezone")) d.timezone = j["timezone"].get<std::string>();
  if (j.contains("periodic_spikes")) d.periodic_spikes = j["periodic_spikes"].get<bool>();
}

}  // namespace

query::AnomalyBandSettings DetectorConfiguration::BandSettings() const {
  query::AnomalyBandSettings out;
  out.excluded = excluded;
  out.timezone = timezone.value_or("");
  out.periodic_spikes = periodic_spikes.value_or(false);
  return out;
}

std::string EncodeDetector(const DetectorRecord& d) {
  nlohmann::json j;
  j["namespace"] = d.series.namespace_;
  j["metric"] = d.series.metric_name;
  nlohmann::json dims = nlohmann::json::array();
  for (const auto& x : d.series.dimensions) dims.push_back({x.name, x.value});
  j["dimensions"] = std::move(dims);
  j["stat"] = d.stat;
  EncodeConfiguration(d, j);
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
    DecodeConfiguration(j, d);
    return d;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

namespace {

nlohmann::json QueriesJson(const std::vector<alarms::MetricQuerySpec>& queries) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& q : queries) {
    nlohmann::json j;
    j["id"] = q.id;
    if (q.metric_stat) {
      const auto& m = *q.metric_stat;
      nlohmann::json dims = nlohmann::json::array();
      for (const auto& d : m.dimensions) dims.push_back({d.name, d.value});
      j["metricStat"] = {{"namespace", m.namespace_}, {"metricName", m.metric_name},
                         {"dimensions", std::move(dims)}, {"period", m.period},
                         {"stat", m.stat}};
      if (m.unit) j["metricStat"]["unit"] = *m.unit;
    }
    if (q.expression) j["expression"] = *q.expression;
    if (q.label) j["label"] = *q.label;
    if (q.return_data) j["returnData"] = *q.return_data;
    if (q.period) j["period"] = *q.period;
    if (q.account_id) j["accountId"] = *q.account_id;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<alarms::MetricQuerySpec> QueriesFromJson(const nlohmann::json& a) {
  std::vector<alarms::MetricQuerySpec> out;
  for (const auto& j : a) {
    alarms::MetricQuerySpec q;
    q.id = j.at("id").get<std::string>();
    if (j.contains("metricStat")) {
      const auto& m = j["metricStat"];
      alarms::MetricStatSpec s;
      s.namespace_ = m.at("namespace").get<std::string>();
      s.metric_name = m.at("metricName").get<std::string>();
      for (const auto& d : m.at("dimensions")) {
        s.dimensions.push_back({d.at(0).get<std::string>(), d.at(1).get<std::string>()});
      }
      s.period = m.at("period").get<int>();
      s.stat = m.at("stat").get<std::string>();
      if (m.contains("unit")) s.unit = m["unit"].get<std::string>();
      q.metric_stat = std::move(s);
    }
    if (j.contains("expression")) q.expression = j["expression"].get<std::string>();
    if (j.contains("label")) q.label = j["label"].get<std::string>();
    if (j.contains("returnData")) q.return_data = j["returnData"].get<bool>();
    if (j.contains("period")) q.period = j["period"].get<int>();
    if (j.contains("accountId")) q.account_id = j["accountId"].get<std::string>();
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace

std::string MathDetectorKey(std::string_view account, std::string_view region,
                            const std::vector<alarms::MetricQuerySpec>& queries) {
  std::string k = DetectorScopePrefix(account, region);
  k += kMathDetectorMark;
  k += QueriesJson(queries).dump();
  return k;
}

std::string EncodeMathDetector(const MathDetectorRecord& d) {
  nlohmann::json j;
  j["math"] = QueriesJson(d.queries);
  EncodeConfiguration(d, j);
  return j.dump();
}

std::optional<MathDetectorRecord> DecodeMathDetector(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("math")) return std::nullopt;
  try {
    MathDetectorRecord d;
    d.queries = QueriesFromJson(j["math"]);
    DecodeConfiguration(j, d);
    return d;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::vector<query::MetricDataQuery> MathDetectorQueries(std::string_view account,
                                                        std::string_view region,
                                                        const MathDetectorRecord& d) {
  std::vector<query::MetricDataQuery> out;
  for (const alarms::MetricQuerySpec& s : d.queries) {
    query::MetricDataQuery q;
    q.id = s.id;
    q.expression = s.expression;
    q.label = s.label;
    q.return_data = s.return_data.value_or(true);
    q.series.account = account;
    q.series.region = region;
    q.period_seconds = s.period.value_or(0);  // an expression's: 0 = the smallest MetricStat's
    if (s.metric_stat) {
      const alarms::MetricStatSpec& m = *s.metric_stat;
      auto stat = query::Statistic::Parse(m.stat);
      if (!stat) return {};
      q.statistic = std::move(*stat);
      q.series = {std::string(account), std::string(region), m.namespace_, m.metric_name,
                  m.dimensions};
      q.series.Canonicalize();
      if (m.unit) q.unit = storage::UnitCode(*m.unit);
      q.period_seconds = m.period;
    }
    out.push_back(std::move(q));
  }
  return out;
}

std::string MathDetectorReturning(const MathDetectorRecord& d) {
  for (const alarms::MetricQuerySpec& s : d.queries) {
    if (s.expression && s.return_data.value_or(true)) return s.id;
  }
  return {};
}

int MathDetectorPeriod(const std::vector<query::MetricDataQuery>& queries,
                       std::string_view returning) {
  int period = 0;
  int own = 0;
  for (size_t i : query::ExpressionSubgraph(queries, returning)) {
    const query::MetricDataQuery& q = queries[i];
    if (q.expression) {
      if (q.id == returning) own = q.period_seconds;
      continue;
    }
    if (period == 0 || q.period_seconds < period) period = q.period_seconds;
  }
  if (period > 0) return period;
  return own > 0 ? own : 300;
}

std::optional<std::string_view> PersistedMathTrainingState(alarms::StateStore& store,
                                                           std::string_view account,
                                                           std::string_view region,
                                                           const MathDetectorRecord& d) {
  const std::string returning = MathDetectorReturning(d);
  const int period = MathDetectorPeriod(MathDetectorQueries(account, region, d), returning);
  return PersistedTrainingState(store, MathDetectorKey(account, region, d.queries), period);
}

query::AnomalyBandLookup AnomalySettingsLookup(const RequestContext& ctx) {
  if (!ctx.services || !ctx.services->alarms) return {};
  return DetectorSettingsLookup(ctx.services->alarms->state_store());
}

query::ExpressionBandLookup ExpressionSettingsLookup(const RequestContext& ctx) {
  if (!ctx.services || !ctx.services->alarms) return {};
  return MathDetectorSettingsLookup(ctx.services->alarms->state_store());
}

}  // namespace ops

query::AnomalyBandLookup DetectorSettingsLookup(alarms::StateStore& state) {
  using ops::DecodeDetector;
  using ops::DetectorKey;
  using ops::DetectorRecord;
  alarms::StateStore* store = &state;
  return [store](const storage::SeriesKey& series,
                 const query::Statistic& stat) -> std::optional<query::AnomalyBandSettings> {
    const std::string key = DetectorKey(series, stat.text());
    std::optional<DetectorRecord> found;
    Status s = store->Scan(key, [&](std::string_view k, std::string_view v) {
      if (k == key) found = DecodeDetector(series.account, series.region, v);
      return false;
    });
    if (!s.ok() || !found) return std::nullopt;
    return found->BandSettings();
  };
}

query::ExpressionBandLookup MathDetectorSettingsLookup(alarms::StateStore& state) {
  alarms::StateStore* store = &state;
  return [store](const std::vector<query::MetricDataQuery>& queries,
                 std::string_view id) -> std::optional<query::AnomalyBandSettings> {
    const std::string want = query::ExpressionSubgraphKey(queries, id);
    if (want.empty()) return std::nullopt;
    // The scope: the expression's own (the caller's account and region, metric_data.h).
    std::string account, region;
    for (const query::MetricDataQuery& q : queries) {
      if (q.id == id) {
        account = q.series.account;
        region = q.series.region;
      }
    }
    if (account.empty()) {
      for (const query::MetricDataQuery& q : queries) {
        if (!q.expression) {
          account = q.series.account;
          region = q.series.region;
          break;
        }
      }
    }
    std::string prefix = ops::DetectorScopePrefix(account, region);
    prefix += ops::kMathDetectorMark;
    std::optional<query::AnomalyBandSettings> found;
    Status s = store->Scan(prefix, [&](std::string_view k, std::string_view v) {
      auto d = ops::DecodeMathDetector(v);
      if (!d) return true;
      const std::string returning = ops::MathDetectorReturning(*d);
      if (returning != id) return true;
      if (query::ExpressionSubgraphKey(ops::MathDetectorQueries(account, region, *d), returning) !=
          want) {
        return true;
      }
      query::AnomalyBandSettings out = d->BandSettings();
      out.detector = std::string(k);
      found = std::move(out);
      return false;
    });
    if (!s.ok()) return std::nullopt;
    return found;
  };
}

}  // namespace vigil::api
