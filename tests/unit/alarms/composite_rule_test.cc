// Composite AlarmRule: grammar, precedence, quoting, ARNs, errors with AWS's positions, limits,
// evaluation truth tables, cycles and the reason texts.
#include "vigil/alarms/composite_rule.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace vigil::alarms {
namespace {

const RuleScope kScope{"us-east-1", "123456789012"};

// Concatenation without `"literal" + std::string` (g++ 12 -Werror=restrict false positive).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s += p;
  return s;
}

// A compact rendering of the tree: A(x) O(x) I(x), T, F, !(..), &(.., ..), |(.., ..).
std::string Show(const RuleNode& n) {
  switch (n.kind) {
    case RuleNode::Kind::kTrue:
      return "T";
    case RuleNode::Kind::kFalse:
      return "F";
    case RuleNode::Kind::kState: {
      std::string s = n.state == AlarmState::kAlarm ? "A("
                      : n.state == AlarmState::kOk  ? "O("
                                                    : "I(";
      s += n.alarm_name;
      s += ")";
      return s;
    }
    case RuleNode::Kind::kNot:
      return Cat({"!", Show(n.children[0])});
    case RuleNode::Kind::kAnd:
    case RuleNode::Kind::kOr: {
      std::string s = n.kind == RuleNode::Kind::kAnd ? "&(" : "|(";
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) s += ", ";
        s += Show(n.children[i]);
      }
      s += ")";
      return s;
    }
  }
  return "?";
}

std::string ParseShow(std::string_view text) {
  auto r = ParseCompositeRule(text, kScope);
  if (!r.ok()) return Cat({"ERROR: ", r.error().message});
  return Show(r->root);
}

std::string ErrorOf(std::string_view text) {
  auto r = ParseCompositeRule(text, kScope);
  if (r.ok()) return Cat({"parsed: ", Show(r->root)});
  EXPECT_EQ(r.error().code, ErrorCode::kValidationError);
  return r.error().message;
}

TEST(CompositeRuleTest, GoldenGrammar) {
  EXPECT_EQ(ParseShow("ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)"),
            "&(A(CPUUtilizationTooHigh), A(DiskReadOpsTooHigh))");
  EXPECT_EQ(ParseShow("ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)"),
            "&(A(CPUUtilizationTooHigh), !A(DeploymentInProgress))");
  EXPECT_EQ(ParseShow("(ALARM(CPUUtilizationTooHigh) OR ALARM(DiskReadOpsTooHigh)) AND "
                      "OK(NetworkOutTooHigh)"),
            "&(|(A(CPUUtilizationTooHigh), A(DiskReadOpsTooHigh)), O(NetworkOutTooHigh))");
  EXPECT_EQ(ParseShow("INSUFFICIENT_DATA(x)"), "I(x)");
  EXPECT_EQ(ParseShow("TRUE"), "T");
  EXPECT_EQ(ParseShow("  FALSE\n"), "F");
  EXPECT_EQ(ParseShow("((TRUE))"), "T");
  EXPECT_EQ(ParseShow("ALARM( a )"), "A(a)");
  EXPECT_EQ(ParseShow("ALARM(a)AND(OK(b))"), "&(A(a), O(b))");
}

TEST(CompositeRuleTest, PrecedenceNotThenAndThenOr) {
  EXPECT_EQ(ParseShow("ALARM(a) OR ALARM(b) AND ALARM(c)"), "|(A(a), &(A(b), A(c)))");
  EXPECT_EQ(ParseShow("ALARM(a) AND ALARM(b) OR ALARM(c)"), "|(&(A(a), A(b)), A(c))");
  EXPECT_EQ(ParseShow("NOT ALARM(a) AND OK(b)"), "&(!A(a), O(b))");
  EXPECT_EQ(ParseShow("NOT (ALARM(a) AND OK(b))"), "!&(A(a), O(b))");
  EXPECT_EQ(ParseShow("NOT NOT TRUE"), "!!T");
  // n-ary, flattened.
  EXPECT_EQ(ParseShow("ALARM(a) AND ALARM(b) AND ALARM(c)"), "&(A(a), A(b), A(c))");
  EXPECT_EQ(ParseShow("TRUE OR FALSE OR TRUE"), "|(T, F, T)");
}

TEST(CompositeRuleTest, QuotedNames) {
  EXPECT_EQ(ParseShow("ALARM(\"My Alarm (prod)\")"), "A(My Alarm (prod))");
  EXPECT_EQ(ParseShow("OK(\"AND\") OR ALARM(\"NOT\")"), "|(O(AND), A(NOT))");
  auto r = ParseCompositeRule("ALARM(\"a b\") AND OK(c) OR ALARM(\"a b\")", kScope);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->children, (std::vector<std::string>{"a b", "c"}));  // distinct, first-seen order
}

TEST(CompositeRuleTest, ArnsAreNormalisedToNames) {
  EXPECT_EQ(ParseShow("ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighCPU)"),
            "A(HighCPU)");
  EXPECT_EQ(ParseShow("ALARM(\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a:b c\")"),
            "A(a:b c)");
  auto r = ParseCompositeRule(
      "ALARM(HighCPU) OR OK(arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighCPU)", kScope);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->children, (std::vector<std::string>{"HighCPU"}));
}

TEST(CompositeRuleTest, ForeignOrMalformedArnsAreRejected) {
  EXPECT_EQ(ErrorOf("ALARM(arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x)"),
            "Error in AlarmRule [Alarm ARN 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x' "
            "at char 6 is not in account 123456789012 and region us-east-1]");
  EXPECT_EQ(ErrorOf("ALARM(arn:aws:cloudwatch:us-east-1:999999999999:alarm:x)"),
            "Error in AlarmRule [Alarm ARN 'arn:aws:cloudwatch:us-east-1:999999999999:alarm:x' "
            "at char 6 is not in account 123456789012 and region us-east-1]");
  EXPECT_EQ(ErrorOf("ALARM(arn:aws:sns:us-east-1:123456789012:topic)"),
            "Error in AlarmRule [Invalid alarm ARN 'arn:aws:sns:us-east-1:123456789012:topic' at "
            "char 6]");
  EXPECT_EQ(ErrorOf("OK(arn:aws:cloudwatch:us-east-1:123456789012:alarm:)"),
            "Error in AlarmRule [Invalid alarm ARN "
            "'arn:aws:cloudwatch:us-east-1:123456789012:alarm:' at char 3]");
}

TEST(CompositeRuleTest, ErrorsNameTheTokenAndItsOffset) {
  // Recorded from AWS (CDK issue 14387): an empty group.
  EXPECT_EQ(ErrorOf("()"), "Error in AlarmRule [Unsupported token ')' at char 1]");
  // Recorded from AWS (CDK issue 13953): an unquoted name with spaces, char 67 (0-based).
  EXPECT_EQ(ErrorOf("(ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:SampleQueue Oldest Age "
                    "Alarm) OR ALARM(b))"),
            "Error in AlarmRule [Unsupported token 'Oldest' at char 67, must be: ')']");
  EXPECT_EQ(ErrorOf("ALARM(SampleQueue Oldest Age)"),
            "Error in AlarmRule [Unsupported token 'Oldest' at char 18, must be: ')']");
  EXPECT_EQ(ErrorOf("alarm(x)"), "Error in AlarmRule [Unsupported token 'alarm' at char 0]");
  EXPECT_EQ(ErrorOf("ALARM(a) and OK(b)"),
            "Error in AlarmRule [Unsupported token 'and' at char 9]");
  EXPECT_EQ(ErrorOf("TRUE FALSE"), "Error in AlarmRule [Unsupported token 'FALSE' at char 5]");
  EXPECT_EQ(ErrorOf("ALARM x"),
            "Error in AlarmRule [Unsupported token 'x' at char 6, must be: '(']");
  EXPECT_EQ(ErrorOf("ALARM()"), "Error in AlarmRule [Unsupported token ')' at char 6]");
  EXPECT_EQ(ErrorOf("ALARM(\"\")"), "Error in AlarmRule [Unsupported token '\"\"' at char 6]");
  EXPECT_EQ(ErrorOf("(TRUE"),
            "Error in AlarmRule [Unexpected end of AlarmRule at char 5, must be: ')']");
  EXPECT_EQ(ErrorOf("ALARM(a) AND"), "Error in AlarmRule [Unexpected end of AlarmRule at char 12]");
  EXPECT_EQ(ErrorOf(""), "Error in AlarmRule [Unexpected end of AlarmRule at char 0]");
  EXPECT_EQ(ErrorOf("   "), "Error in AlarmRule [Unexpected end of AlarmRule at char 3]");
  EXPECT_EQ(ErrorOf("ALARM(\"abc)"),
            "Error in AlarmRule [Unterminated quoted alarm name at char 6]");
  EXPECT_EQ(ErrorOf("TRUE)"), "Error in AlarmRule [Unsupported token ')' at char 4]");
  EXPECT_EQ(ErrorOf("ALARM(a\"b\")"),
            "Error in AlarmRule [Unsupported token '\"b\"' at char 7, must be: ')']");
  EXPECT_EQ(ErrorOf(Cat({"ALARM(", std::string(256, 'n'), ")"})),
            "Error in AlarmRule [Alarm name at char 6 is longer than 255 characters]");
}

TEST(CompositeRuleTest, Limits) {
  std::string rule;
  for (int i = 0; i < 100; ++i) {
    if (i) rule += " OR ";
    rule += Cat({"ALARM(a", std::to_string(i), ")"});
  }
  auto ok = ParseCompositeRule(rule, kScope);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->children.size(), 100u);
  std::string over = rule + " OR ALARM(a100)";
  EXPECT_EQ(ErrorOf(over), Cat({"Error in AlarmRule [The AlarmRule can reference at most 100 "
                                "alarms, found more at char ",
                                std::to_string(rule.size() + 10), "]"}));

  std::string elements = "TRUE";
  for (int i = 1; i < 500; ++i) elements += " OR TRUE";
  EXPECT_TRUE(ParseCompositeRule(elements, kScope).ok());
  EXPECT_EQ(ErrorOf(elements + " OR TRUE"),
            Cat({"Error in AlarmRule [The AlarmRule can have at most 500 elements, found more at "
                 "char ",
                 std::to_string(elements.size() + 4), "]"}));

  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "NOT ";
  EXPECT_EQ(ErrorOf(deep + "TRUE"),
            "Error in AlarmRule [The AlarmRule nests deeper than 100 levels at char 400]");
  EXPECT_TRUE(ParseCompositeRule(deep.substr(4) + "TRUE", kScope).ok());

  std::string long_rule = Cat({"TRUE", std::string(kMaxAlarmRuleLength - 3, ' ')});  // 10241 chars
  EXPECT_EQ(ErrorOf(long_rule),
            "1 validation error detected: Value at 'alarmRule' failed to satisfy constraint: "
            "Member must have length less than or equal to 10240");
  long_rule.pop_back();
  EXPECT_TRUE(ParseCompositeRule(long_rule, kScope).ok());
}

struct States {
  std::map<std::string, AlarmState, std::less<>> m;
  ChildStateLookup Lookup() const {
    return [this](std::string_view n) -> std::optional<AlarmState> {
      auto it = m.find(n);
      if (it == m.end()) return std::nullopt;
      return it->second;
    };
  }
};

bool Eval(std::string_view rule, const States& s) {
  auto r = ParseCompositeRule(rule, kScope);
  EXPECT_TRUE(r.ok()) << rule;
  return r.ok() && EvaluateRule(*r, s.Lookup());
}

TEST(CompositeRuleTest, EvaluationTruthTables) {
  constexpr AlarmState A = AlarmState::kAlarm, O = AlarmState::kOk,
                       I = AlarmState::kInsufficientData;
  // AND / OR / NOT over every pair of child states.
  for (AlarmState a : {A, O, I}) {
    for (AlarmState b : {A, O, I}) {
      States s{{{"a", a}, {"b", b}}};
      SCOPED_TRACE(Cat({StateName(a), "/", StateName(b)}));
      EXPECT_EQ(Eval("ALARM(a) AND ALARM(b)", s), a == A && b == A);
      EXPECT_EQ(Eval("ALARM(a) OR ALARM(b)", s), a == A || b == A);
      EXPECT_EQ(Eval("NOT ALARM(a) AND OK(b)", s), a != A && b == O);
      EXPECT_EQ(Eval("INSUFFICIENT_DATA(a) OR NOT OK(b)", s), a == I || b != O);
      EXPECT_EQ(Eval("OK(a) OR OK(b) AND ALARM(a)", s), a == O || (b == O && a == A));
    }
  }
  States none;
  EXPECT_TRUE(Eval("TRUE", none));
  EXPECT_FALSE(Eval("FALSE", none));
  EXPECT_FALSE(Eval("TRUE AND FALSE", none));
  EXPECT_TRUE(Eval("FALSE OR NOT FALSE", none));
  // A child that does not exist makes every function on it false.
  EXPECT_FALSE(Eval("ALARM(ghost)", none));
  EXPECT_FALSE(Eval("OK(ghost)", none));
  EXPECT_FALSE(Eval("INSUFFICIENT_DATA(ghost)", none));
  EXPECT_TRUE(Eval("NOT ALARM(ghost)", none));
  EXPECT_EQ(CompositeStateFor(true), AlarmState::kAlarm);
  EXPECT_EQ(CompositeStateFor(false), AlarmState::kOk);
}

TEST(CompositeRuleTest, Cycles) {
  RuleGraph g;
  g["B"] = {"C", "m1"};
  g["C"] = {"m2", "X"};
  g["D"] = {"E"};
  g["E"] = {"D"};  // a cycle that does not involve X
  std::vector<std::string> refs = {"m0", "B"};
  auto cycle = FindRuleCycle(g, "X", refs);
  ASSERT_TRUE(cycle.has_value());
  EXPECT_EQ(*cycle, (std::vector<std::string>{"X", "B", "C", "X"}));
  EXPECT_EQ(FormatCyclePath(*cycle), "X -> B -> C -> X");

  std::vector<std::string> self = {"m0", "X"};
  EXPECT_EQ(FindRuleCycle(g, "X", self), (std::vector<std::string>{"X", "X"}));

  std::vector<std::string> to_d = {"D", "m1"};
  EXPECT_FALSE(FindRuleCycle(g, "X", to_d).has_value());

  // Updating C to drop X breaks the cycle; the stored entry for the updated alarm is ignored.
  std::vector<std::string> c_new = {"m2"};
  EXPECT_FALSE(FindRuleCycle(g, "C", c_new).has_value());
  std::vector<std::string> c_back = {"B"};
  EXPECT_EQ(FindRuleCycle(g, "C", c_back), (std::vector<std::string>{"C", "B", "C"}));

  // A long chain does not recurse: X -> n0 -> n1 -> ... -> n4999 -> X.
  RuleGraph chain;
  for (int i = 0; i < 5000; ++i) {
    chain[Cat({"n", std::to_string(i)})] = {i == 4999 ? std::string("X")
                                                      : Cat({"n", std::to_string(i + 1)})};
  }
  std::vector<std::string> head = {"n0"};
  auto long_cycle = FindRuleCycle(chain, "X", head);
  ASSERT_TRUE(long_cycle.has_value());
  EXPECT_EQ(long_cycle->size(), 5002u);
  EXPECT_EQ(long_cycle->back(), "X");
}

TEST(CompositeRuleTest, ReasonTexts) {
  RuleScope scope{"us-east-1", "111122223333"};
  EXPECT_EQ(CompositeCreatedReason(scope, "HighResourceUsage", AlarmState::kOk),
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:HighResourceUsage was created and "
            "its alarm rule evaluates to OK");
  // 2022-10-30T20:47:35Z was a Sunday.
  TriggeringAlarm child{"Child", AlarmState::kAlarm, Timestamp::FromMillis(1667162855000)};
  EXPECT_EQ(CompositeTransitionReason(scope, child),
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:Child transitioned to ALARM at "
            "Sunday 30 October, 2022 20:47:35 UTC");
  TriggeringAlarm early{"E", AlarmState::kOk, Timestamp::FromMillis(1772323200000)};  // 2026-03-01
  EXPECT_EQ(CompositeTransitionReason(scope, early),
            "arn:aws:cloudwatch:us-east-1:111122223333:alarm:E transitioned to OK at "
            "Sunday 01 March, 2026 00:00:00 UTC");

  // 2022-07-22T15:57:45.394Z.
  TriggeringAlarm a{"ServerCpuTooHigh", AlarmState::kAlarm, Timestamp::FromMillis(1658505465394)};
  TriggeringAlarm b{"we\"ird", AlarmState::kInsufficientData, Timestamp::FromMillis(0)};
  std::vector<TriggeringAlarm> both = {a, b};
  EXPECT_EQ(CompositeReasonData(scope, both),
            "{\"triggeringAlarms\":[{\"arn\":\"arn:aws:cloudwatch:us-east-1:111122223333:alarm:"
            "ServerCpuTooHigh\",\"state\":{\"value\":\"ALARM\",\"timestamp\":\"2022-07-22T15:57:45."
            "394+0000\"}},{\"arn\":\"arn:aws:cloudwatch:us-east-1:111122223333:alarm:we\\\"ird\","
            "\"state\":{\"value\":\"INSUFFICIENT_DATA\",\"timestamp\":\"1970-01-01T00:00:00.000+"
            "0000\"}}]}");
  EXPECT_EQ(CompositeReasonData(scope, {}), "{\"triggeringAlarms\":[]}");
}

TEST(CompositeRuleTest, StoreErrors) {
  std::vector<std::string> missing = {"FirstAlarm", "SecondAlarm"};
  ApiError e = MissingChildrenError(missing);
  EXPECT_EQ(e.code, ErrorCode::kValidationError);
  EXPECT_EQ(e.message,
            "Could not save the composite alarm as alarms [FirstAlarm, SecondAlarm] in the alarm "
            "rule do not exist");
  ApiError d = ReferencedAlarmDeleteError("alarm2");
  EXPECT_EQ(d.code, ErrorCode::kValidationError);
  EXPECT_EQ(d.message, "Cannot delete alarm2 as there are composite alarm(s) depending on it.");
  EXPECT_EQ(AlarmArn(kScope, "x"), "arn:aws:cloudwatch:us-east-1:123456789012:alarm:x");
}

}  // namespace
}  // namespace vigil::alarms
