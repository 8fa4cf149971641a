// Composite AlarmRule parser, evaluator, cycle finder and reason texts (composite_rule.h).
#include "vigil/alarms/composite_rule.h"

#include <cstdio>
#include <set>
#include <utility>

namespace vigil::alarms {
namespace {

constexpr size_t kMaxAlarmNameLength = 255;

enum class Tok : uint8_t { kLParen, kRParen, kWord, kQuoted, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  size_t pos = 0;
  std::string_view raw;   // as written (quoted names with their quotes)
  std::string_view text;  // the name without quotes
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDelimiter(char c) { return IsSpace(c) || c == '(' || c == ')' || c == '"'; }

ApiError RuleError(std::string detail) {
  std::string m = "Error in AlarmRule [";
  m += detail;
  m += "]";
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

class Parser {
 public:
  Parser(std::string_view text, const RuleScope& scope) : text_(text), scope_(scope) {}

  Result<CompositeRule> Run() {
    RETURN_IF_ERROR(Advance());
    CompositeRule rule;
    ASSIGN_OR_RETURN(rule.root, Or(0));
    if (tok_.kind != Tok::kEnd) return Unsupported(tok_, {});
    rule.children = std::move(children_);
    return rule;
  }

 private:
  // Lexes the next token into tok_.
  Status Advance() {
    while (at_ < text_.size() && IsSpace(text_[at_])) ++at_;
    tok_ = Token{};
    tok_.pos = at_;
    if (at_ >= text_.size()) {
      tok_.kind = Tok::kEnd;
      return OkStatus();
    }
    char c = text_[at_];
    if (c == '(' || c == ')') {
      tok_.kind = c == '(' ? Tok::kLParen : Tok::kRParen;
      tok_.raw = tok_.text = text_.substr(at_, 1);
      ++at_;
      return OkStatus();
    }
    if (c == '"') {
      size_t close = text_.find('"', at_ + 1);
      if (close == std::string_view::npos) {
        std::string d = "Unterminated quoted alarm name at char ";
        d += std::to_string(at_);
        return RuleError(std::move(d));
      }
      tok_.kind = Tok::kQuoted;
      tok_.raw = text_.substr(at_, close + 1 - at_);
      tok_.text = text_.substr(at_ + 1, close - at_ - 1);
      at_ = close + 1;
      return OkStatus();
    }
    size_t end = at_;
    while (end < text_.size() && !IsDelimiter(text_[end])) ++end;
    tok_.kind = Tok::kWord;
    tok_.raw = tok_.text = text_.substr(at_, end - at_);
    at_ = end;
    return OkStatus();
  }

  // `Unsupported token 'x' at char n[, must be: 'y']`, or the end-of-rule form.
  static ApiError Unsupported(const Token& t, std::string_view must_be) {
    std::string d;
    if (t.kind == Tok::kEnd) {
      d = "Unexpected end of AlarmRule at char ";
    } else {
      d = "Unsupported token '";
      d += t.raw;
      d += "' at char ";
    }
    d += std::to_string(t.pos);
    if (!must_be.empty()) {
      d += ", must be: '";
      d += must_be;
      d += "'";
    }
    return RuleError(std::move(d));
  }

  bool IsWord(std::string_view w) const { return tok_.kind == Tok::kWord && tok_.text == w; }

  Status CountElement() {
    if (++elements_ > kMaxRuleElements) {
      std::string d = "The AlarmRule can have at most ";
      d += std::to_string(kMaxRuleElements);
      d += " elements, found more at char ";
      d += std::to_string(tok_.pos);
      return RuleError(std::move(d));
    }
    return OkStatus();
  }

  Status Enter(size_t depth) const {
    if (depth >= kMaxRuleDepth) {
      std::string d = "The AlarmRule nests deeper than ";
      d += std::to_string(kMaxRuleDepth);
      d += " levels at char ";
      d += std::to_string(tok_.pos);
      return RuleError(std::move(d));
    }
    return OkStatus();
  }

  // Parses `first {op first}` into an n-ary node of `kind` (or the single operand).
  template <typename Sub>
  Result<RuleNode> Chain(std::string_view op, RuleNode::Kind kind, size_t depth, Sub sub) {
    ASSIGN_OR_RETURN(RuleNode first, (this->*sub)(depth));
    if (!IsWord(op)) return first;
    RuleNode node;
    node.kind = kind;
    node.children.push_back(std::move(first));
    while (IsWord(op)) {
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(RuleNode next, (this->*sub)(depth));
      node.children.push_back(std::move(next));
    }
    return node;
  }

  Result<RuleNode> Or(size_t depth) {
    return Chain("OR", RuleNode::Kind::kOr, depth, &Parser::And);
  }
  Result<RuleNode> And(size_t depth) {
    return Chain("AND", RuleNode::Kind::kAnd, depth, &Parser::Unary);
  }

  Result<RuleNode> Unary(size_t depth) {
    RETURN_IF_ERROR(Enter(depth));
    if (IsWord("NOT")) {
      RETURN_IF_ERROR(Advance());
      RuleNode node;
      node.kind = RuleNode::Kind::kNot;
      ASSIGN_OR_RETURN(RuleNode operand, Unary(depth + 1));
      node.children.push_back(std::move(operand));
      return node;
    }
    return Primary(depth);
  }

  Result<RuleNode> Primary(size_t depth) {
    if (tok_.kind == Tok::kLParen) {
      RETURN_IF_ERROR(CountElement());
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(RuleNode inner, Or(depth + 1));
      if (tok_.kind != Tok::kRParen) return Unsupported(tok_, ")");
      RETURN_IF_ERROR(Advance());
      return inner;
    }
    if (IsWord("TRUE") || IsWord("FALSE")) {
      RETURN_IF_ERROR(CountElement());
      RuleNode node;
      node.kind = IsWord("TRUE") ? RuleNode::Kind::kTrue : RuleNode::Kind::kFalse;
      RETURN_IF_ERROR(Advance());
      return node;
    }
    std::optional<AlarmState> state;
    if (IsWord("ALARM")) state = AlarmState::kAlarm;
    if (IsWord("OK")) state = AlarmState::kOk;
    if (IsWord("INSUFFICIENT_DATA")) state = AlarmState::kInsufficientData;
    if (!state) return Unsupported(tok_, {});
    RETURN_IF_ERROR(CountElement());
    RETURN_IF_ERROR(Advance());
    if (tok_.kind != Tok::kLParen) return Unsupported(tok_, "(");
    RETURN_IF_ERROR(Advance());
    if (tok_.kind != Tok::kWord && tok_.kind != Tok::kQuoted) return Unsupported(tok_, {});
    Token name_tok = tok_;
    RuleNode node;
    node.kind = RuleNode::Kind::kState;
    node.state = *state;
    ASSIGN_OR_RETURN(node.alarm_name, ChildName(name_tok));
    RETURN_IF_ERROR(Advance());
    if (tok_.kind != Tok::kRParen) return Unsupported(tok_, ")");
    RETURN_IF_ERROR(Advance());
    RETURN_IF_ERROR(AddChild(node.alarm_name, name_tok));
    return node;
  }

  // The alarm name a function argument designates (ARNs normalised).
  Result<std::string> ChildName(const Token& t) const {
    std::string_view v = t.text;
    if (v.empty()) return Unsupported(t, {});
    if (v.substr(0, 4) == "arn:") {
      // arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>; the name may hold ':'.
      std::string_view rest = v;
      std::string_view parts[6];
      for (auto& part : parts) {
        size_t colon = rest.find(':');
        if (colon == std::string_view::npos) return BadArn(t);
        part = rest.substr(0, colon);
        rest.remove_prefix(colon + 1);
      }
      if (parts[2] != "cloudwatch" || parts[5] != "alarm" || rest.empty() ||
          parts[1].substr(0, 3) != "aws") {
        return BadArn(t);
      }
      if (parts[3] != scope_.region || parts[4] != scope_.account) {
        std::string d = "Alarm ARN '";
        d += v;
        d += "' at char ";
        d += std::to_string(t.pos);
        d += " is not in account ";
        d += scope_.account;
        d += " and region ";
        d += scope_.region;
        return RuleError(std::move(d));
      }
      v = rest;
    }
    if (v.size() > kMaxAlarmNameLength) {
      std::string d = "Alarm name at char ";
      d += std::to_string(t.pos);
      d += " is longer than 255 characters";
      return RuleError(std::move(d));
    }
    return std::string(v);
  }

  static ApiError BadArn(const Token& t) {
    std::string d = "Invalid alarm ARN '";
    d += t.text;
    d += "' at char ";
    d += std::to_string(t.pos);
    return RuleError(std::move(d));
  }

  Status AddChild(const std::string& name, const Token& t) {
    if (seen_.insert(name).second) {
      children_.push_back(name);
      if (children_.size() > kMaxRuleChildren) {
        std::string d = "The AlarmRule can reference at most ";
        d += std::to_string(kMaxRuleChildren);
        d += " alarms, found more at char ";
        d += std::to_string(t.pos);
        return RuleError(std::move(d));
      }
    }
    return OkStatus();
  }

  std::string_view text_;
  const RuleScope& scope_;
  size_t at_ = 0;
  Token tok_;
  size_t elements_ = 0;
  std::vector<std::string> children_;
  std::set<std::string, std::less<>> seen_;
};

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

Result<CompositeRule> ParseCompositeRule(std::string_view text, const RuleScope& scope) {
  if (text.size() > kMaxAlarmRuleLength) {
    return MakeError(ErrorCode::kValidationError,
                     "1 validation error detected: Value at 'alarmRule' failed to satisfy "
                     "constraint: Member must have length less than or equal to 10240");
  }
  return Parser(text, scope).Run();
}

bool EvaluateRule(const RuleNode& node, const ChildStateLookup& lookup) {
  switch (node.kind) {
    case RuleNode::Kind::kTrue:
      return true;
    case RuleNode::Kind::kFalse:
      return false;
    case RuleNode::Kind::kState: {
      std::optional<AlarmState> s = lookup(node.alarm_name);
      return s && *s == node.state;
    }
    case RuleNode::Kind::kNot:
      return !EvaluateRule(node.children.front(), lookup);
    case RuleNode::Kind::kAnd:
      for (const RuleNode& c : node.children) {
        if (!EvaluateRule(c, lookup)) return false;
      }
      return true;
    case RuleNode::Kind::kOr:
      for (const RuleNode& c : node.children) {
        if (EvaluateRule(c, lookup)) return true;
      }
      return false;
  }
  return false;
}

ApiError MissingChildrenError(std::span<const std::string> missing) {
  std::string m = "Could not save the composite alarm as alarms [";
  for (size_t i = 0; i < missing.size(); ++i) {
    if (i) m += ", ";
    m += missing[i];
  }
  m += "] in the alarm rule do not exist";
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

ApiError ReferencedAlarmDeleteError(std::string_view name) {
  std::string m = "Cannot delete ";
  m += name;
  m += " as there are composite alarm(s) depending on it.";
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

std::optional<std::vector<std::string>> FindRuleCycle(const RuleGraph& graph, std::string_view name,
                                                      std::span<const std::string> children) {
  // Iterative DFS (composite chains can be long): a frame is a node and its next child index.
  struct Frame {
    std::string node;
    std::span<const std::string> next;
  };
  auto refs = [&](const std::string& n) -> std::span<const std::string> {
    if (n == name) return children;
    auto it = graph.find(n);
    if (it == graph.end()) return {};
    return it->second;
  };
  std::set<std::string, std::less<>> done;  // fully explored without reaching `name`
  std::vector<Frame> stack;
  stack.push_back({std::string(name), children});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next.empty()) {
      done.insert(top.node);
      stack.pop_back();
      continue;
    }
    const std::string& child = top.next.front();
    top.next = top.next.subspan(1);
    if (child == name) {
      std::vector<std::string> path;
      path.reserve(stack.size() + 1);
      for (const Frame& f : stack) path.push_back(f.node);
      path.emplace_back(name);
      return path;
    }
    if (done.contains(child)) continue;
    bool on_stack = false;  // a cycle not through `name`: not ours to report
    for (const Frame& f : stack) on_stack = on_stack || f.node == child;
    if (on_stack) continue;
    std::string copy = child;  // `child` lives in a span the push may not move, but be safe
    std::span<const std::string> next = refs(copy);
    stack.push_back({std::move(copy), next});
  }
  return std::nullopt;
}

std::string FormatCyclePath(std::span<const std::string> path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += " -> ";
    out += path[i];
  }
  return out;
}

std::string AlarmArn(const RuleScope& scope, std::string_view name) {
  std::string arn = "arn:aws:cloudwatch:";
  arn += scope.region;
  arn += ':';
  arn += scope.account;
  arn += ":alarm:";
  arn += name;
  return arn;
}

std::string CompositeCreatedReason(const RuleScope& scope, std::string_view composite,
                                   AlarmState new_state) {
  std::string r = AlarmArn(scope, composite);
  r += " was created and its alarm rule evaluates to ";
  r += StateName(new_state);
  return r;
}

std::string CompositeTransitionReason(const RuleScope& scope, const TriggeringAlarm& child) {
  static constexpr const char* kDays[] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                          "Monday",   "Tuesday", "Wednesday"};
  static constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
  int64_t secs = child.timestamp.seconds();
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t sod = secs - days * 86400;
  // Civil from days (H. Hinnant's algorithm).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  int64_t wd = ((days % 7) + 7) % 7;  // 1970-01-01 was a Thursday
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s %02d %s, %04lld %02d:%02d:%02d UTC", kDays[wd],
                static_cast<int>(d), kMonths[m - 1], static_cast<long long>(y),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  std::string r = AlarmArn(scope, child.name);
  r += " transitioned to ";
  r += StateName(child.state);
  r += " at ";
  r += buf;
  return r;
}

std::string CompositeReasonData(const RuleScope& scope, std::span<const TriggeringAlarm> alarms) {
  std::string out = "{\"triggeringAlarms\":[";
  for (size_t i = 0; i < alarms.size(); ++i) {
    if (i) out += ',';
    out += "{\"arn\":";
    AppendJsonString(out, AlarmArn(scope, alarms[i].name));
    out += ",\"state\":{\"value\":\"";
    out += StateName(alarms[i].state);
    out += "\",\"timestamp\":\"";
    out += FormatAwsMillis(alarms[i].timestamp);
    out += "\"}}";
  }
  out += "]}";
  return out;
}

}  // namespace vigil::alarms
