#include "query/labels.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

namespace vigil::query::internal {
namespace {

void AppendPadded(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

// The value of `PROP('<name>')`, or nullopt when the property is unknown.
std::optional<std::string> Property(std::string_view name, const LabelContext& c) {
  const MetricDataQuery& q = *c.query;
  if (name == "MetricName") return q.series.metric_name;
  if (name == "Namespace") return q.series.namespace_;
  if (name == "Period") return std::to_string(q.period_seconds);
  if (name == "Stat") return q.statistic.text();
  if (name == "AccountId") return q.series.account;
  if (name == "Region") return q.series.region;
  if (name.starts_with("Dim.")) {
    std::string_view dim = name.substr(4);
    for (const auto& d : q.series.dimensions) {
      if (d.name == dim) return d.value;
    }
    return std::string();  // a dimension the metric does not have: empty
  }
  return std::nullopt;
}

struct Summary {
  double sum = 0, min = 0, max = 0;
  Timestamp min_time, max_time;
};

Summary Summarize(const std::vector<Point>& pts) {
  Summary s;
  s.min = s.max = pts.front().value;
  s.min_time = s.max_time = pts.front().timestamp;
  for (const Point& p : pts) {
    s.sum += p.value;
    // Ties keep the oldest point.
    if (p.value < s.min) s.min = p.value, s.min_time = p.timestamp;
    if (p.value > s.max) s.max = p.value, s.max_time = p.timestamp;
  }
  return s;
}

// The text of one token (what is between "${" and "}"), or nullopt when it is not known.
std::optional<std::string> Token(std::string_view t, const LabelContext& c) {
  if (t == "LABEL") return std::string(c.default_label);
  if (t.starts_with("PROP(") && t.ends_with(")") && t.size() >= 8) {
    std::string_view inner = t.substr(5, t.size() - 6);
    char quote = inner.front();
    if ((quote == '\'' || quote == '"') && inner.back() == quote && inner.size() >= 2) {
      return Property(inner.substr(1, inner.size() - 2), c);
    }
    return std::nullopt;
  }
  static const std::set<std::string_view> kValueTokens = {
      "AVG",     "DATAPOINT_COUNT",  "FIRST",         "LAST",       "MIN",       "MAX",
      "SUM",     "FIRST_LAST_RANGE", "MIN_MAX_RANGE", "FIRST_TIME", "LAST_TIME", "MIN_TIME",
      "MAX_TIME"};
  if (!kValueTokens.contains(t)) return std::nullopt;
  const std::vector<Point>& pts = *c.points;
  if (t == "DATAPOINT_COUNT") return std::to_string(pts.size());
  if (pts.empty()) return std::string();  // no data in the range: the value is empty
  Summary s = Summarize(pts);
  const int tz = c.timezone_offset_minutes;
  if (t == "AVG") return LabelNumber(s.sum / static_cast<double>(pts.size()));
  if (t == "SUM") return LabelNumber(s.sum);
  if (t == "MIN") return LabelNumber(s.min);
  if (t == "MAX") return LabelNumber(s.max);
  if (t == "FIRST") return LabelNumber(pts.front().value);
  if (t == "LAST") return LabelNumber(pts.back().value);
  if (t == "FIRST_LAST_RANGE") return LabelNumber(pts.back().value - pts.front().value);
  if (t == "MIN_MAX_RANGE") return LabelNumber(s.max - s.min);
  if (t == "FIRST_TIME") return LabelTime(pts.front().timestamp, tz);
  if (t == "LAST_TIME") return LabelTime(pts.back().timestamp, tz);
  if (t == "MIN_TIME") return LabelTime(s.min_time, tz);
  return LabelTime(s.max_time, tz);  // MAX_TIME
}

}  // namespace

std::vector<std::string> DefaultLabels(const std::vector<MetricDataQuery>& queries) {
  std::set<std::string_view> stats;
  std::set<int> periods;
  for (const auto& q : queries) {
    if (q.expression) continue;  // expressions have no statistic or period of their own
    stats.insert(q.statistic.text());
    periods.insert(q.period_seconds);
  }
  std::vector<std::string> out;
  out.reserve(queries.size());
  for (const auto& q : queries) {
    if (q.expression) {  // docs/metric-math.md "Labels": an expression's default label is its Id
      out.push_back(q.id);
      continue;
    }
    std::string label = q.series.metric_name;
    if (stats.size() > 1) {
      label += ' ';
      label += q.statistic.text();
    }
    if (periods.size() > 1) {
      label += ' ';
      label += std::to_string(q.period_seconds);
    }
    out.push_back(std::move(label));
  }
  return out;
}

std::string ExpandLabel(std::string_view label, const LabelContext& context) {
  std::string out;
  out.reserve(label.size());
  size_t pos = 0;
  while (pos < label.size()) {
    size_t open = label.find("${", pos);
    if (open == std::string_view::npos) break;
    size_t close = label.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(label.substr(pos, open - pos));
    auto value = Token(label.substr(open + 2, close - open - 2), context);
    if (value) {
      out += *value;
    } else {
      out.append(label.substr(open, close + 1 - open));
    }
    pos = close + 1;
  }
  out.append(label.substr(pos));
  return out;
}

std::string LabelNumber(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string LabelTime(Timestamp t, int offset_minutes) {
  std::string s = FormatIso8601(Timestamp{t.millis + int64_t{offset_minutes} * 60000});
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  int a = std::abs(offset_minutes);
  s += offset_minutes < 0 ? '-' : '+';
  AppendPadded(s, a / 60);
  s += ':';
  AppendPadded(s, a % 60);
  return s;
}

}  // namespace vigil::query::internal
