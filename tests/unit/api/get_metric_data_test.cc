// GetMetricData through the real dispatch in all three protocols: the recorded AWS answers
// (aws-recorded-answers.md §7), paging, labels, units, statistics and every validation error.
#include <map>

#include "unit/api/api_fixture.h"

namespace vigil::api::testing {
namespace {

constexpr int64_t kNow = kFixtureNow;
constexpr int64_t kT0 = kNow - 1800;  // minute-aligned, inside every window below

cw::MetricDataQuery Query(std::string id, std::string ns, std::string metric,
                          std::string stat = "Sum", int period = 60,
                          std::optional<std::string> unit = std::nullopt,
                          std::vector<cw::Dimension> dims = {}) {
  cw::MetricDataQuery q;
  q.id = std::move(id);
  cw::MetricStat ms;
  ms.metric.namespace_ = std::move(ns);
  ms.metric.metric_name = std::move(metric);
  ms.metric.dimensions = std::move(dims);
  ms.period = period;
  ms.stat = std::move(stat);
  ms.unit = std::move(unit);
  q.metric_stat = std::move(ms);
  return q;
}

cw::GetMetricDataInput Request(std::vector<cw::MetricDataQuery> qs, int64_t start = kT0 - 600,
                               int64_t end = kT0 + 600) {
  cw::GetMetricDataInput in;
  in.metric_data_queries = std::move(qs);
  in.start_time = Timestamp::FromSeconds(start);
  in.end_time = Timestamp::FromSeconds(end);
  return in;
}

std::vector<double> Values(const cw::MetricDataResult& r) {
  return r.values.value_or(std::vector<double>{});
}
std::vector<Timestamp> Times(const cw::MetricDataResult& r) {
  return r.timestamps.value_or(std::vector<Timestamp>{});
}
Timestamp At(int64_t s) { return Timestamp::FromSeconds(s); }

class GetMetricDataTest : public ProtocolApiTest {
 protected:
  cw::GetMetricDataOutput Get(const cw::GetMetricDataInput& in) {
    cw::GetMetricDataOutput out;
    auto e = Do("GetMetricData", in, out);
    EXPECT_FALSE(e) << e->code << ": " << e->message;
    // The envelope AWS always sends: Messages, and per result a status and both lists.
    EXPECT_TRUE(out.messages.has_value());
    if (out.messages) {
      EXPECT_TRUE(out.messages->empty());
    }
    EXPECT_TRUE(out.metric_data_results.has_value());
    return out;
  }
  std::map<std::string, cw::MetricDataResult> ById(const cw::GetMetricDataOutput& out) {
    std::map<std::string, cw::MetricDataResult> m;
    for (const auto& r : *out.metric_data_results) m[*r.id] = r;
    return m;
  }
  void ExpectValidation(const cw::GetMetricDataInput& in, std::string_view message) {
    cw::GetMetricDataOutput out;
    ExpectError(Do("GetMetricData", in, out), 400, "ValidationError", message);
  }
};

TEST_P(GetMetricDataTest, RecordedMultipleMetrics) {
  auto set = Datum("metric3", 0, kT0);
  set.value.reset();
  set.statistic_values = cw::StatisticSet{10, 55, 1, 10};
  auto a = Datum("metric1", 50, kT0), b = Datum("metric2", 25, kT0);
  for (auto* d : {&a, &b, &set}) d->unit = "Seconds";
  PutOk(Put("gmd", {a, b, set}));
  auto out = Get(Request({Query("result1", "gmd", "metric1"), Query("result2", "gmd", "metric2"),
                          Query("result3", "gmd", "metric3")}));
  ASSERT_EQ(out.metric_data_results->size(), 3u);
  const char* labels[] = {"metric1", "metric2", "metric3"};
  double sums[] = {50, 25, 55};
  for (size_t i = 0; i < 3; ++i) {
    const auto& r = (*out.metric_data_results)[i];
    EXPECT_EQ(r.id, Numbered("result", i + 1));
    EXPECT_EQ(r.label, labels[i]);
    EXPECT_EQ(r.status_code, "Complete");
    EXPECT_EQ(Values(r), std::vector<double>{sums[i]});
    EXPECT_EQ(Times(r), std::vector<Timestamp>{At(kT0)});
    EXPECT_FALSE(r.messages.has_value() && !r.messages->empty());
  }
  EXPECT_FALSE(out.next_token);
}

TEST_P(GetMetricDataTest, RecordedStatsOfAValueAndAStatisticSet) {
  auto single = Datum("metric1", 11, kT0);
  auto set = Datum("metric1", 0, kT0);
  set.value.reset();
  set.statistic_values = cw::StatisticSet{10, 55, 1, 10};
  PutOk(Put("stats", {single, set}));
  std::map<std::string, double> want = {
      {"Sum", 66}, {"SampleCount", 11}, {"Minimum", 1}, {"Maximum", 11}, {"Average", 6}};
  for (const auto& [stat, value] : want) {
    auto out = Get(Request({Query("result1", "stats", "metric1", stat)}));
    EXPECT_EQ(Values((*out.metric_data_results)[0]), std::vector<double>{value}) << stat;
    EXPECT_EQ((*out.metric_data_results)[0].label, "metric1");
  }
  // No percentile of a period holding a statistic set that cannot be expanded: no point.
  auto out = Get(Request({Query("p", "stats", "metric1", "p50")}));
  EXPECT_TRUE(Values((*out.metric_data_results)[0]).empty());
  EXPECT_EQ((*out.metric_data_results)[0].status_code, "Complete");
}

TEST_P(GetMetricDataTest, RecordedZeroAndLabels) {
  std::vector<cw::MetricDatum> data;
  for (double v : {0.0, 2.0, 4.0, 3.5, 7.0, 100.0}) data.push_back(Datum("metric1", v, kT0 + 5));
  PutOk(Put("zero", data));
  auto out = Get(Request({Query("result_Average", "zero", "metric1", "Average"),
                          Query("result_Sum", "zero", "metric1", "Sum"),
                          Query("result_Minimum", "zero", "metric1", "Minimum"),
                          Query("result_Maximum", "zero", "metric1", "Maximum")}));
  auto r = ById(out);
  EXPECT_EQ(Values(r["result_Average"]), std::vector<double>{19.416666666666668});
  EXPECT_EQ(Values(r["result_Sum"]), std::vector<double>{116.5});
  EXPECT_EQ(Values(r["result_Minimum"]), std::vector<double>{0.0});
  EXPECT_EQ(Values(r["result_Maximum"]), std::vector<double>{100});
  EXPECT_EQ(r["result_Average"].label, "metric1 Average");
  EXPECT_EQ(r["result_Maximum"].label, "metric1 Maximum");
}

TEST_P(GetMetricDataTest, RecordedLabelTable) {
  std::vector<cw::MetricDatum> data;
  for (double v : {0.0, 2.0, 7.0, 100.0}) {
    data.push_back(Datum("metric1", v, kT0 + 5));
    data.back().unit = "Seconds";
  }
  PutOk(Put("labels", data));
  struct Spec {
    const char* stat;
    int period;
    const char* unit;
  };
  struct Case {
    std::vector<Spec> specs;
    std::vector<std::string> labels;
    std::vector<std::vector<double>> values;
  };
  std::vector<Case> cases = {
      {{{"Sum", 60, "Seconds"}, {"Minimum", 30, "Seconds"}},
       {"metric1 Sum 60", "metric1 Minimum 30"},
       {{109}, {0}}},
      {{{"Sum", 60, "Seconds"}, {"Minimum", 60, "Seconds"}},
       {"metric1 Sum", "metric1 Minimum"},
       {{109}, {0}}},
      {{{"Sum", 60, "Seconds"}, {"Sum", 30, "Seconds"}},
       {"metric1 60", "metric1 30"},
       {{109}, {109}}},
      {{{"Sum", 60, "Seconds"}, {"Minimum", 30, "Milliseconds"}},
       {"metric1 Sum 60", "metric1 Minimum 30"},
       {{109}, {}}},
      {{{"Sum", 60, "Seconds"}, {"Minimum", 60, "Milliseconds"}},
       {"metric1 Sum", "metric1 Minimum"},
       {{109}, {}}},
      {{{"Sum", 60, "Seconds"}, {"Sum", 30, "Milliseconds"}},
       {"metric1 60", "metric1 30"},
       {{109}, {}}},
      {{{"Sum", 60, "Seconds"}, {"Sum", 60, "Milliseconds"}}, {"metric1", "metric1"}, {{109}, {}}},
  };
  for (const auto& c : cases) {
    std::vector<cw::MetricDataQuery> qs;
    for (size_t i = 0; i < c.specs.size(); ++i) {
      qs.push_back(Query(Numbered("q", i), "labels", "metric1", c.specs[i].stat, c.specs[i].period,
                         c.specs[i].unit));
    }
    auto out = Get(Request(qs));
    ASSERT_EQ(out.metric_data_results->size(), c.specs.size());
    for (size_t i = 0; i < c.specs.size(); ++i) {
      EXPECT_EQ((*out.metric_data_results)[i].label, c.labels[i]) << c.labels[0];
      EXPECT_EQ(Values((*out.metric_data_results)[i]), c.values[i]) << c.labels[i];
    }
  }
}

TEST_P(GetMetricDataTest, EmptyResultAndExactDimensions) {
  PutOk(Put("dims", {Datum("m", 11, kT0, {{"InstanceId", "one"}}),
                     Datum("m", 100, kT0, {{"InstanceId", "two"}}), Datum("m", 1000, kT0),
                     Datum("foo", 1, kT0, {{"foo", "bar"}})}));
  auto out = Get(
      Request({Query("a", "dims", "m", "Sum", 60, std::nullopt, {{"InstanceId", "one"}}),
               Query("b", "dims", "m"), Query("c", "dims", "nothing"), Query("d", "dims", "foo")}));
  auto r = ById(out);
  EXPECT_EQ(Values(r["a"]), std::vector<double>{11});
  EXPECT_EQ(Values(r["b"]), std::vector<double>{1000});
  EXPECT_TRUE(Values(r["c"]).empty());
  EXPECT_TRUE(Times(r["c"]).empty());
  EXPECT_TRUE(r["c"].values.has_value()) << "Values is present even when empty";
  EXPECT_TRUE(r["c"].timestamps.has_value());
  EXPECT_EQ(r["c"].status_code, "Complete");
  EXPECT_EQ(r["c"].label, "nothing");
  EXPECT_TRUE(Values(r["d"]).empty()) << "Dimensions [] does not match dimensioned data";
}

TEST_P(GetMetricDataTest, DefaultOrderIsDescendingAndScanByAscending) {
  std::vector<cw::MetricDatum> data;
  for (int i = 0; i < 5; ++i) data.push_back(Datum("m", i, kT0 + 60 * i));
  PutOk(Put("order", data));
  auto desc = Get(Request({Query("q", "order", "m")}));
  const auto& d = (*desc.metric_data_results)[0];
  EXPECT_EQ(Values(d), (std::vector<double>{4, 3, 2, 1, 0}));
  EXPECT_EQ(Times(d), (std::vector<Timestamp>{At(kT0 + 240), At(kT0 + 180), At(kT0 + 120),
                                              At(kT0 + 60), At(kT0)}));
  auto in = Request({Query("q", "order", "m")});
  in.scan_by = "TimestampDescending";
  EXPECT_EQ(Values((*Get(in).metric_data_results)[0]), Values(d));
  in.scan_by = "TimestampAscending";
  EXPECT_EQ(Values((*Get(in).metric_data_results)[0]), (std::vector<double>{0, 1, 2, 3, 4}));
}

TEST_P(GetMetricDataTest, PagingResumesExactly) {
  std::vector<cw::MetricDatum> data;
  for (int i = 0; i < 20; ++i) data.push_back(Datum("m", i, kT0 - 60 * i));
  for (int i = 0; i < 3; ++i) data.push_back(Datum("n", 100 + i, kT0 - 60 * i));
  PutOk(Put("paging", data));
  for (const char* scan : {"TimestampDescending", "TimestampAscending"}) {
    auto in =
        Request({Query("q1", "paging", "m"), Query("q2", "paging", "n")}, kT0 - 1200, kT0 + 60);
    in.scan_by = scan;
    auto full = ById(Get(in));
    in.max_datapoints = 10;
    auto first = Get(in);
    ASSERT_EQ(first.metric_data_results->size(), 1u);
    const auto& p1 = (*first.metric_data_results)[0];
    EXPECT_EQ(Values(p1).size(), 10u);
    EXPECT_EQ(p1.status_code, "PartialData");
    ASSERT_TRUE(first.next_token);
    in.next_token = first.next_token;
    clock_.Advance(60'000);  // time passes between pages
    auto second = Get(in);
    // q1's last ten values fill the page: q2 waits for the next one.
    ASSERT_EQ(second.metric_data_results->size(), 1u);
    const auto& p2 = (*second.metric_data_results)[0];
    EXPECT_EQ(p2.status_code, "Complete");
    std::vector<double> all = Values(p1);
    auto more = Values(p2);
    all.insert(all.end(), more.begin(), more.end());
    EXPECT_EQ(all, Values(full["q1"])) << scan;
    ASSERT_TRUE(second.next_token) << scan;
    in.next_token = second.next_token;
    auto third = Get(in);
    ASSERT_EQ(third.metric_data_results->size(), 1u);
    EXPECT_EQ((*third.metric_data_results)[0].id, "q2");
    EXPECT_EQ(Values((*third.metric_data_results)[0]), Values(full["q2"]));
    EXPECT_FALSE(third.next_token);
    clock_.Set(At(kNow));
  }
}

TEST_P(GetMetricDataTest, TamperedOrForeignNextTokenIsInvalid) {
  std::vector<cw::MetricDatum> data;
  for (int i = 0; i < 5; ++i) data.push_back(Datum("m", i, kT0 - 60 * i));
  PutOk(Put("token", data));
  auto in = Request({Query("q1", "token", "m")});
  in.max_datapoints = 2;
  auto first = Get(in);
  ASSERT_TRUE(first.next_token);
  cw::GetMetricDataOutput out;
  auto bad = in;
  std::string t = *first.next_token;
  t[3] = t[3] == 'A' ? 'B' : 'A';
  bad.next_token = t;
  ExpectError(Do("GetMetricData", bad, out), 400, "InvalidNextToken", "The NextToken is invalid.");
  bad = in;
  bad.next_token = *first.next_token;
  bad.metric_data_queries[0].metric_stat->stat = "Maximum";
  ExpectError(Do("GetMetricData", bad, out), 400, "InvalidNextToken");
  bad.next_token = "garbage";
  ExpectError(Do("GetMetricData", bad, out), 400, "InvalidNextToken");
  // Another account cannot resume it either.
  in.next_token = first.next_token;
  ExpectError(Do("GetMetricData", in, out, "111111111111"), 400, "InvalidNextToken");
}

TEST_P(GetMetricDataTest, MultipleUnitsMessageAndUnitFilter) {
  auto d = [](double v, int64_t at, const char* unit) {
    auto x = Datum("m", v, at);
    x.unit = unit;
    return x;
  };
  PutOk(Put("units", {d(60000, kT0, "Milliseconds"), d(120000, kT0 + 60, "Milliseconds"),
                      d(60, kT0, "Seconds"), d(120, kT0 + 60, "Seconds")}));
  auto in = Request({Query("m1", "units", "m", "Sum", 60, "Seconds")});
  in.scan_by = "TimestampAscending";
  auto seconds = (*Get(in).metric_data_results)[0];
  EXPECT_EQ(Values(seconds), (std::vector<double>{60, 120}));
  EXPECT_FALSE(seconds.messages.has_value() && !seconds.messages->empty());
  in.metric_data_queries[0].metric_stat->unit.reset();
  auto mixed = (*Get(in).metric_data_results)[0];
  EXPECT_EQ(Values(mixed), (std::vector<double>{60000, 120000}));
  ASSERT_TRUE(mixed.messages.has_value());
  ASSERT_EQ(mixed.messages->size(), 1u);
  EXPECT_EQ((*mixed.messages)[0].code, "MultipleUnits");
  EXPECT_EQ((*mixed.messages)[0].value, "Multiple units returned: '[Milliseconds, Seconds]'");
  EXPECT_EQ(mixed.status_code, "Complete");
  PutOk(Put("units", {d(5, kT0, "Count")}));
  auto three = (*Get(in).metric_data_results)[0];
  EXPECT_EQ(Values(three), std::vector<double>{5});
  EXPECT_EQ((*three.messages)[0].value,
            "Multiple units returned: '[Count, Milliseconds, Seconds]'");
}

TEST_P(GetMetricDataTest, ReturnDataFalseIsNotReturned) {
  PutOk(Put("rd", {Datum("m", 1, kT0)}));
  auto hidden = Query("hidden", "rd", "m");
  hidden.return_data = false;
  auto shown = Query("shown", "rd", "m");
  shown.return_data = true;
  auto out = Get(Request({hidden, shown, Query("dflt", "rd", "m")}));
  ASSERT_EQ(out.metric_data_results->size(), 2u);
  EXPECT_EQ((*out.metric_data_results)[0].id, "shown");
  EXPECT_EQ((*out.metric_data_results)[1].id, "dflt");
}

TEST_P(GetMetricDataTest, DynamicLabelsWithTimezone) {
  std::vector<cw::MetricDatum> data;
  double vals[] = {3, 9, 1};
  for (int i = 0; i < 3; ++i)
    data.push_back(Datum("lat", vals[i], kT0 + 60 * i, {{"Host", "web-1"}}));
  PutOk(Put("dyn", data));
  auto q = Query("q", "dyn", "lat", "Maximum", 60, std::nullopt, {{"Host", "web-1"}});
  q.label =
      "${LABEL} on ${PROP('Dim.Host')}: max ${MAX} at ${MAX_TIME}, last ${LAST} at "
      "${LAST_TIME}, ${DATAPOINT_COUNT} points, avg ${AVG} (${PROP('Namespace')} "
      "${PROP('MetricName')} ${PROP('Stat')} ${PROP('Period')})";
  auto in = Request({q});
  in.label_options = cw::LabelOptions{"+0130"};
  auto out = Get(in);
  // kT0 = 11:30Z; the maximum is at 11:31Z, 13:01 at +01:30.
  EXPECT_EQ((*out.metric_data_results)[0].label,
            "lat on web-1: max 9 at 2026-11-27T13:01:00+01:30, last 1 at "
            "2026-11-27T13:02:00+01:30, 3 points, avg 4.333333333333333 (dyn lat Maximum 60)");
  in.label_options = cw::LabelOptions{"-0400"};
  in.metric_data_queries[0].label = "${FIRST_TIME} ${MIN} ${SUM}";
  EXPECT_EQ((*Get(in).metric_data_results)[0].label, "2026-11-27T07:30:00-04:00 1 13");
  in.metric_data_queries[0].label = "plain label";
  EXPECT_EQ((*Get(in).metric_data_results)[0].label, "plain label");
}

TEST_P(GetMetricDataTest, ThirtySecondPeriodOverStandardDataAndHighResolution) {
  std::vector<cw::MetricDatum> data;
  for (int s : {0, 10, 35, 50}) data.push_back(Datum("m", 1, kT0 + s));
  std::vector<cw::Dimension> dims;
  for (int i = 0; i < 6; ++i) dims.push_back({Numbered("D", i), Numbered("v", i)});
  for (double v : {1.0, 5.0, 2.0}) {
    data.push_back(Datum("hr", v, kT0 + 1, dims));
    data.back().storage_resolution = 1;
  }
  PutOk(Put("res", data));
  auto out = Get(Request({Query("std", "res", "m", "SampleCount", 30),
                          Query("hr", "res", "hr", "Maximum", 10, std::nullopt, dims)}));
  auto r = ById(out);
  EXPECT_EQ(Values(r["std"]), std::vector<double>{4});
  EXPECT_EQ(Times(r["std"]), std::vector<Timestamp>{At(kT0)});
  EXPECT_EQ(Values(r["hr"]), std::vector<double>{5});
  EXPECT_EQ(Times(r["hr"]), std::vector<Timestamp>{At(kT0)});
}

TEST_P(GetMetricDataTest, PercentilesAndTrimmedStatistics) {
  std::vector<cw::MetricDatum> data;
  for (int v = 1; v <= 10; ++v) data.push_back(Datum("lat", v, kT0));
  data.push_back(Datum("lat", -1, kT0 + 60));
  data.push_back(Datum("lat", 4, kT0 + 60));
  PutOk(Put("pct", data));
  std::map<std::string, double> want = {
      {"p50", 5},           {"p90", 9},           {"p99.9", 10},   {"tm90", 5},
      {"IQM", 5.5},         {"TM(10%:90%)", 5.5}, {"TM(2:5)", 4},  {"wm90", 5.4},
      {"WM(10%:90%)", 5.5}, {"tc90", 9},          {"TC(:0.5)", 0}, {"ts90", 45},
      {"TS(80%:)", 19},     {"PR(:3)", 30},       {"PR(2:5)", 30}, {"TC(5%:)", 10}};
  std::vector<cw::MetricDataQuery> qs;
  std::map<std::string, std::string> id_to_stat;
  int i = 0;
  for (const auto& [stat, v] : want) {
    std::string id = Numbered("q", i++);
    id_to_stat[id] = stat;
    qs.push_back(Query(id, "pct", "lat", stat));
  }
  qs.push_back(Query("sum", "pct", "lat", "Sum"));
  auto out = Get(Request(qs));
  for (const auto& r : *out.metric_data_results) {
    if (*r.id == "sum") {
      EXPECT_EQ(Values(r).size(), 2u) << "basic statistics cover negative values";
      continue;
    }
    const std::string& stat = id_to_stat[*r.id];
    // The minute holding -1 has no percentile-family value: only kT0 remains.
    EXPECT_EQ(Values(r), std::vector<double>{want[stat]}) << stat;
    EXPECT_EQ(Times(r), std::vector<Timestamp>{At(kT0)}) << stat;
    EXPECT_EQ(r.label, "lat " + stat) << "several statistics: the statistic is in the label";
  }
}

TEST_P(GetMetricDataTest, QueriesForAnotherAccountAreForbidden) {
  PutOk(Put("acct", {Datum("m", 1, kT0)}));
  auto mine = Query("mine", "acct", "m");
  mine.account_id = "123456789012";
  auto theirs = Query("theirs", "acct", "m");
  theirs.account_id = "210987654321";
  auto r = ById(Get(Request({mine, theirs})));
  EXPECT_EQ(Values(r["mine"]), std::vector<double>{1});
  EXPECT_EQ(r["theirs"].status_code, "Forbidden");
  EXPECT_TRUE(Values(r["theirs"]).empty());
}

TEST_P(GetMetricDataTest, FiveHundredQueriesAndNoMore) {
  PutOk(Put("many", {Datum("m", 2, kT0)}));
  std::vector<cw::MetricDataQuery> qs;
  for (int i = 0; i < 500; ++i) qs.push_back(Query(Numbered("q", i), "many", "m"));
  auto out = Get(Request(qs));
  ASSERT_EQ(out.metric_data_results->size(), 500u);
  EXPECT_EQ(Values(out.metric_data_results->back()), std::vector<double>{2});
  qs.push_back(Query("q500", "many", "m"));
  ExpectValidation(Request(qs),
                   "The collection MetricDataQueries must not have a size greater than 500.\n");
}

TEST_P(GetMetricDataTest, IdsMustStartWithALowercaseLetterAndBeUnique) {
  ExpectValidation(Request({Query("Upper", "v", "m"), Query("ok_1", "v", "m"),
                            Query("5xx", "v", "m"), Query("a-b", "v", "m")}),
                   "The value Upper for parameter MetricDataQueries.member.1.Id is not matching "
                   "the expected pattern ^[a-z][a-zA-Z0-9_]*$.\n"
                   "The value 5xx for parameter MetricDataQueries.member.3.Id is not matching the "
                   "expected pattern ^[a-z][a-zA-Z0-9_]*$.\n"
                   "The value a-b for parameter MetricDataQueries.member.4.Id is not matching the "
                   "expected pattern ^[a-z][a-zA-Z0-9_]*$.\n");
  ExpectValidation(Request({Query("a", "v", "m"), Query("a", "v", "n")}),
                   "The values for parameter id in MetricDataQueries are not unique.\n");
  auto out = Get(Request({Query("x", "v", "m"), Query("xY_9", "v", "m")}));
  EXPECT_EQ(out.metric_data_results->size(), 2u);
}

TEST_P(GetMetricDataTest, ExactlyOneOfMetricStatAndExpression) {
  cw::MetricDataQuery neither;
  neither.id = "e1";
  neither.label = "e1";
  ExpectValidation(Request({neither}),
                   "The parameter MetricDataQueries.member.1.MetricStat is "
                   "required.\n");
  auto both = Query("b", "v", "m");
  both.expression = "b * 2";
  ExpectValidation(Request({Query("a", "v", "m"), both}),
                   "The parameters MetricDataQuery Expression and MetricStat are mutually "
                   "exclusive and you have specified both.\n");
  // An Expression alone is enough (metric math: metric_math_test.cc).
  cw::MetricDataQuery math;
  math.id = "total";
  math.expression = "SUM(METRICS())";
  auto out = Get(Request({Query("a", "v", "m"), math}));
  ASSERT_EQ(out.metric_data_results->size(), 2u);
  EXPECT_EQ((*out.metric_data_results)[1].id, "total");
}

TEST_P(GetMetricDataTest, StatisticsPeriodsAndMetricsAreChecked) {
  auto no_ns = Query("a", "v", "m");
  no_ns.metric_stat->metric.namespace_.reset();
  no_ns.metric_stat->metric.metric_name.reset();
  ExpectValidation(Request({no_ns}),
                   "The parameter MetricDataQueries.member.1.MetricStat.Metric.Namespace is "
                   "required.\nThe parameter MetricDataQueries.member.1.MetricStat.Metric."
                   "MetricName is required.\n");
  for (const char* bad : {"sum", "P99", "tm(10%:90%)", "TM99", "p101", "Iqm", "PR(10%:90%)", ""}) {
    ExpectValidation(Request({Query("ok", "v", "m"), Query("bad", "v", "m", bad)}),
                     std::string("The value ") + bad +
                         " for parameter MetricDataQueries.member.2.MetricStat.Stat is not a "
                         "valid statistic.\n");
  }
  for (int bad : {7, 45, 90, 61}) {
    ExpectValidation(Request({Query("a", "v", "m", "Sum", bad)}),
                     "The parameter MetricDataQueries.member.1.MetricStat.Period must be 1, 5, "
                     "10, 20, 30 or a multiple of 60.\n");
  }
  for (int good : {1, 5, 10, 20, 30, 60, 120, 86400}) {
    Get(Request({Query("a", "v", "m", "Sum", good)}));
  }
  cw::GetMetricDataOutput out;
  ExpectError(Do("GetMetricData", Request({Query("a", "v", "m", "Sum", 0)}), out), 400,
              "ValidationError");  // the model's minimum of 1 (coral's message)
}

TEST_P(GetMetricDataTest, TimeRangeMaxDatapointsAndTimezoneAreChecked) {
  ExpectValidation(Request({Query("a", "v", "m")}, kT0, kT0),
                   "The parameter StartTime must not equal parameter EndTime.\n");
  ExpectValidation(Request({Query("a", "v", "m")}, kT0 + 60, kT0),
                   "The parameter StartTime must be less than the parameter EndTime.\n");
  auto in = Request({Query("a", "v", "m")});
  in.max_datapoints = 0;
  ExpectValidation(in, "The parameter MaxDatapoints must be greater than 0.\n");
  in.max_datapoints = 1;
  Get(in);
  in.label_options = cw::LabelOptions{"+01:30"};
  ExpectValidation(in,
                   "The value +01:30 for parameter LabelOptions.Timezone is invalid. It must "
                   "be + or - followed by four digits, HHMM.\n");
}

TEST_P(GetMetricDataTest, ProblemsAreReportedTogether) {
  auto q = Query("Bad", "v", "m", "avg", 45);
  ExpectValidation(Request({q}, kT0, kT0),
                   "The value Bad for parameter MetricDataQueries.member.1.Id is not matching the "
                   "expected pattern ^[a-z][a-zA-Z0-9_]*$.\n"
                   "The value avg for parameter MetricDataQueries.member.1.MetricStat.Stat is not "
                   "a valid statistic.\n"
                   "The parameter MetricDataQueries.member.1.MetricStat.Period must be 1, 5, 10, "
                   "20, 30 or a multiple of 60.\n"
                   "The parameter StartTime must not equal parameter EndTime.\n");
}

VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(GetMetricDataTest);

}  // namespace
}  // namespace vigil::api::testing
