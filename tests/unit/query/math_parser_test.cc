// Metric math: the parser (precedence, associativity, every token, syntax errors with their
// positions) and the static type checker (AWS's S / TS / TS[] rules, unknown functions and ids,
// argument counts and kinds).
#include <gtest/gtest.h>

#include <map>

#include "vigil/query/math.h"

namespace vigil::query::math {
namespace {

// Concatenation without operator+ on a temporary (g++ 12 warns falsely about it at -O2).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

// The tree as a compact prefix form: (+ m1 (* 2 m2)), SUM(METRICS()), [m1 m2], 'text'.
std::string Show(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kNumber: {
      std::string s = std::to_string(n.number);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
      return s;
    }
    case Node::Kind::kString:
      return Cat("'", n.text, "'");
    case Node::Kind::kId:
    case Node::Kind::kKeyword:
      return n.text;
    case Node::Kind::kUnary:
    case Node::Kind::kBinary: {
      std::string s = Cat("(", n.text);
      for (const Node& c : n.children) s.append(Cat(" ", Show(c)));
      s += ')';
      return s;
    }
    case Node::Kind::kCall:
    case Node::Kind::kArray: {
      const bool call = n.kind == Node::Kind::kCall;
      std::string s = call ? Cat(n.text, "(") : std::string("[");
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) s += ' ';
        s.append(Show(n.children[i]));
      }
      s += call ? ')' : ']';
      return s;
    }
  }
  return "?";
}

std::string P(std::string_view text) {
  auto r = Parse(text);
  if (!r.ok()) return Cat("ERROR ", r.error().message);
  return Show(*r);
}

std::string ParseError(std::string_view text) {
  auto r = Parse(text);
  if (r.ok()) return Cat("parsed as ", Show(*r));
  EXPECT_EQ(r.error().code, ErrorCode::kValidationError);
  return r.error().message;
}

TEST(MathParserTest, PrecedenceAndAssociativity) {
  EXPECT_EQ(P("1 + 2 * 3"), "(+ 1 (* 2 3))");
  EXPECT_EQ(P("(1 + 2) * 3"), "(* (+ 1 2) 3)");
  EXPECT_EQ(P("7 - 2 - 1"), "(- (- 7 2) 1)");
  EXPECT_EQ(P("8 / 4 / 2"), "(/ (/ 8 4) 2)");
  EXPECT_EQ(P("2 ^ 3 ^ 2"), "(^ 2 (^ 3 2))");
  EXPECT_EQ(P("-2 ^ 2"), "(- (^ 2 2))");
  EXPECT_EQ(P("2 ^ -1"), "(^ 2 (- 1))");
  EXPECT_EQ(P("--m1"), "(- (- m1))");
  EXPECT_EQ(P("m1 * -m2"), "(* m1 (- m2))");
  EXPECT_EQ(P("1 + 1 == 2"), "(== (+ 1 1) 2)");
  EXPECT_EQ(P("m1 < 2 AND m2 >= 3 OR m3 != 4"), "(OR (AND (< m1 2) (>= m2 3)) (!= m3 4))");
  EXPECT_EQ(P("a || b && c"), "(OR a (AND b c))");
  EXPECT_EQ(P("a <= b > c == d"), "(== (> (<= a b) c) d)");
}

TEST(MathParserTest, Operands) {
  EXPECT_EQ(P("1.5 + .5 + 2e3 + 1.5E-1"), "(+ (+ (+ 1.5 0.5) 2000) 0.15)");
  EXPECT_EQ(P("errors_5xx / requestsTotal"), "(/ errors_5xx requestsTotal)");
  EXPECT_EQ(P("SUM(METRICS())"), "SUM(METRICS())");
  EXPECT_EQ(P("METRICS('cpu')"), "METRICS('cpu')");
  EXPECT_EQ(P("[m1, m2 * 2, METRICS()]"), "[m1 (* m2 2) METRICS()]");
  EXPECT_EQ(P("FILL(m1, REPEAT)"), "FILL(m1 REPEAT)");
  EXPECT_EQ(P("SORT(METRICS(), AVG, DESC, 3)"), "SORT(METRICS() AVG DESC 3)");
  EXPECT_EQ(P("SEARCH('{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\"', 'Average', 300)"),
            "SEARCH('{AWS/EC2,InstanceId} MetricName=\"CPUUtilization\"' 'Average' 300)");
  EXPECT_EQ(P("METRICS(\"it's\")"), "METRICS('it's')");
  EXPECT_EQ(P("METRICS('a\\'b')"), "METRICS('a'b')");
  EXPECT_EQ(P("  m1\t+\nm2  "), "(+ m1 m2)");
  EXPECT_EQ(P("m1 && m2 || m3"), "(OR (AND m1 m2) m3)");
}

TEST(MathParserTest, PositionsAreOneBased) {
  auto n = Parse("m1 + ABS(m2)");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->position, 4u);  // the operator
  EXPECT_EQ(n->children[0].position, 1u);
  EXPECT_EQ(n->children[1].position, 6u);
  EXPECT_EQ(n->children[1].children[0].position, 10u);
}

TEST(MathParserTest, SyntaxErrorsNameThePosition) {
  EXPECT_EQ(ParseError(""), "syntax error at position 1: the expression is empty");
  EXPECT_EQ(ParseError("   "), "syntax error at position 1: the expression is empty");
  EXPECT_EQ(ParseError("m1 +"),
            "syntax error at position 5: expected an operand after '+' but found the end of the "
            "expression");
  EXPECT_EQ(ParseError("m1 * / m2"),
            "syntax error at position 6: expected an operand after '*' but found '/'");
  EXPECT_EQ(ParseError("(m1 + m2"),
            "syntax error at position 9: the '(' at position 1 is not closed");
  EXPECT_EQ(ParseError("m1 + m2)"), "syntax error at position 8: ')' without a matching '('");
  EXPECT_EQ(ParseError("[m1, m2"),
            "syntax error at position 8: the '[' at position 1 is not closed");
  EXPECT_EQ(ParseError("m1 = m2"),
            "syntax error at position 4: unexpected character '=' (use == to compare)");
  EXPECT_EQ(ParseError("!m1"),
            "syntax error at position 1: unexpected character '!' (use != to compare)");
  EXPECT_EQ(ParseError("m1 $ m2"), "syntax error at position 4: unexpected character '$'");
  EXPECT_EQ(ParseError("m1 m2"),
            "syntax error at position 4: unexpected the id m2 after a complete expression");
  EXPECT_EQ(ParseError("'abc"),
            "syntax error at position 1: the string that starts here is not closed");
  EXPECT_EQ(ParseError("[]"), "syntax error at position 2: an array needs at least one element");
  EXPECT_EQ(ParseError("SUM(m1,)"),
            "syntax error at position 8: expected an argument but found ')'");
  EXPECT_EQ(ParseError("SUM(m1 m2)"),
            "syntax error at position 8: expected ',' or ')' but found the id m2");
  EXPECT_EQ(ParseError("()"), "syntax error at position 2: empty parentheses");
  EXPECT_EQ(ParseError("_x"),
            "syntax error at position 1: '_x' is neither an id (ids start with a lowercase letter) "
            "nor a function");
  EXPECT_EQ(ParseError("abs(m1)"),
            "syntax error at position 1: unknown function abs (function names are uppercase, e.g. "
            "ABS)");
  EXPECT_EQ(ParseError("1e999"), "syntax error at position 1: the number 1e999 is out of range");
  EXPECT_EQ(ParseError("m1 + \x01"), "syntax error at position 6: unexpected byte 0x01");
  EXPECT_EQ(
      ParseError(")"),
      "syntax error at position 1: expected a number, an id, a function or '(' but found ')'");
}

TEST(MathParserTest, NestingIsBounded) {
  // The whole expression is one level; each parenthesis adds one.
  auto nested = [](size_t n) { return Cat(std::string(n, '('), "m1", std::string(n, ')')); };
  EXPECT_TRUE(Parse(nested(kMaxExpressionDepth - 1)).ok());
  EXPECT_EQ(ParseError(nested(kMaxExpressionDepth)),
            "syntax error at position 65: the expression is nested more than 64 levels deep");
  EXPECT_FALSE(Parse(Cat(std::string(200, '-'), "1")).ok());
  std::string pow = "2";
  for (int i = 0; i < 200; ++i) pow += "^2";
  EXPECT_FALSE(Parse(pow).ok());
}

TEST(MathParserTest, CollectReferences) {
  auto n = Parse("m1 + SUM([m2, m1]) / e1 + SUM(METRICS())");
  ASSERT_TRUE(n.ok());
  auto r = CollectReferences(*n);
  EXPECT_EQ(r.ids, (std::vector<std::string>{"m1", "m2", "e1"}));
  EXPECT_TRUE(r.metrics);
  EXPECT_FALSE(CollectReferences(*Parse("m1 * 2")).metrics);
}

// --- types ---

const std::map<std::string, Type, std::less<>> kIds = {
    {"ts", Type::kSeries}, {"m1", Type::kSeries}, {"arr", Type::kArray}};

std::string T(std::string_view text) {
  auto n = Parse(text);
  if (!n.ok()) return Cat("ERROR ", n.error().message);
  auto t = Check(*n, [](std::string_view id) -> std::optional<Type> {
    auto it = kIds.find(id);
    if (it == kIds.end()) return std::nullopt;
    return it->second;
  });
  if (!t.ok()) return Cat("ERROR ", t.error().message);
  return std::string(TypeName(*t));
}

constexpr const char* S = "a scalar";
constexpr const char* TS = "a time series";
constexpr const char* A = "an array of time series";

TEST(MathCheckTest, OperatorTypes) {
  EXPECT_EQ(T("1 + 2"), S);
  EXPECT_EQ(T("ts * 2"), TS);
  EXPECT_EQ(T("2 - ts"), TS);
  EXPECT_EQ(T("ts / m1"), TS);
  EXPECT_EQ(T("arr ^ 2"), A);
  EXPECT_EQ(T("ts + arr"), A);
  EXPECT_EQ(T("arr > ts"), A);
  EXPECT_EQ(T("-arr"), A);
  EXPECT_EQ(T("ts AND 1"), TS);
  EXPECT_EQ(T("[ts, m1]"), A);
  EXPECT_EQ(T("[ts, arr]"), A);
  EXPECT_EQ(T("arr + arr"), "ERROR '+' cannot combine two arrays of time series (position 5)");
  EXPECT_EQ(T("[ts, 1]"),
            "ERROR element 2 of the array must be a time series or an array of time series, not a "
            "scalar (position 6)");
  EXPECT_EQ(T("ts + 'x'"),
            "ERROR the right operand of '+' must be a scalar, a time series or an array of time "
            "series, not a string (position 6)");
  EXPECT_EQ(T("ts + AVG"),
            "ERROR the right operand of '+' must be a scalar, a time series or an array of time "
            "series, not a bare name (AVG is a function: call it with parentheses) (position 6)");
  EXPECT_EQ(T("REPEAT * 2"),
            "ERROR the left operand of '*' must be a scalar, a time series or an array of time "
            "series, not a bare name (position 1)");
  EXPECT_EQ(T("M1 * 2"),
            "ERROR the left operand of '*' must be a scalar, a time series or an array of time "
            "series, not a bare name (M1 is not an id: ids start with a lowercase letter) "
            "(position 1)");
  EXPECT_EQ(T("ts + zz"), "ERROR unknown id zz (position 6): no query in the request has that Id");
}

TEST(MathCheckTest, FunctionTypes) {
  for (const char* f : {"ABS", "CEIL", "FLOOR", "LOG", "LOG10", "SQRT"}) {
    EXPECT_EQ(T(Cat(f, "(2)")), S) << f;
    EXPECT_EQ(T(Cat(f, "(ts)")), TS) << f;
    EXPECT_EQ(T(Cat(f, "(arr)")), A) << f;
  }
  for (const char* f : {"AVG", "MAX", "MIN", "SUM", "STDDEV", "DATAPOINT_COUNT"}) {
    EXPECT_EQ(T(Cat(f, "(ts)")), S) << f;
    EXPECT_EQ(T(Cat(f, "(arr)")), TS) << f;
    EXPECT_EQ(T(Cat(f, "(METRICS())")), TS) << f;
  }
  for (const char* f : {"DIFF", "DIFF_TIME", "RATE", "RUNNING_SUM", "MINUTE", "HOUR", "DAY", "DATE",
                        "MONTH", "YEAR", "EPOCH"}) {
    EXPECT_EQ(T(Cat(f, "(ts)")), TS) << f;
    EXPECT_EQ(T(Cat(f, "(arr)")), A) << f;
    EXPECT_EQ(T(Cat(f, "(1)")).rfind("ERROR argument 1 of ", 0), 0u) << f;
  }
  EXPECT_EQ(T("FILL(ts, 0)"), TS);
  EXPECT_EQ(T("FILL(arr, REPEAT)"), A);
  EXPECT_EQ(T("FILL(ts, LINEAR)"), TS);
  EXPECT_EQ(T("FILL(ts, m1)"), TS);
  EXPECT_EQ(T("FIRST(arr)"), TS);
  EXPECT_EQ(T("LAST(arr)"), TS);
  EXPECT_EQ(T("IF(ts > 1, ts, 0)"), TS);
  EXPECT_EQ(T("IF(ts, 1)"), TS);
  EXPECT_EQ(T("IF(arr, 1, 0)"), A);
  EXPECT_EQ(T("METRIC_COUNT(arr)"), S);
  EXPECT_EQ(T("METRICS()"), A);
  EXPECT_EQ(T("METRICS('cpu')"), A);
  EXPECT_EQ(T("PERIOD(ts)"), S);
  EXPECT_EQ(T("REMOVE_EMPTY(arr)"), A);
  EXPECT_EQ(T("SLICE(arr, 1)"), TS);
  EXPECT_EQ(T("SLICE(arr, 0, 2)"), A);
  EXPECT_EQ(T("SORT(arr, MAX, DESC)"), A);
  EXPECT_EQ(T("SORT(arr, COUNT, ASC, 10)"), A);
  EXPECT_EQ(T("TIME_SERIES(5)"), TS);
  EXPECT_EQ(T("SEARCH('Latency', 'Sum', 60)"), A);
  EXPECT_EQ(T("SEARCH('Latency', 'Sum')"), A);
  EXPECT_EQ(T("ANOMALY_DETECTION_BAND(ts, 2)"), A);
  EXPECT_EQ(T("ANOMALY_DETECTION_BAND(ts)"), A);
}

TEST(MathCheckTest, FunctionErrors) {
  EXPECT_EQ(T("FOO(ts)"), "ERROR unknown function FOO (position 1)");
  EXPECT_EQ(T("ABS(ts, 2)"), "ERROR ABS takes 1 argument, not 2 (position 1)");
  EXPECT_EQ(T("IF(ts)"), "ERROR IF takes 2 or 3 arguments, not 1 (position 1)");
  EXPECT_EQ(T("SORT(arr)"), "ERROR SORT takes 3 or 4 arguments, not 1 (position 1)");
  EXPECT_EQ(T("METRICS(1, 2)"), "ERROR METRICS takes 0 or 1 arguments, not 2 (position 1)");
  EXPECT_EQ(T("MAX(5)"),
            "ERROR argument 1 of MAX must be a time series or an array of time series, not a "
            "scalar (position 5)");
  EXPECT_EQ(T("FILL(ts, NOPE)"),
            "ERROR argument 2 of FILL must be one of REPEAT, LINEAR (position 10)");
  EXPECT_EQ(
      T("FILL(ts, 'x')"),
      "ERROR argument 2 of FILL must be a scalar or a time series, not a string (position 10)");
  EXPECT_EQ(
      T("SORT(arr, MEDIAN, ASC)"),
      "ERROR argument 2 of SORT must be one of AVG, COUNT, MAX, MIN, STDDEV, SUM (position 11)");
  EXPECT_EQ(T("SORT(arr, AVG, UP)"),
            "ERROR argument 3 of SORT must be one of ASC, DESC (position 16)");
  EXPECT_EQ(T("METRICS(5)"),
            "ERROR argument 1 of METRICS must be a string, not a scalar (position 9)");
  EXPECT_EQ(T("TIME_SERIES(ts)"),
            "ERROR argument 1 of TIME_SERIES must be a scalar, not a time series (position 13)");
  EXPECT_EQ(T("SLICE(arr, ts)"),
            "ERROR argument 2 of SLICE must be a scalar, not a time series (position 12)");
  EXPECT_EQ(T("IF(1, ts)"),
            "ERROR argument 1 of IF must be a time series or an array of time series, not a "
            "scalar (position 4)");
  EXPECT_EQ(T("IF(ts, arr)"),
            "ERROR argument 2 of IF must be a scalar or a time series, not an array of time series "
            "(position 8)");
  EXPECT_EQ(T("SEARCH(ts, 'Sum', 60)"),
            "ERROR argument 1 of SEARCH must be a string, not a time series (position 8)");
  EXPECT_EQ(T("SERVICE_QUOTA(ts)"), "ERROR SERVICE_QUOTA (position 1) is not supported by vigil");
  EXPECT_EQ(T("INSIGHT_RULE_METRIC('r', 'Sum')"),
            "ERROR INSIGHT_RULE_METRIC (position 1) is not supported by vigil");
}

}  // namespace
}  // namespace vigil::query::math
