#include "query/math/plan.h"

#include <map>

#include "vigil/query/insights.h"
#include "vigil/query/search.h"
#include "vigil/query/statistic.h"

namespace vigil::query::math {
namespace internal {
namespace {

std::string Problem(std::string_view id, std::string_view detail) {
  std::string s = "Error in expression ";
  s += id;
  s += ": ";
  s += detail;
  if (!s.empty() && s.back() != '.') s += '.';
  return s;
}

// The first problem of a SEARCH(...) call in the tree: its search expression and statistic are
// checked before any data is read. Empty when there is none.
std::string CheckSearchCalls(const Node& n) {
  if (n.kind == Node::Kind::kCall && n.text == "SEARCH") {
    std::string where = "SEARCH at position ";
    where += std::to_string(n.position);
    where += ": ";
    auto parsed = ParseSearchExpression(n.children[0].text);
    if (!parsed.ok()) return where + parsed.error().message;
    if (!Statistic::Parse(n.children[1].text)) {
      return where + n.children[1].text + " is not a valid statistic";
    }
  }
  for (const Node& c : n.children) {
    if (std::string p = CheckSearchCalls(c); !p.empty()) return p;
  }
  return {};
}

class Planner {
 public:
  explicit Planner(const std::vector<MetricDataQuery>& queries) : q_(queries) {
    plan_.nodes.resize(q_.size());
    plan_.types.assign(q_.size(), Type::kSeries);
    state_.assign(q_.size(), State::kNew);
    for (size_t i = 0; i < q_.size(); ++i) by_id_.emplace(q_[i].id, i);
  }

  RequestPlan Run() {
    for (size_t i = 0; i < q_.size(); ++i) {
      if (!q_[i].expression) {
        state_[i] = State::kDone;
        continue;
      }
      if (IsInsightsQuery(*q_[i].expression)) {
        plan_.types[i] = Type::kArray;
        state_[i] = State::kDone;
        auto parsed = ParseInsightsQuery(*q_[i].expression);
        if (!parsed.ok()) {
          plan_.problems.push_back(Problem(q_[i].id, parsed.error().message));
          state_[i] = State::kFailed;
        }
        continue;
      }
      auto node = Parse(*q_[i].expression);
      if (!node.ok()) {
        plan_.problems.push_back(Problem(q_[i].id, node.error().message));
        state_[i] = State::kFailed;
        continue;
      }
      plan_.nodes[i] = std::move(*node);
    }
    for (size_t i = 0; i < q_.size(); ++i) Visit(i);
    if (Status st = CheckInsightsQueryCount(q_); !st.ok()) {
      std::string line = st.error().message;
      while (!line.empty() && line.back() == '\n') line.pop_back();
      plan_.problems.push_back(std::move(line));
    }
    return std::move(plan_);
  }

 private:
  enum class State { kNew, kVisiting, kDone, kFailed };

  // Types query i after the queries it names (depth first); reports circular references.
  void Visit(size_t i) {
    if (state_[i] != State::kNew) return;
    state_[i] = State::kVisiting;
    stack_.push_back(i);
    const Node& node = *plan_.nodes[i];
    bool deps_ok = true;
    for (const std::string& id : CollectReferences(node).ids) {
      auto it = by_id_.find(id);
      if (it == by_id_.end()) continue;  // Check reports it, with its position
      size_t j = it->second;
      if (state_[j] == State::kVisiting) {
        std::string path;
        bool on = false;
        for (size_t k : stack_) {
          on = on || k == j;
          if (!on) continue;
          path += q_[k].id;
          path += " -> ";
          in_cycle_.push_back(k);
        }
        path += q_[j].id;
        std::string detail = "circular reference ";
        detail += path;
        plan_.problems.push_back(Problem(q_[j].id, detail));
        deps_ok = false;
        continue;
      }
      Visit(j);
      if (state_[j] == State::kFailed) deps_ok = false;
    }
    stack_.pop_back();
    if (!deps_ok || state_[i] == State::kFailed) {
      state_[i] = State::kFailed;
      return;
    }
    auto type = Check(node, [this](std::string_view id) -> std::optional<Type> {
      auto it = by_id_.find(id);
      if (it == by_id_.end()) return std::nullopt;
      return plan_.types[it->second];
    });
    if (!type.ok()) {
      plan_.problems.push_back(Problem(q_[i].id, type.error().message));
      state_[i] = State::kFailed;
      return;
    }
    if (*type != Type::kSeries && *type != Type::kArray) {
      std::string detail = "the expression must return a time series or an array of time series, ";
      detail += "not ";
      detail += TypeName(*type);
      if (*type == Type::kScalar) detail += " (TIME_SERIES(x) turns a scalar into a time series)";
      plan_.problems.push_back(Problem(q_[i].id, detail));
      state_[i] = State::kFailed;
      return;
    }
    if (std::string search = CheckSearchCalls(node); !search.empty()) {
      plan_.problems.push_back(Problem(q_[i].id, search));
      state_[i] = State::kFailed;
      return;
    }
    plan_.types[i] = *type;
    // A query of a cycle found while it was on the stack is failed, not done.
    for (size_t k : in_cycle_) {
      if (k == i) {
        state_[i] = State::kFailed;
        return;
      }
    }
    state_[i] = State::kDone;
  }

  const std::vector<MetricDataQuery>& q_;
  RequestPlan plan_;
  std::vector<State> state_;
  std::map<std::string_view, size_t> by_id_;
  std::vector<size_t> stack_;
  std::vector<size_t> in_cycle_;
};

}  // namespace

RequestPlan PlanRequest(const std::vector<MetricDataQuery>& queries) {
  return Planner(queries).Run();
}

}  // namespace internal

std::vector<std::string> CheckRequest(const std::vector<MetricDataQuery>& queries) {
  return internal::PlanRequest(queries).problems;
}

}  // namespace vigil::query::math
