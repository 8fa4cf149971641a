// Fuzzes the composite AlarmRule parser (target fuzz_alarm_rule) and, built with
// VIGIL_FUZZ_MUTE_SCHEDULE, the mute rule schedule parser (target fuzz_mute_schedule).
//
// AlarmRule: whatever parses must respect the limits, re-render to a rule that parses to the
// same tree, evaluate identically, and survive the cycle finder; whatever fails must fail with a
// ValidationError in AWS's form. Schedule: the input's lines are Expression, Duration and
// Timezone; whatever parses must answer IsMuted / NextTransition / Status consistently.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vigil/alarms/composite_rule.h"
#include "vigil/alarms/mute_schedule.h"

namespace vigil::alarms {
namespace {

const RuleScope kScope{"us-east-1", "123456789012"};

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string Render(const RuleNode& n, RuleNode::Kind parent) {
  using K = RuleNode::Kind;
  switch (n.kind) {
    case K::kTrue:
      return "TRUE";
    case K::kFalse:
      return "FALSE";
    case K::kState: {
      std::string s = n.state == AlarmState::kAlarm ? "ALARM(\""
                      : n.state == AlarmState::kOk  ? "OK(\""
                                                    : "INSUFFICIENT_DATA(\"";
      // A name that itself starts with "arn:" only round-trips inside its full ARN.
      s += n.alarm_name.rfind("arn:", 0) == 0 ? AlarmArn(kScope, n.alarm_name) : n.alarm_name;
      s += "\")";
      return s;
    }
    case K::kNot: {
      std::string s = "NOT ";
      s += Render(n.children[0], K::kNot);
      return s;
    }
    case K::kAnd:
    case K::kOr: {
      // Parentheses only where the tree needs them (an AND under an OR needs none).
      bool paren = parent == K::kAnd || parent == K::kNot || (parent == K::kOr && n.kind == K::kOr);
      std::string s = paren ? "(" : "";
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) s += n.kind == K::kAnd ? " AND " : " OR ";
        s += Render(n.children[i], n.kind);
      }
      if (paren) s += ")";
      return s;
    }
  }
  return "";
}

bool SameTree(const RuleNode& a, const RuleNode& b) {
  if (a.kind != b.kind || a.state != b.state || a.alarm_name != b.alarm_name ||
      a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameTree(a.children[i], b.children[i])) return false;
  }
  return true;
}

[[maybe_unused]] void FuzzRule(std::string_view in) {
  auto r = ParseCompositeRule(in, kScope);
  if (!r.ok()) {
    Check(r.error().code == ErrorCode::kValidationError);
    Check(r.error().message.rfind("Error in AlarmRule [", 0) == 0 ||
          r.error().message.rfind("1 validation error detected", 0) == 0);
    return;
  }
  Check(r->children.size() <= kMaxRuleChildren);
  for (const std::string& c : r->children) Check(!c.empty() && c.size() <= 255);
  ChildStateLookup lookup = [](std::string_view name) -> std::optional<AlarmState> {
    switch (name.size() % 4) {
      case 0:
        return AlarmState::kAlarm;
      case 1:
        return AlarmState::kOk;
      case 2:
        return AlarmState::kInsufficientData;
      default:
        return std::nullopt;
    }
  };
  bool value = EvaluateRule(*r, lookup);
  std::string text = Render(r->root, RuleNode::Kind::kTrue);
  if (text.size() <= kMaxAlarmRuleLength) {
    auto again = ParseCompositeRule(text, kScope);
    Check(again.ok());
    Check(SameTree(r->root, again->root));
    Check(again->children == r->children);
    Check(EvaluateRule(*again, lookup) == value);
  }
  // The rule's children as composites that point back at the first one.
  RuleGraph graph;
  for (const std::string& c : r->children) graph[c] = {r->children.front()};
  if (!r->children.empty()) {
    auto cycle = FindRuleCycle(graph, "fuzz", r->children);
    Check(!cycle.has_value() || (cycle->front() == "fuzz" && cycle->back() == "fuzz"));
  }
}

[[maybe_unused]] void FuzzSchedule(std::string_view in) {
  MuteScheduleSpec spec;
  size_t nl = in.find('\n');
  spec.expression = std::string(in.substr(0, nl));
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  size_t nl2 = rest.find('\n');
  spec.duration = nl == std::string_view::npos ? "PT1H" : std::string(rest.substr(0, nl2));
  if (nl2 != std::string_view::npos) spec.timezone = std::string(rest.substr(nl2 + 1));
  auto s = MuteSchedule::Parse(spec);
  if (!s.ok()) {
    Check(s.error().code == ErrorCode::kValidationError);
    return;
  }
  Check(s->duration_seconds() >= kMinMuteDurationSeconds &&
        s->duration_seconds() <= kMaxMuteDurationSeconds);
  Timestamp t = Timestamp::FromSeconds(1795000000 + static_cast<int64_t>(in.size()) * 7919);
  bool muted = s->IsMuted(t);
  MuteRuleStatus status = s->Status(t);
  Check((status == MuteRuleStatus::kActive) == muted);
  std::optional<Timestamp> next = s->NextTransition(t);
  if (next) {
    Check(*next > t);
    Check(s->IsMuted(*next) != muted);
    Check(s->IsMuted(Timestamp{next->millis - 1}) == muted);
  }
  if (std::optional<Timestamp> o = s->NextOccurrence(t)) Check(*o >= t);
}

}  // namespace
}  // namespace vigil::alarms

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
#ifdef VIGIL_FUZZ_MUTE_SCHEDULE
  vigil::alarms::FuzzSchedule(in);
#else
  vigil::alarms::FuzzRule(in);
#endif
  return 0;
}
