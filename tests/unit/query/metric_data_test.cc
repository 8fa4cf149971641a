// The GetMetricData engine: paging that resumes exactly, tokens, labels, units, statuses.
#include "vigil/query/metric_data.h"

#include <gtest/gtest.h>

#include "query/labels.h"
#include "query/page_token.h"
#include "vigil/common/base64.h"

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;

storage::SeriesKey Key(std::string name, std::vector<storage::Dimension> dims = {}) {
  storage::SeriesKey k{"123456789012", "us-east-1", "ns", std::move(name), std::move(dims)};
  k.Canonicalize();
  return k;
}

MetricDataQuery Q(std::string id, std::string metric, std::string_view stat = "Sum",
                  int period = 60) {
  MetricDataQuery q;
  q.id = std::move(id);
  q.series = Key(std::move(metric));
  q.statistic = *Statistic::Parse(stat);
  q.period_seconds = period;
  return q;
}

class MetricDataTest : public ::testing::Test {
 protected:
  MetricDataTest() : store_(storage::NewMemoryMetricStore()) {}

  void Put(const storage::SeriesKey& k, int64_t at, double v, uint8_t unit = storage::kUnitNone) {
    storage::Datum d;
    d.series = k;
    d.unit = unit;
    d.timestamp = Timestamp::FromSeconds(at);
    d.stats.Add(v, 1);
    ASSERT_TRUE(store_->Write({d}).ok());
  }
  MetricDataRequest Request(std::vector<MetricDataQuery> qs) {
    MetricDataRequest r;
    r.queries = std::move(qs);
    r.start = Timestamp::FromSeconds(kNow - 3 * 3600);
    r.end = Timestamp::FromSeconds(kNow);
    return r;
  }
  MetricDataPage Run(const MetricDataRequest& r, int64_t now = kNow) {
    auto page = GetMetricData(*store_, r, Timestamp::FromSeconds(now));
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
    return page.ok() ? *page : MetricDataPage{};
  }
  // Every page until there is no NextToken, the results of each page appended.
  std::vector<MetricDataPage> RunAll(MetricDataRequest r) {
    std::vector<MetricDataPage> pages;
    for (int guard = 0; guard < 1000; ++guard) {
      pages.push_back(Run(r, kNow + guard * 7));  // the clock moves between pages
      if (!pages.back().next_token) return pages;
      r.next_token = pages.back().next_token;
    }
    ADD_FAILURE() << "NextToken kept coming";
    return pages;
  }

  std::unique_ptr<storage::MetricStore> store_;
};

TEST_F(MetricDataTest, DefaultOrderIsNewestFirstAndAscendingIsReversed) {
  for (int i = 0; i < 5; ++i) Put(Key("m"), kNow - 3000 + 60 * i, i);
  auto r = Request({Q("q", "m")});
  auto desc = Run(r);
  ASSERT_EQ(desc.results.size(), 1u);
  EXPECT_EQ(desc.results[0].values, (std::vector<double>{4, 3, 2, 1, 0}));
  EXPECT_EQ(desc.results[0].timestamps.front(), Timestamp::FromSeconds(kNow - 3000 + 240));
  EXPECT_EQ(desc.results[0].status, DataStatus::kComplete);
  EXPECT_FALSE(desc.next_token);
  r.order = ScanOrder::kTimestampAscending;
  EXPECT_EQ(Run(r).results[0].values, (std::vector<double>{0, 1, 2, 3, 4}));
}

TEST_F(MetricDataTest, PagingResumesExactlyAcrossQueriesInBothOrders) {
  // Three queries with 20, 0 and 7 values; pages of 6.
  for (int i = 0; i < 20; ++i) Put(Key("a"), kNow - 3000 + 60 * i, i);
  for (int i = 0; i < 7; ++i) Put(Key("c"), kNow - 3000 + 60 * i, 100 + i);
  for (auto order : {ScanOrder::kTimestampDescending, ScanOrder::kTimestampAscending}) {
    auto r = Request({Q("qa", "a"), Q("qb", "b"), Q("qc", "c")});
    auto full = Run(r);
    ASSERT_EQ(full.results.size(), 3u);
    r.order = order;
    full = Run(r);
    r.max_datapoints = 6;
    auto pages = RunAll(r);
    ASSERT_EQ(pages.size(), 5u);  // 27 values
    std::map<std::string, std::vector<double>> values;
    std::map<std::string, std::vector<Timestamp>> times;
    for (size_t p = 0; p < pages.size(); ++p) {
      size_t on_page = 0;
      for (const auto& res : pages[p].results) {
        values[res.id].insert(values[res.id].end(), res.values.begin(), res.values.end());
        times[res.id].insert(times[res.id].end(), res.timestamps.begin(), res.timestamps.end());
        on_page += res.values.size();
        bool last_page_of_query = &res != &pages[p].results.back() || !pages[p].next_token;
        EXPECT_EQ(res.status, last_page_of_query ? DataStatus::kComplete : DataStatus::kPartialData)
            << "page " << p << " " << res.id;
      }
      EXPECT_LE(on_page, 6u);
      if (p + 1 < pages.size()) {
        EXPECT_EQ(on_page, 6u);
      }
    }
    for (const auto& res : full.results) {
      EXPECT_EQ(values[res.id], res.values) << res.id;
      EXPECT_EQ(times[res.id], res.timestamps) << res.id;
    }
    // The empty query appears once, on the page where its turn came.
    int qb_pages = 0;
    for (const auto& page : pages) {
      for (const auto& res : page.results) qb_pages += res.id == "qb";
    }
    EXPECT_EQ(qb_pages, 1);
  }
}

TEST_F(MetricDataTest, PageFullExactlyAtTheEndOfAQuery) {
  for (int i = 0; i < 4; ++i) Put(Key("a"), kNow - 3000 + 60 * i, i);
  Put(Key("b"), kNow - 3000, 9);
  auto r = Request({Q("qa", "a"), Q("qb", "b")});
  r.max_datapoints = 4;
  auto first = Run(r);
  ASSERT_EQ(first.results.size(), 1u);
  EXPECT_EQ(first.results[0].status, DataStatus::kComplete);
  ASSERT_TRUE(first.next_token);
  r.next_token = first.next_token;
  auto second = Run(r);
  ASSERT_EQ(second.results.size(), 1u);
  EXPECT_EQ(second.results[0].id, "qb");
  EXPECT_EQ(second.results[0].values, std::vector<double>{9});
  EXPECT_FALSE(second.next_token);
}

TEST_F(MetricDataTest, APageNeverHoldsMoreThan100800Values) {
  // 71 series × 1,440 minutes = 102,240 values.
  std::vector<MetricDataQuery> qs;
  std::vector<storage::Datum> batch;
  for (int s = 0; s < 71; ++s) {
    std::string name = "s";
    name += std::to_string(s);
    for (int m = 0; m < 1440; ++m) {
      storage::Datum d;
      d.series = Key(name);
      d.timestamp = Timestamp::FromSeconds(kNow - 86400 + 60 * m);
      d.stats.Add(m, 1);
      batch.push_back(std::move(d));
    }
    std::string id = "q";
    id += std::to_string(s);
    qs.push_back(Q(id, name));
  }
  ASSERT_TRUE(store_->Write(batch).ok());
  auto r = Request(qs);
  r.start = Timestamp::FromSeconds(kNow - 86400);
  r.max_datapoints = 1'000'000;
  auto first = Run(r);
  size_t n = 0;
  for (const auto& res : first.results) n += res.values.size();
  EXPECT_EQ(n, kMaxDatapointsPerCall);
  ASSERT_TRUE(first.next_token);
  EXPECT_EQ(first.results.size(), 70u) << "70 full days fill the page exactly";
  EXPECT_EQ(first.results.back().status, DataStatus::kComplete);
  r.next_token = first.next_token;
  auto second = Run(r);
  n = 0;
  for (const auto& res : second.results) n += res.values.size();
  EXPECT_EQ(n, 71u * 1440 - kMaxDatapointsPerCall);
  EXPECT_FALSE(second.next_token);
}

TEST_F(MetricDataTest, NewDataBetweenPagesDoesNotShiftTheResume) {
  for (int i = 0; i < 10; ++i) Put(Key("a"), kNow - 3000 + 60 * i, i);
  auto r = Request({Q("qa", "a")});
  r.max_datapoints = 4;
  auto first = Run(r);
  EXPECT_EQ(first.results[0].values, (std::vector<double>{9, 8, 7, 6}));
  Put(Key("a"), kNow - 3000 + 60 * 20, 20);  // newer than anything returned
  r.next_token = first.next_token;
  EXPECT_EQ(Run(r).results[0].values, (std::vector<double>{5, 4, 3, 2}));
}

TEST_F(MetricDataTest, TokensFromAnotherRequestOrTamperedAreRefused) {
  for (int i = 0; i < 10; ++i) Put(Key("a"), kNow - 3000 + 60 * i, i);
  auto r = Request({Q("qa", "a")});
  r.max_datapoints = 3;
  auto first = Run(r);
  ASSERT_TRUE(first.next_token);
  auto expect_invalid = [&](MetricDataRequest bad) {
    auto page = GetMetricData(*store_, bad, Timestamp::FromSeconds(kNow));
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, ErrorCode::kInvalidNextToken);
  };
  auto bytes = *Base64Decode(*first.next_token);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto t = bytes;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    auto bad = r;
    bad.next_token = Base64Encode(t);
    expect_invalid(bad);
  }
  auto other = r;
  other.next_token = first.next_token;
  other.queries[0].statistic = *Statistic::Parse("Maximum");
  expect_invalid(other);
  other = r;
  other.next_token = first.next_token;
  other.end = Timestamp::FromSeconds(kNow + 60);
  expect_invalid(other);
  other = r;
  other.next_token = first.next_token;
  other.order = ScanOrder::kTimestampAscending;
  expect_invalid(other);
  other = r;
  other.next_token = "not base64 !";
  expect_invalid(other);
  other.next_token = "";
  expect_invalid(other);
  // MaxDatapoints may change between pages.
  other = r;
  other.next_token = first.next_token;
  other.max_datapoints = 100;
  EXPECT_EQ(Run(other).results[0].values.size(), 7u);
}

TEST_F(MetricDataTest, MultipleUnitsMessageAndUnitFilter) {
  Put(Key("m"), kNow - 600, 60000, *storage::UnitCode("Milliseconds"));
  Put(Key("m"), kNow - 600, 60, *storage::UnitCode("Seconds"));
  Put(Key("m"), kNow - 600, 5, *storage::UnitCode("Count"));
  auto q = Q("q", "m");
  auto page = Run(Request({q}));
  ASSERT_EQ(page.results[0].values, std::vector<double>{5});
  ASSERT_EQ(page.results[0].messages.size(), 1u);
  EXPECT_EQ(page.results[0].messages[0].code, "MultipleUnits");
  EXPECT_EQ(page.results[0].messages[0].value,
            "Multiple units returned: '[Count, Milliseconds, Seconds]'");
  q.unit = storage::UnitCode("Seconds");
  page = Run(Request({q}));
  EXPECT_EQ(page.results[0].values, std::vector<double>{60});
  EXPECT_TRUE(page.results[0].messages.empty());
}

TEST_F(MetricDataTest, ReturnDataFalseAndForbiddenQueries) {
  Put(Key("m"), kNow - 600, 1);
  auto hidden = Q("hidden", "m");
  hidden.return_data = false;
  auto other_account = Q("other", "m");
  other_account.forbidden = true;
  auto page = Run(Request({hidden, Q("shown", "m"), other_account}));
  ASSERT_EQ(page.results.size(), 2u);
  EXPECT_EQ(page.results[0].id, "shown");
  EXPECT_EQ(page.results[1].id, "other");
  EXPECT_EQ(page.results[1].status, DataStatus::kForbidden);
  EXPECT_TRUE(page.results[1].values.empty());
}

TEST_F(MetricDataTest, DynamicLabelsUseTheWholeRangeOnEveryPage) {
  auto k = Key("lat", {{"Host", "web-1"}, {"Az", "a"}});
  // 07:10Z..07:14Z; the maximum 9 twice: ${MAX_TIME} is the oldest of them.
  double vals[] = {3, 9, 1, 4, 9};
  for (int i = 0; i < 5; ++i) Put(k, kNow - 3000 + 60 * i, vals[i]);
  auto q = Q("q", "lat", "Maximum");
  q.series = k;
  q.label =
      "${LABEL} [${PROP('Dim.Host')}] max ${MAX} at ${MAX_TIME} min ${MIN}@${MIN_TIME} "
      "first ${FIRST} last ${LAST} avg ${AVG} sum ${SUM} n ${DATAPOINT_COUNT} "
      "${FIRST_TIME}..${LAST_TIME} ${PROP('MetricName')} ${PROP('Namespace')} "
      "${PROP('Period')} ${PROP('Stat')} ${PROP('Dim.Nope')}|${UNKNOWN} ${PROP('Region')}";
  auto r = Request({q});
  r.timezone_offset_minutes = 90;
  r.max_datapoints = 2;
  const std::string want =
      "lat [web-1] max 9 at 2027-01-15T08:41:00+01:30 min 1@2027-01-15T08:42:00+01:30 first 3 "
      "last 9 avg 5.2 sum 26 n 5 2027-01-15T08:40:00+01:30..2027-01-15T08:44:00+01:30 lat ns 60 "
      "Maximum |${UNKNOWN} us-east-1";
  for (const auto& page : RunAll(r)) {
    ASSERT_EQ(page.results.size(), 1u);
    EXPECT_EQ(page.results[0].label, want);
  }
  r.timezone_offset_minutes = -240;
  r.queries[0].label = "${FIRST_TIME}";
  r.max_datapoints = 100;
  EXPECT_EQ(Run(r).results[0].label, "2027-01-15T03:10:00-04:00");
  r.queries[0].label = "none: ${MAX}|${FIRST_TIME}|${DATAPOINT_COUNT}";
  r.queries[0].series = Key("empty");
  EXPECT_EQ(Run(r).results[0].label, "none: ||0");
}

TEST(LabelsTest, DefaultLabelsAsRecorded) {
  auto labels = [](std::vector<std::tuple<const char*, int, std::optional<uint8_t>>> specs) {
    std::vector<MetricDataQuery> qs;
    for (auto [stat, period, unit] : specs) {
      auto q = Q("q", "metric1", stat, period);
      q.unit = unit;
      qs.push_back(q);
    }
    return internal::DefaultLabels(qs);
  };
  using V = std::vector<std::string>;
  auto s = storage::UnitCode("Seconds");
  auto ms = storage::UnitCode("Milliseconds");
  EXPECT_EQ(labels({{"Sum", 60, s}, {"Minimum", 30, s}}),
            (V{"metric1 Sum 60", "metric1 Minimum 30"}));
  EXPECT_EQ(labels({{"Sum", 60, s}, {"Minimum", 60, s}}), (V{"metric1 Sum", "metric1 Minimum"}));
  EXPECT_EQ(labels({{"Sum", 60, s}, {"Sum", 30, s}}), (V{"metric1 60", "metric1 30"}));
  EXPECT_EQ(labels({{"Sum", 60, s}, {"Minimum", 30, ms}}),
            (V{"metric1 Sum 60", "metric1 Minimum 30"}));
  EXPECT_EQ(labels({{"Sum", 60, s}, {"Sum", 60, ms}}), (V{"metric1", "metric1"}));
  EXPECT_EQ(labels({{"Average", 60, s}, {"Sum", 60, s}, {"Minimum", 60, s}, {"Maximum", 60, s}}),
            (V{"metric1 Average", "metric1 Sum", "metric1 Minimum", "metric1 Maximum"}));
  EXPECT_EQ(labels({{"Sum", 60, std::nullopt}}), (V{"metric1"}));
  EXPECT_EQ(labels({{"p99", 60, s}, {"p50", 60, s}}), (V{"metric1 p99", "metric1 p50"}));
}

TEST(LabelsTest, NumbersAndTimes) {
  EXPECT_EQ(internal::LabelNumber(5), "5");
  EXPECT_EQ(internal::LabelNumber(19.416666666666668), "19.416666666666668");
  EXPECT_EQ(internal::LabelNumber(-0.5), "-0.5");
  EXPECT_EQ(internal::LabelTime(Timestamp::FromSeconds(kNow), 0), "2027-01-15T08:00:00+00:00");
  EXPECT_EQ(internal::LabelTime(Timestamp::FromSeconds(kNow), -150), "2027-01-15T05:30:00-02:30");
}

TEST(LabelsTest, TimezoneOffsets) {
  EXPECT_EQ(ParseTimezoneOffset("+0000"), 0);
  EXPECT_EQ(ParseTimezoneOffset("+0130"), 90);
  EXPECT_EQ(ParseTimezoneOffset("-0400"), -240);
  EXPECT_EQ(ParseTimezoneOffset("+2359"), 23 * 60 + 59);
  for (const char* bad :
       {"", "0130", "+130", "+01:30", "+2400", "+0060", "UTC", "+01300", "-04a0"}) {
    EXPECT_FALSE(ParseTimezoneOffset(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace vigil::query
