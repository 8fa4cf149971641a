// GetMetricStatistics ExtendedStatistics in all three protocols, and the one-engine guarantee:
// GetMetricStatistics and GetMetricData answer the same value for every statistic.
#include <map>

#include "unit/api/api_fixture.h"

namespace vigil::api::testing {
namespace {

constexpr int64_t kNow = kFixtureNow;
constexpr int64_t kT0 = kNow - 1800;

cw::GetMetricStatisticsInput Ext(std::string ns, std::string metric, std::vector<std::string> stats,
                                 int64_t start = kT0 - 600, int64_t end = kT0 + 600,
                                 int period = 60) {
  cw::GetMetricStatisticsInput in;
  in.namespace_ = std::move(ns);
  in.metric_name = std::move(metric);
  in.start_time = Timestamp::FromSeconds(start);
  in.end_time = Timestamp::FromSeconds(end);
  in.period = period;
  in.extended_statistics = std::move(stats);
  return in;
}

class ExtendedStatisticsTest : public ProtocolApiTest {
 protected:
  std::vector<cw::Datapoint> Points(const cw::GetMetricStatisticsInput& in) {
    cw::GetMetricStatisticsOutput out;
    auto e = Do("GetMetricStatistics", in, out);
    EXPECT_FALSE(e) << e->code << ": " << e->message;
    EXPECT_EQ(out.label, in.metric_name);
    auto dps = out.datapoints.value_or(std::vector<cw::Datapoint>{});
    std::sort(dps.begin(), dps.end(), [](const auto& a, const auto& b) {
      return std::tie(a.timestamp, a.unit) < std::tie(b.timestamp, b.unit);
    });
    return dps;
  }
};

TEST_P(ExtendedStatisticsTest, PercentilesAndTrimmedStatisticsPerPeriod) {
  std::vector<cw::MetricDatum> data;
  for (int v = 1; v <= 10; ++v) data.push_back(Datum("lat", v, kT0));
  for (int v : {100, 200}) data.push_back(Datum("lat", v, kT0 + 60));
  PutOk(Put("ext", data));
  auto dps = Points(
      Ext("ext", "lat",
          {"p50", "p90", "p99.5", "tm90", "IQM", "TM(10%:90%)", "wm90", "tc90", "ts90", "PR(:3)"}));
  auto more = Points(Ext("ext", "lat", {"TC(2:5)"}));
  ASSERT_EQ(dps.size(), 2u);
  ASSERT_EQ(more.size(), 2u);
  dps[0].extended_statistics->merge(*more[0].extended_statistics);
  EXPECT_EQ(dps[0].timestamp, Timestamp::FromSeconds(kT0));
  EXPECT_EQ(dps[0].unit, "None");
  EXPECT_FALSE(dps[0].sum.has_value()) << "only the statistics asked for";
  std::map<std::string, double> want = {{"p50", 5},     {"p90", 9},    {"p99.5", 10},
                                        {"tm90", 5},    {"IQM", 5.5},  {"TM(10%:90%)", 5.5},
                                        {"wm90", 5.4},  {"tc90", 9},   {"ts90", 45},
                                        {"PR(:3)", 30}, {"TC(2:5)", 3}};
  ASSERT_TRUE(dps[0].extended_statistics.has_value());
  EXPECT_EQ(*dps[0].extended_statistics, want);
  const auto& second = *dps[1].extended_statistics;
  EXPECT_EQ(second.at("p50"), 100);
  EXPECT_EQ(second.at("p90"), 200);
  EXPECT_EQ(second.at("tc90"), 2);  // ceil(0.9 × 2) = 2: both kept
}

TEST_P(ExtendedStatisticsTest, UnavailableStatisticsAreLeftOut) {
  std::vector<cw::MetricDatum> data;
  data.push_back(Datum("m", -1, kT0));  // a negative value: no percentile for this minute
  data.push_back(Datum("m", 3, kT0));
  data.push_back(Datum("m", 7, kT0 + 60));
  auto set = Datum("m", 0, kT0 + 120);  // a statistic set that cannot be expanded
  set.value.reset();
  set.statistic_values = cw::StatisticSet{4, 10, 1, 4};
  data.push_back(set);
  auto same = Datum("m", 0, kT0 + 180);  // one that can: Min = Max, Sum = Min × SampleCount
  same.value.reset();
  same.statistic_values = cw::StatisticSet{3, 6, 2, 2};
  data.push_back(same);
  PutOk(Put("gaps", data));
  auto dps = Points(Ext("gaps", "m", {"p50", "TC(:100)"}));
  ASSERT_EQ(dps.size(), 2u) << "datapoints without any statistic are left out";
  EXPECT_EQ(dps[0].timestamp, Timestamp::FromSeconds(kT0 + 60));
  EXPECT_EQ(dps[0].extended_statistics->at("p50"), 7);
  EXPECT_EQ(dps[1].timestamp, Timestamp::FromSeconds(kT0 + 180));
  EXPECT_EQ(dps[1].extended_statistics->at("p50"), 2);
  EXPECT_EQ(dps[1].extended_statistics->at("TC(:100)"), 3);
  // The basic statistics still cover every minute.
  cw::GetMetricStatisticsInput basic = Ext("gaps", "m", {});
  basic.extended_statistics.reset();
  basic.statistics = std::vector<std::string>{"Sum"};
  EXPECT_EQ(Points(basic).size(), 4u);
}

TEST_P(ExtendedStatisticsTest, OneDatapointPerUnit) {
  auto a = Datum("u", 1, kT0), b = Datum("u", 5, kT0);
  a.unit = "Seconds";
  b.unit = "Count";
  PutOk(Put("units", {a, b}));
  auto dps = Points(Ext("units", "u", {"p50"}));
  ASSERT_EQ(dps.size(), 2u);
  EXPECT_EQ(dps[0].unit, "Count");
  EXPECT_EQ(dps[0].extended_statistics->at("p50"), 5);
  EXPECT_EQ(dps[1].unit, "Seconds");
  EXPECT_EQ(dps[1].extended_statistics->at("p50"), 1);
}

TEST_P(ExtendedStatisticsTest, Errors) {
  cw::GetMetricStatisticsOutput out;
  auto both = Ext("e", "m", {"p99"});
  both.statistics = std::vector<std::string>{"Sum"};
  ExpectError(Do("GetMetricStatistics", both, out), 400, "InvalidParameterCombination",
              "The parameters Statistics and ExtendedStatistics are mutually exclusive and you "
              "have specified both.");
  for (const char* bad : {"P99", "tm(1%:2%)", "Sum", "p100.5", "TM(90%:10%)"}) {
    ExpectError(Do("GetMetricStatistics", Ext("e", "m", {"p50", bad}), out), 400,
                "InvalidParameterValue",
                std::string("The value ") + bad +
                    " for parameter ExtendedStatistics.member.2 is not a valid statistic.");
  }
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(Numbered("p", i));
  ExpectError(Do("GetMetricStatistics", Ext("e", "m", eleven), out), 400, "ValidationError");
  std::vector<std::string> ten(eleven.begin(), eleven.begin() + 10);
  EXPECT_FALSE(Do("GetMetricStatistics", Ext("e", "m", ten), out));
}

// The one-engine guarantee: the same statistic read through both APIs gives the same answer.
TEST_P(ExtendedStatisticsTest, GetMetricStatisticsAndGetMetricDataAgree) {
  std::vector<cw::MetricDatum> data;
  for (int minute = 0; minute < 5; ++minute) {
    for (int k = 0; k < 7; ++k) {
      data.push_back(Datum("m", (minute + 1) * 1.5 + k * k, kT0 + minute * 60 + k));
    }
  }
  auto hist = Datum("m", 0, kT0 + 120);
  hist.value.reset();
  hist.values = std::vector<double>{0.5, 42, 1000};
  hist.counts = std::vector<double>{3, 1, 2};
  data.push_back(hist);
  PutOk(Put("agree", data));
  for (const char* stat :
       {"SampleCount", "Sum", "Average", "Minimum", "Maximum", "p10", "p50", "p99.9", "tm80",
        "TM(5%:95%)", "IQM", "wm90", "TC(1:20)", "ts75", "PR(2.5:30)"}) {
    for (int period : {60, 120, 300}) {
      auto gms = Ext("agree", "m", {stat}, kT0 - 600, kT0 + 900, period);
      bool basic = std::string_view(stat).find_first_of("(0123456789") == std::string_view::npos &&
                   std::string_view(stat) != "IQM";
      if (basic) {
        gms.extended_statistics.reset();
        gms.statistics = std::vector<std::string>{stat};
      }
      std::map<Timestamp, double> from_gms;
      for (const auto& dp : Points(gms)) {
        std::optional<double> v;
        if (!basic)
          v = dp.extended_statistics->at(stat);
        else if (std::string_view(stat) == "SampleCount")
          v = dp.sample_count;
        else if (std::string_view(stat) == "Sum")
          v = dp.sum;
        else if (std::string_view(stat) == "Average")
          v = dp.average;
        else if (std::string_view(stat) == "Minimum")
          v = dp.minimum;
        else
          v = dp.maximum;
        from_gms[*dp.timestamp] = *v;
      }
      cw::GetMetricDataInput in;
      cw::MetricDataQuery q;
      q.id = "q";
      q.metric_stat.emplace();
      q.metric_stat->metric.namespace_ = "agree";
      q.metric_stat->metric.metric_name = "m";
      q.metric_stat->period = period;
      q.metric_stat->stat = stat;
      in.metric_data_queries = {q};
      in.start_time = gms.start_time;
      in.end_time = gms.end_time;
      cw::GetMetricDataOutput out;
      ASSERT_FALSE(Do("GetMetricData", in, out));
      const auto& r = (*out.metric_data_results)[0];
      std::map<Timestamp, double> from_gmd;
      for (size_t i = 0; i < r.values->size(); ++i) from_gmd[(*r.timestamps)[i]] = (*r.values)[i];
      EXPECT_EQ(from_gms, from_gmd) << stat << " period " << period;
      EXPECT_FALSE(from_gmd.empty()) << stat;
    }
  }
}

VIGIL_INSTANTIATE_FOR_EACH_PROTOCOL(ExtendedStatisticsTest);

}  // namespace
}  // namespace vigil::api::testing
