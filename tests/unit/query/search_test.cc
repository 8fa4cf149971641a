#include "vigil/query/search.h"

#include <gtest/gtest.h>

#include "query/search_match.h"

namespace vigil::query {
namespace {

constexpr int64_t kNow = 1'800'000'000;

storage::SeriesKey Key(std::string ns, std::string name,
                       std::vector<storage::Dimension> dims = {}) {
  storage::SeriesKey k{"123456789012", "us-east-1", std::move(ns), std::move(name),
                       std::move(dims)};
  k.Canonicalize();
  return k;
}

SearchExpression Parse(std::string_view text) {
  auto r = ParseSearchExpression(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : SearchExpression{};
}

bool Matches(std::string_view expr, const storage::SeriesKey& k) {
  return SearchMatches(Parse(expr), k);
}

std::string ErrorOf(std::string_view text) {
  auto r = ParseSearchExpression(text);
  if (r.ok()) return "(parsed)";
  EXPECT_EQ(r.error().code, ErrorCode::kValidationError);
  return r.error().message;
}

std::vector<std::string> Tokens(std::string_view name) {
  std::vector<internal::NameToken> t;
  internal::Tokenize(name, t);
  std::vector<std::string> out;
  for (const auto& x : t) out.emplace_back(x.text);
  return out;
}

bool Partial(std::string_view term, std::string_view name) {
  std::vector<internal::NameToken> scratch;
  return internal::PartialTerm(term).Matches(name, scratch);
}

// The UG's tokenization table, plus delimiters and digit runs.
TEST(SearchTokenizeTest, SplitsLikeTheUserGuide) {
  EXPECT_EQ(Tokens("CustomCount1"), (std::vector<std::string>{"Custom", "Count", "1"}));
  EXPECT_EQ(Tokens("SDBFailure"), (std::vector<std::string>{"SDB", "Failure"}));
  EXPECT_EQ(Tokens("Project2-trial333"),
            (std::vector<std::string>{"Project", "2", "trial", "333"}));
  EXPECT_EQ(Tokens("Network-Errors_2"), (std::vector<std::string>{"Network", "Errors", "2"}));
  EXPECT_EQ(Tokens("--a..b--"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Tokens("i-0abc12"), (std::vector<std::string>{"i", "0", "abc", "12"}));
  EXPECT_TRUE(Tokens("-/_").empty());
}

// "Partial matches": single tokens ignore case, composite tokens keep it.
TEST(SearchPartialTest, UserGuideExamples) {
  for (const char* t : {"count", "Count", "COUNT", "custom", "1", "CustomCount", "Count1",
                        "customcount1", "CUSTOMCOUNT1"}) {
    EXPECT_TRUE(Partial(t, "CustomCount1")) << t;
  }
  for (const char* t : {"couNT", "customcount", "count1", "ount", "Custom1", "CountCustom"}) {
    EXPECT_FALSE(Partial(t, "CustomCount1")) << t;
  }
  EXPECT_TRUE(Partial("sdb", "SDBFailure"));
  EXPECT_TRUE(Partial("sdbfailure", "SDBFailure"));
  EXPECT_TRUE(Partial("project2trial333", "Project2-trial333"));
  EXPECT_TRUE(Partial("trial", "Project2-trial333"));
  EXPECT_TRUE(Partial("333", "Project2-trial333"));
  EXPECT_FALSE(Partial("33", "Project2-trial333"));
}

// "Non-alphanumeric characters": delimiters in a term join tokens of any case.
TEST(SearchPartialTest, DelimitersInTerms) {
  for (const char* t : {"network/errors", "network+errors", "network-errors", "Network_Errors"}) {
    EXPECT_TRUE(Partial(t, "Network-Errors-2")) << t;
    EXPECT_TRUE(Partial(t, "NetworkErrors2")) << t;
  }
  EXPECT_FALSE(Partial("errors/network", "Network-Errors-2"));
  EXPECT_TRUE(Partial("t2.micro", "t2.micro"));
  EXPECT_TRUE(Partial("micro", "t2.micro"));
  EXPECT_FALSE(Partial("-", "a-b"));  // no letters or digits: matches nothing
  EXPECT_FALSE(internal::PartialTerm("--").valid());
}

TEST(SearchParseTest, SchemaAndTerms) {
  auto e = Parse(R"( {AWS/EC2, InstanceId} MetricName="CPUUtilization" )");
  ASSERT_TRUE(e.schema);
  EXPECT_EQ(e.schema->namespace_, "AWS/EC2");
  EXPECT_EQ(e.schema->dimension_names, (std::vector<std::string>{"InstanceId"}));
  ASSERT_GE(e.root, 0);
  const SearchNode& n = e.nodes[e.root];
  ASSERT_EQ(n.kind, SearchNode::Kind::kTerm);
  EXPECT_EQ(n.term, (SearchTerm{SearchTerm::Field::kMetricName, "", "CPUUtilization", true}));

  // Quoted names, a comma after the schema, dimension names sorted and deduplicated.
  e = Parse(R"({"My Namespace", "Dimension@Name", A, A}, "Custom:Name[Special_Characters")");
  ASSERT_TRUE(e.schema);
  EXPECT_EQ(e.schema->namespace_, "My Namespace");
  EXPECT_EQ(e.schema->dimension_names, (std::vector<std::string>{"A", "Dimension@Name"}));
  EXPECT_EQ(e.nodes[e.root].term.text, "Custom:Name[Special_Characters");
  EXPECT_TRUE(e.nodes[e.root].term.exact);

  // A schema alone.
  e = Parse("{MyNamespace}");
  EXPECT_EQ(e.root, -1);
  EXPECT_TRUE(e.schema->dimension_names.empty());
}

TEST(SearchParseTest, EscapesInExactTerms) {
  auto e = Parse(R"x("Europe\\France Traffic\(Network\)")x");
  EXPECT_EQ(e.nodes[e.root].term.text, R"(Europe\France Traffic(Network))");
  e = Parse(R"("say \"hi\"")");
  EXPECT_EQ(e.nodes[e.root].term.text, R"(say "hi")");
}

TEST(SearchParseTest, DesignatorsAndOperators) {
  auto e = Parse(R"(InstanceType = "t2.micro" Namespace=AWS/EC2)");
  const SearchNode& root = e.nodes[e.root];
  ASSERT_EQ(root.kind, SearchNode::Kind::kAnd);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(e.nodes[root.children[0]].term,
            (SearchTerm{SearchTerm::Field::kDimension, "InstanceType", "t2.micro", true}));
  EXPECT_EQ(e.nodes[root.children[1]].term,
            (SearchTerm{SearchTerm::Field::kNamespace, "", "AWS/EC2", false}));
  // Quoted designator names are dimension names.
  e = Parse(R"("My Dim"=x)");
  EXPECT_EQ(e.nodes[e.root].term,
            (SearchTerm{SearchTerm::Field::kDimension, "My Dim", "x", false}));
  // OR binds looser than (implicit) AND; chains flatten.
  e = Parse("a b OR c OR d");
  ASSERT_EQ(e.nodes[e.root].kind, SearchNode::Kind::kOr);
  EXPECT_EQ(e.nodes[e.root].children.size(), 3u);
  EXPECT_EQ(e.nodes[e.nodes[e.root].children[0]].kind, SearchNode::Kind::kAnd);
  // Lowercase operators are search terms.
  e = Parse("a and b");
  ASSERT_EQ(e.nodes[e.root].kind, SearchNode::Kind::kAnd);
  EXPECT_EQ(e.nodes[e.root].children.size(), 3u);
}

TEST(SearchParseTest, ErrorsNameTheProblemAndPosition) {
  EXPECT_EQ(ErrorOf(""),
            "Invalid SEARCH expression: it must contain a metric schema in braces, search terms, "
            "or both");
  EXPECT_EQ(ErrorOf("   "), ErrorOf(""));
  EXPECT_EQ(ErrorOf("(a OR b"), "Invalid SEARCH expression: '(' is not closed by ')' at character 1");
  EXPECT_EQ(ErrorOf("a)"), "Invalid SEARCH expression: unexpected ')' at character 2");
  EXPECT_EQ(ErrorOf("a OR"), "Invalid SEARCH expression: expected a search term at character 5");
  EXPECT_EQ(ErrorOf("AND a"),
            "Invalid SEARCH expression: 'AND' needs a search term on each side at character 1");
  EXPECT_EQ(ErrorOf("a NOT"),
            "Invalid SEARCH expression: 'NOT' needs a search term after it at character 3");
  EXPECT_EQ(ErrorOf("()"), "Invalid SEARCH expression: empty parentheses at character 1");
  EXPECT_EQ(ErrorOf(R"(MetricName="abc)"),
            "Invalid SEARCH expression: unterminated double quote at character 12");
  EXPECT_EQ(ErrorOf("MetricName="),
            "Invalid SEARCH expression: expected a value after '=' at character 11");
  EXPECT_EQ(ErrorOf("=x"),
            "Invalid SEARCH expression: '=' must follow a property name such as MetricName at "
            "character 1");
  EXPECT_EQ(ErrorOf("a=b=c"), "Invalid SEARCH expression: unexpected '=' at character 4");
  EXPECT_EQ(ErrorOf("{AWS/EC2"),
            "Invalid SEARCH expression: the metric schema '{' is not closed by '}' at character 1");
  EXPECT_EQ(ErrorOf("{AWS/EC2,}"),
            "Invalid SEARCH expression: empty name in the metric schema at character 10");
  EXPECT_EQ(ErrorOf("{My Namespace}"),
            "Invalid SEARCH expression: a name with spaces in the metric schema must be "
            "double-quoted at character 2");
  EXPECT_EQ(ErrorOf("cpu {AWS/EC2}"),
            "Invalid SEARCH expression: the metric schema in braces must come first at character "
            "5");
  EXPECT_EQ(ErrorOf(":aws.AccountId=\"1\""),
            "Invalid SEARCH expression: cross-account search (:aws.AccountId) is not supported at "
            "character 1");
  EXPECT_EQ(ErrorOf(std::string(1025, 'a')),
            "Invalid SEARCH expression: longer than 1024 characters");
  EXPECT_EQ(ErrorOf(std::string(300, '(') + "a" + std::string(300, ')')),
            "Invalid SEARCH expression: too deeply nested at character 201");
}

TEST(SearchMatchTest, SchemaIsExact) {
  auto ec2 = Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-1"}});
  auto both = Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-1"}, {"InstanceType", "t2"}});
  auto none = Key("AWS/EC2", "CPUUtilization");
  EXPECT_TRUE(Matches("{AWS/EC2,InstanceId}", ec2));
  EXPECT_FALSE(Matches("{AWS/EC2,InstanceId}", both));
  EXPECT_FALSE(Matches("{AWS/EC2,InstanceId}", none));
  EXPECT_TRUE(Matches("{AWS/EC2,InstanceType,InstanceId}", both));
  EXPECT_TRUE(Matches("{AWS/EC2}", none));
  EXPECT_FALSE(Matches("{AWS/EC2}", ec2));
  EXPECT_FALSE(Matches("{AWS/EBS,InstanceId}", ec2));
  EXPECT_FALSE(Matches("{aws/ec2,InstanceId}", ec2));
}

TEST(SearchMatchTest, ExactTermsMatchWholeNamesAnywhere) {
  auto k = Key("MyNamespace", "CustomCount1", {{"Project", "ProjectA"}});
  EXPECT_TRUE(Matches(R"("CustomCount1")", k));
  EXPECT_TRUE(Matches(R"("MyNamespace")", k));
  EXPECT_TRUE(Matches(R"("Project")", k));
  EXPECT_TRUE(Matches(R"("ProjectA")", k));
  EXPECT_FALSE(Matches(R"("customcount1")", k));
  EXPECT_FALSE(Matches(R"("Custom")", k));
  EXPECT_TRUE(Matches(R"(MetricName="CustomCount1")", k));
  EXPECT_FALSE(Matches(R"(MetricName="ProjectA")", k));
  EXPECT_TRUE(Matches(R"(Project="ProjectA")", k));
  EXPECT_FALSE(Matches(R"(Project="CustomCount1")", k));
  EXPECT_FALSE(Matches(R"(Other="ProjectA")", k));
  EXPECT_TRUE(Matches(R"(Namespace="MyNamespace")", k));
}

TEST(SearchMatchTest, PartialTermsAndDesignators) {
  auto micro = Key("AWS/EC2", "CPUUtilization", {{"InstanceType", "t2.micro"}});
  auto large = Key("AWS/EC2", "CPUUtilization", {{"InstanceType", "m5.large"}});
  EXPECT_TRUE(Matches("InstanceType=micro", micro));
  EXPECT_FALSE(Matches("InstanceType=micro", large));
  EXPECT_TRUE(Matches("cpu", micro));
  EXPECT_TRUE(Matches("utilization", micro));
  EXPECT_TRUE(Matches("Namespace=AWS", micro));
  EXPECT_TRUE(Matches("Namespace=ec2", micro));
  EXPECT_FALSE(Matches("MetricName=ec2", micro));
  EXPECT_TRUE(Matches("instance", micro));  // dimension names are searched too
}

TEST(SearchMatchTest, BooleanLogic) {
  auto errors = Key("AWS/Lambda", "Errors", {{"FunctionName", "ProjectC-fn"}});
  auto inv_a = Key("AWS/Lambda", "Invocations", {{"FunctionName", "ProjectA-fn"}});
  auto inv_c = Key("AWS/Lambda", "Invocations", {{"FunctionName", "ProjectC-fn"}});
  const char* q =
      R"({AWS/Lambda,FunctionName} MetricName="Errors" OR (MetricName="Invocations" AND (ProjectA OR ProjectB)))";
  EXPECT_TRUE(Matches(q, errors));
  EXPECT_TRUE(Matches(q, inv_a));
  EXPECT_FALSE(Matches(q, inv_c));

  auto i1 = Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-1234567890123456"}});
  auto i2 = Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-999"}});
  const char* not_q = R"({AWS/EC2,InstanceId} MetricName="CPUUtilization" NOT i-1234567890123456)";
  EXPECT_FALSE(Matches(not_q, i1));
  EXPECT_TRUE(Matches(not_q, i2));
  EXPECT_TRUE(Matches("NOT Namespace=AWS", Key("Custom", "m")));
  EXPECT_FALSE(Matches("NOT Namespace=AWS", i1));
  EXPECT_TRUE(Matches("NOT NOT cpu", i1));
  EXPECT_TRUE(Matches("(EC2 OR EBS) AND MetricName=cpu", i1));
  EXPECT_TRUE(Matches("(EC2 OR EBS) MetricName=cpu", i1));
  EXPECT_FALSE(Matches("(EBS OR Lambda) MetricName=cpu", i1));
  EXPECT_FALSE(Matches(R"(NOT "ProjectA" NOT "i-999")", i2));
}

class SearchStoreTest : public ::testing::Test {
 protected:
  void Put(storage::SeriesKey k, int64_t t, double v) {
    storage::Datum d;
    d.series = std::move(k);
    d.timestamp = Timestamp::FromSeconds(t);
    d.stats.Add(v, 1);
    ASSERT_TRUE(store_->Write({d}).ok());
  }
  std::unique_ptr<storage::MetricStore> store_ = storage::NewMemoryMetricStore();
  Timestamp now_ = Timestamp::FromSeconds(kNow);
};

TEST_F(SearchStoreTest, FindsRecentSeriesOfTheCallerOnly) {
  Put(Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-2"}}), kNow - 600, 1);
  Put(Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-1"}}), kNow - 600, 1);
  Put(Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-old"}}), kNow - 15 * 86400, 1);
  Put(Key("AWS/EC2", "NetworkIn", {{"InstanceId", "i-1"}}), kNow - 600, 1);
  auto other = Key("AWS/EC2", "CPUUtilization", {{"InstanceId", "i-9"}});
  other.account = "999999999999";
  Put(other, kNow - 600, 1);

  auto r = FindSearchSeries(*store_, "123456789012", "us-east-1",
                            Parse(R"({AWS/EC2,InstanceId} MetricName="CPUUtilization")"), now_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].dimensions[0].value, "i-1");
  EXPECT_EQ(r->series[1].dimensions[0].value, "i-2");
  EXPECT_FALSE(r->truncated);

  r = FindSearchSeries(*store_, "123456789012", "us-east-1", Parse("i-1"), now_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 2u);  // CPUUtilization and NetworkIn of i-1
  EXPECT_EQ(r->series[0].metric_name, "CPUUtilization");
  EXPECT_EQ(r->series[1].metric_name, "NetworkIn");
  r = FindSearchSeries(*store_, "123456789012", "eu-west-1", Parse("i-1"), now_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->series.empty());
}

TEST_F(SearchStoreTest, StopsAtTheLimitAcrossBatches) {
  std::vector<storage::Datum> data;
  for (int i = 0; i < 5000; ++i) {
    storage::Datum d;
    std::string id = "h";
    id += std::to_string(10000 + i);
    d.series = Key("App", i % 2 ? "Odd" : "Even", {{"Host", id}});
    d.timestamp = Timestamp::FromSeconds(kNow - 60);
    d.stats.Add(i, 1);
    data.push_back(std::move(d));
  }
  ASSERT_TRUE(store_->Write(data).ok());
  auto r = FindSearchSeries(*store_, "123456789012", "us-east-1", Parse("Odd"), now_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->series.size(), kMaxSearchSeries);
  EXPECT_TRUE(r->truncated);
  r = FindSearchSeries(*store_, "123456789012", "us-east-1", Parse("Odd"), now_, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->series.size(), 10u);
  EXPECT_TRUE(r->truncated);
  // Fewer matches than the limit: not truncated.
  r = FindSearchSeries(*store_, "123456789012", "us-east-1", Parse(R"(Host="h10001")"), now_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->series.size(), 1u);
  EXPECT_FALSE(r->truncated);
}

TEST_F(SearchStoreTest, EvaluateSearchQueriesEachSeries) {
  auto a = Key("App", "Latency", {{"Host", "a"}});
  auto b = Key("App", "Latency", {{"Host", "b"}});
  Put(a, kNow - 120, 10);
  Put(a, kNow - 110, 20);
  Put(b, kNow - 120, 5);
  auto stat = Statistic::Parse("Maximum");
  ASSERT_TRUE(stat);
  auto r = EvaluateSearch(*store_, "123456789012", "us-east-1", Parse("{App,Host} Latency"), *stat,
                          60, Timestamp::FromSeconds(kNow - 3600), now_, now_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].label, "a Latency");
  ASSERT_EQ(r->series[0].values.points.size(), 1u);
  EXPECT_EQ(r->series[0].values.points[0].value, 20);
  EXPECT_EQ(r->series[0].values.points[0].timestamp.seconds(), kNow - 120);
  EXPECT_EQ(r->series[1].label, "b Latency");
  EXPECT_EQ(r->series[1].values.points[0].value, 5);
}

TEST(SearchLabelTest, DimensionValuesThenMetricName) {
  EXPECT_EQ(SearchSeriesLabel(Key("AWS/EC2", "CPUUtilization",
                                  {{"InstanceType", "t2"}, {"AutoScalingGroupName", "asg"}})),
            "asg t2 CPUUtilization");
  EXPECT_EQ(SearchSeriesLabel(Key("ns", "m")), "m");
}

}  // namespace
}  // namespace vigil::query
