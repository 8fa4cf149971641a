// Composite alarm rules (PutCompositeAlarm `AlarmRule`): parse, evaluate, find cycles, and the
// StateReason / StateReasonData texts AWS writes for a composite transition.
//
// Grammar (botocore AlarmRule doc; cloudwatch-semantics.md §10; docs/composite-and-mute-rules.md):
//   rule     := or
//   or       := and { OR and }
//   and      := unary { AND unary }
//   unary    := NOT unary | primary
//   primary  := '(' rule ')' | TRUE | FALSE | FUNC '(' child ')'
//   FUNC     := ALARM | OK | INSUFFICIENT_DATA
//   child    := '"' any chars but '"' '"' | a bare word (no whitespace, '(', ')' or '"')
// Keywords are upper case only (AWS rejects `and`, `alarm(...)`). NOT binds tighter than AND, AND
// tighter than OR (the usual boolean precedence; AWS documents no other). A child is an alarm name
// or `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`; ARNs are normalised to names, and an ARN
// of another account or region is rejected (vigil serves one account and region).
//
// Errors are ValidationError with AWS's text, e.g.
//   Error in AlarmRule [Unsupported token 'Oldest' at char 67, must be: ')']
// where char is the 0-based offset of the token in the rule (recorded from AWS through
// CloudFormation/CDK error reports).
//
// Everything here is pure: no clock, no I/O, no shared state; all functions are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/alarms/evaluation.h"
#include "vigil/common/result.h"
#include "vigil/common/time.h"

namespace vigil::alarms {

// AWS limits on an AlarmRule.
inline constexpr size_t kMaxAlarmRuleLength = 10240;  // characters (botocore AlarmRule max)
inline constexpr size_t kMaxRuleChildren = 100;       // distinct referenced alarms
inline constexpr size_t kMaxRuleElements = 500;       // functions + TRUE/FALSE + '(' ')' groups
inline constexpr size_t kMaxRuleDepth = 100;          // nesting of '(' and NOT (vigil's own guard)
inline constexpr size_t kMaxCompositeParents = 150;   // composites one alarm may appear in

// One node of a parsed rule. AND/OR are n-ary (flattened: `a AND b AND c` is one kAnd with three
// children); NOT has exactly one child; kState tests `alarm_name` for `state`.
struct RuleNode {
  enum class Kind : uint8_t { kTrue, kFalse, kState, kNot, kAnd, kOr };
  Kind kind = Kind::kFalse;
  AlarmState state = AlarmState::kAlarm;  // kState only
  std::string alarm_name;                 // kState only: always a plain name (ARNs normalised)
  std::vector<RuleNode> children;         // kNot: 1; kAnd / kOr: >= 2
};

struct CompositeRule {
  RuleNode root;
  // Distinct alarm names the rule references, in order of first appearance.
  std::vector<std::string> children;
};

// Who is parsing: ARNs in the rule must belong to this account and region.
struct RuleScope {
  std::string region;   // e.g. "us-east-1"
  std::string account;  // e.g. "123456789012"
};

// Parses and validates `text` (length, grammar, limits, ARNs). Does not check that the children
// exist: that needs the store (see MissingChildrenError).
Result<CompositeRule> ParseCompositeRule(std::string_view text, const RuleScope& scope);

// The state of a child alarm by name, or nullopt when there is no such alarm.
using ChildStateLookup = std::function<std::optional<AlarmState>(std::string_view name)>;

// Evaluates the rule. A function on a child that does not exist (lookup returns nullopt) is FALSE:
// PutCompositeAlarm refuses missing children and DeleteAlarms refuses to delete a referenced
// alarm, so this only happens transiently.
bool EvaluateRule(const RuleNode& node, const ChildStateLookup& lookup);
inline bool EvaluateRule(const CompositeRule& rule, const ChildStateLookup& lookup) {
  return EvaluateRule(rule.root, lookup);
}
// The composite state for a rule value: ALARM when true, OK when false (a composite is in
// INSUFFICIENT_DATA only between creation and its first evaluation).
inline AlarmState CompositeStateFor(bool rule_value) {
  return rule_value ? AlarmState::kAlarm : AlarmState::kOk;
}

// PutCompositeAlarm's error when some children do not exist (ValidationError):
//   Could not save the composite alarm as alarms [a, b] in the alarm rule do not exist
// `missing` is listed in the given order.
ApiError MissingChildrenError(std::span<const std::string> missing);

// DeleteAlarms' error when `name` is referenced by a composite (ValidationError):
//   Cannot delete <name> as there are composite alarm(s) depending on it.
ApiError ReferencedAlarmDeleteError(std::string_view name);

// Composite name -> the alarm names its rule references (CompositeRule::children).
using RuleGraph = std::map<std::string, std::vector<std::string>, std::less<>>;

// Whether giving composite `name` the references `children` (create or update; `graph` holds the
// other composites, and an existing entry for `name` is ignored) closes a cycle. Returns the cycle
// as a path that starts and ends with `name`, e.g. {"X", "B", "C", "X"}; a self-reference is
// {"X", "X"}. Deterministic: children are explored in the given order. AWS accepts cycles
// (PutCompositeAlarm doc) but stops evaluating along them; the engine uses this to stop.
std::optional<std::vector<std::string>> FindRuleCycle(const RuleGraph& graph, std::string_view name,
                                                      std::span<const std::string> children);
// "X -> B -> C -> X", for messages and logs.
std::string FormatCyclePath(std::span<const std::string> path);

// `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`.
std::string AlarmArn(const RuleScope& scope, std::string_view name);

// One child in StateReasonData.triggeringAlarms.
struct TriggeringAlarm {
  std::string name;  // plain name; written as its ARN
  AlarmState state = AlarmState::kInsufficientData;
  Timestamp timestamp;  // the child's StateUpdatedTimestamp
};

// StateReason on creation (recorded):
//   arn:aws:cloudwatch:<region>:<account>:alarm:<composite> was created and its alarm rule
//   evaluates to OK
std::string CompositeCreatedReason(const RuleScope& scope, std::string_view composite,
                                   AlarmState new_state);

// StateReason after a child's change flipped the composite (seen in public AWS answers):
//   arn:aws:cloudwatch:<region>:<account>:alarm:<child> transitioned to ALARM at
//   Sunday 30 October, 2022 20:47:35 UTC
// `child.timestamp` is the child's state timestamp.
std::string CompositeTransitionReason(const RuleScope& scope, const TriggeringAlarm& child);

// StateReasonData (a JSON string on the wire), compact, AWS's key order:
//   {"triggeringAlarms":[{"arn":"…","state":{"value":"ALARM",
//                                            "timestamp":"2022-07-22T15:57:45.394+0000"}}]}
// On creation pass every child with its current state; afterwards only the child whose change
// flipped the composite (aws-recorded-answers.md §4).
std::string CompositeReasonData(const RuleScope& scope, std::span<const TriggeringAlarm> alarms);

}  // namespace vigil::alarms
