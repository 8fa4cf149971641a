// PutMetricData: validate every datum against CloudWatch's limits, then store them in one atomic
// write. Per-datum problems are all reported, one line each, as CloudWatch does.
#include <cmath>
#include <set>

#include "api/convert.h"
#include "api/limits.h"
#include "api/operations/operations.h"
#include "vigil/common/text.h"

namespace vigil::api::ops {
namespace {

struct Problems {
  std::optional<ErrorCode> code;
  std::string text;

  void Add(ErrorCode c, std::string message) {
    if (!code) code = c;
    if (!text.empty()) text += '\n';
    text += message;
  }
};

bool ValueInRange(double v) {
  if (!std::isfinite(v)) return false;
  double a = std::fabs(v);
  return a == 0 || (a >= kMinMagnitude && a <= kMaxMagnitude);
}

void CheckValue(double v, const std::string& param, Problems& p) {
  if (!ValueInRange(v)) {
    p.Add(ErrorCode::kInvalidParameterValue,
          "The value " + FormatDouble(v) + " for parameter " + param + " is invalid.");
  }
}

// Validates one datum and, when it is sound, appends it to `out`.
void Convert(const RequestContext& ctx, const std::string& ns, const cw::MetricDatum& m,
             const std::string& path, Problems& p, std::vector<storage::Datum>& out) {
  const size_t before = p.text.size();
  bool has_values = m.values.has_value() && !m.values->empty();
  if (m.value && has_values) {
    p.Add(ErrorCode::kInvalidParameterCombination,
          "The parameters " + path + ".Value and " + path +
              ".Values are mutually exclusive and you have specified both.");
  }
  if (m.value && m.statistic_values) {
    p.Add(ErrorCode::kInvalidParameterCombination,
          "The parameters " + path + ".Value and " + path +
              ".StatisticValues are mutually exclusive and you have specified both.");
  }
  if (!m.value && !has_values && !m.statistic_values) {
    p.Add(ErrorCode::kInvalidParameterCombination,
          "At least one of the parameters " + path + ".Value, " + path + ".Values and " + path +
              ".StatisticValues must be specified.");
  }
  if (m.counts && !m.counts->empty() && !has_values) {
    p.Add(ErrorCode::kInvalidParameterCombination,
          "The parameter " + path + ".Counts must be specified with " + path + ".Values.");
  }
  if (has_values) {
    if (m.values->size() > kMaxValuesPerDatum) {
      p.Add(ErrorCode::kInvalidParameterValue,
            "The collection " + path + ".Values must not have a size greater than " +
                std::to_string(kMaxValuesPerDatum) + ".");
    }
    if (m.counts && !m.counts->empty() && m.counts->size() != m.values->size()) {
      p.Add(ErrorCode::kInvalidParameterValue,
            "The parameters " + path + ".Values and " + path +
                ".Counts must be of the same size.");
    }
    for (size_t i = 0; i < m.values->size(); ++i) {
      CheckValue((*m.values)[i], path + ".Values.member." + std::to_string(i + 1), p);
    }
    if (m.counts) {
      for (size_t i = 0; i < m.counts->size(); ++i) {
        double c = (*m.counts)[i];
        if (!std::isfinite(c) || c < 0 || c > kMaxMagnitude) {
          p.Add(ErrorCode::kInvalidParameterValue,
                "The value " + FormatDouble(c) + " for parameter " + path + ".Counts.member." +
                    std::to_string(i + 1) + " is invalid.");
        }
      }
    }
  }
  if (m.value) CheckValue(*m.value, path + ".Value", p);
  if (m.statistic_values) {
    const auto& s = *m.statistic_values;
    std::string sp = path + ".StatisticValues";
    CheckValue(s.sample_count, sp + ".SampleCount", p);
    CheckValue(s.sum, sp + ".Sum", p);
    CheckValue(s.minimum, sp + ".Minimum", p);
    CheckValue(s.maximum, sp + ".Maximum", p);
    if (std::isfinite(s.sample_count) && s.sample_count <= 0) {
      p.Add(ErrorCode::kInvalidParameterValue,
            "The parameter " + sp + ".SampleCount must be greater than 0.");
    }
    if (s.minimum > s.maximum) {
      p.Add(ErrorCode::kInvalidParameterValue,
            "The parameter " + sp + ".Minimum must not be greater than " + sp + ".Maximum.");
    }
  }
  if (m.storage_resolution && *m.storage_resolution != 1 && *m.storage_resolution != 60) {
    p.Add(ErrorCode::kInvalidParameterValue,
          "The value " + std::to_string(*m.storage_resolution) + " for parameter " + path +
              ".StorageResolution is invalid. Valid values are 1 and 60.");
  }
  Timestamp ts = m.timestamp.value_or(ctx.now);
  if (ts.millis < ctx.now.millis - kMaxPastMillis) {
    p.Add(ErrorCode::kInvalidParameterValue,
          "The parameter " + path + ".Timestamp must specify a time within the past two weeks.");
  } else if (ts.millis > ctx.now.millis + kMaxFutureMillis) {
    p.Add(ErrorCode::kInvalidParameterValue,
          "The parameter " + path +
              ".Timestamp must specify a time no more than two hours in the future.");
  }
  if (m.dimensions) {
    std::set<std::string_view> names;
    for (const auto& d : *m.dimensions) {
      if (!names.insert(d.name).second) {
        p.Add(ErrorCode::kInvalidParameterValue,
              "The collection " + path + ".Dimensions must not contain the dimension name " +
                  d.name + " more than once.");
        break;
      }
    }
  }
  if (p.text.size() != before) return;

  storage::Datum d;
  d.series.account = ctx.account;
  d.series.region = ctx.region;
  d.series.namespace_ = ns;
  d.series.metric_name = m.metric_name;
  d.series.dimensions = ToStoreDimensions(m.dimensions);
  d.series.Canonicalize();
  d.unit = m.unit ? storage::UnitCode(*m.unit).value_or(storage::kUnitNone) : storage::kUnitNone;
  d.high_resolution = m.storage_resolution && *m.storage_resolution == 1;
  d.timestamp = ts;
  if (m.value) d.stats.Add(*m.value, 1);
  if (has_values) {
    for (size_t i = 0; i < m.values->size(); ++i) {
      double c = m.counts && !m.counts->empty() ? (*m.counts)[i] : 1;
      if (c > 0) d.stats.Add((*m.values)[i], c);
    }
  }
  if (m.statistic_values) {
    const auto& s = *m.statistic_values;
    d.stats.AddStatisticSet(s.sample_count, s.sum, s.minimum, s.maximum);
  }
  if (!d.stats.empty()) out.push_back(std::move(d));
}

}  // namespace

Status PutMetricData(RequestContext& ctx, const cw::PutMetricDataInput& in) {
  const ApiConfig& config = ctx.services->config;
  if (config.strict_namespaces && in.namespace_.starts_with("AWS/")) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "The value " + in.namespace_ + " for parameter Namespace is invalid.");
  }
  size_t total = in.metric_data ? in.metric_data->size() : 0;
  if (in.entity_metric_data) {
    for (const auto& e : *in.entity_metric_data) total += e.metric_data ? e.metric_data->size() : 0;
  }
  if (total == 0) {
    return MakeError(ErrorCode::kMissingParameter, "The parameter MetricData is required.");
  }
  if (total > kMaxDatumsPerPut) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "The collection MetricData must not have a size greater than " +
                         std::to_string(kMaxDatumsPerPut) + ".");
  }
  Problems problems;
  std::vector<storage::Datum> data;
  data.reserve(total);
  if (in.metric_data) {
    for (size_t i = 0; i < in.metric_data->size(); ++i) {
      Convert(ctx, in.namespace_, (*in.metric_data)[i], "MetricData.member." + std::to_string(i + 1),
              problems, data);
    }
  }
  if (in.entity_metric_data) {
    for (size_t j = 0; j < in.entity_metric_data->size(); ++j) {
      const auto& e = (*in.entity_metric_data)[j];
      if (!e.metric_data) continue;
      for (size_t i = 0; i < e.metric_data->size(); ++i) {
        Convert(ctx, in.namespace_, (*e.metric_data)[i],
                "EntityMetricData.member." + std::to_string(j + 1) + ".MetricData.member." +
                    std::to_string(i + 1),
                problems, data);
      }
    }
  }
  if (problems.code) return MakeError(*problems.code, problems.text);
  return ctx.services->metrics->Write(data);
}

}  // namespace vigil::api::ops
