// Evaluation of a checked metric-math tree (math.h "Evaluate").
#include <cmath>

#include "query/math/functions.h"
#include "query/math/series_ops.h"
#include "vigil/query/engine.h"
#include "vigil/query/math.h"

namespace vigil::query::math {
namespace {

using internal::Fn;
using internal::Op;

ApiError Invalid(std::string m) { return MakeError(ErrorCode::kValidationError, std::move(m)); }

bool ValidPeriod(double p) {
  if (p != std::floor(p) || p < 1 || p > 1e9) return false;
  const auto s = static_cast<int64_t>(p);
  return s == 1 || s == 5 || s == 10 || s == 20 || s == 30 || s % 60 == 0;
}

// A value computed here (owned) or one the environment holds (borrowed: ids and METRICS() are
// read in place, never copied, so SUM(METRICS()) over 500 series copies nothing).
struct Operand {
  Value owned;
  const Value* borrowed = nullptr;
  const Value& get() const { return borrowed ? *borrowed : owned; }
};

class Evaluator {
 public:
  explicit Evaluator(const EvalContext& ctx) : ctx_(ctx) {}

  Result<Value> Eval(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kNumber: {
        Value v;
        v.scalar = n.number;
        return v;
      }
      case Node::Kind::kString:
      case Node::Kind::kKeyword: {
        Value v;
        v.type = n.kind == Node::Kind::kString ? Type::kString : Type::kKeyword;
        return v;
      }
      case Node::Kind::kId:
      case Node::Kind::kUnary:
      case Node::Kind::kArray: {
        ASSIGN_OR_RETURN(Operand o, Ref(n));
        if (o.borrowed) return *o.borrowed;
        return std::move(o.owned);
      }
      case Node::Kind::kBinary:
        return Binary(n);
      case Node::Kind::kCall: {
        ASSIGN_OR_RETURN(Operand o, Ref(n));
        if (o.borrowed) return *o.borrowed;
        return std::move(o.owned);
      }
    }
    return Invalid("unknown node");
  }

 private:
  Result<Operand> Ref(const Node& n) {
    Operand o;
    switch (n.kind) {
      case Node::Kind::kId: {
        ASSIGN_OR_RETURN(o.borrowed, ctx_.environment->Query(n.text));
        return o;
      }
      case Node::Kind::kUnary: {
        ASSIGN_OR_RETURN(Operand x, Ref(n.children[0]));
        const Value& v = x.get();
        o.owned.type = v.type;
        o.owned.scalar = -v.scalar;
        for (const Series& s : v.series) {
          o.owned.series.push_back(internal::MapValues(s, [](double d) { return -d; }));
        }
        return o;
      }
      case Node::Kind::kArray: {
        o.owned.type = Type::kArray;
        for (const Node& c : n.children) {
          ASSIGN_OR_RETURN(Operand x, Ref(c));
          if (x.borrowed) {
            for (const Series& s : x.borrowed->series) o.owned.series.push_back(s);
          } else {
            for (Series& s : x.owned.series) o.owned.series.push_back(std::move(s));
          }
        }
        return o;
      }
      case Node::Kind::kCall: {
        if (n.text == "METRICS") {
          std::optional<std::string_view> filter;
          if (!n.children.empty()) filter = n.children[0].text;
          ASSIGN_OR_RETURN(o.borrowed, ctx_.environment->Metrics(filter));
          return o;
        }
        ASSIGN_OR_RETURN(o.owned, Call(n));
        return o;
      }
      case Node::Kind::kNumber:
      case Node::Kind::kString:
      case Node::Kind::kKeyword:
      case Node::Kind::kBinary:
        break;
    }
    ASSIGN_OR_RETURN(o.owned, Eval(n));
    return o;
  }

  Result<Value> Binary(const Node& n) {
    const Op op = *internal::ParseOp(n.text);
    ASSIGN_OR_RETURN(Operand oa, Ref(n.children[0]));
    ASSIGN_OR_RETURN(Operand ob, Ref(n.children[1]));
    const Value& a = oa.get();
    const Value& b = ob.get();
    Value out;
    if (a.type == Type::kScalar && b.type == Type::kScalar) {
      out.scalar = internal::Apply(op, a.scalar, b.scalar);
      return out;
    }
    // An intermediate value (not an id or METRICS()) is updated in place: a chain such as
    // METRICS() * 2 + m1 allocates its 500 series once.
    if (!oa.borrowed && a.type != Type::kScalar && b.type != Type::kArray) {
      for (Series& s : oa.owned.series) {
        if (b.type == Type::kScalar) {
          internal::CombineScalarInPlace(s, b.scalar, op, false);
        } else if (s.times == b.series.front().times) {
          internal::CombineSameTimesInPlace(s, b.series.front(), op);
        } else {
          s = internal::CombineSeries(s, b.series.front(), op);
        }
      }
      return std::move(oa.owned);
    }
    if (!ob.borrowed && a.type == Type::kScalar) {
      for (Series& s : ob.owned.series) internal::CombineScalarInPlace(s, a.scalar, op, true);
      return std::move(ob.owned);
    }
    if (a.type == Type::kScalar || b.type == Type::kScalar) {
      const bool scalar_left = a.type == Type::kScalar;
      const Value& v = scalar_left ? b : a;
      const double x = scalar_left ? a.scalar : b.scalar;
      out.type = v.type;
      out.series.reserve(v.series.size());
      for (const Series& s : v.series) {
        out.series.push_back(internal::CombineScalar(s, x, op, scalar_left));
      }
      return out;
    }
    if (b.type == Type::kArray) {  // TS op TS[]: keep the array's labels
      out.type = Type::kArray;
      for (const Series& s : b.series) {
        Series r = internal::CombineSeries(a.series.front(), s, op);
        r.label = s.label;
        r.source = s.source;
        out.series.push_back(std::move(r));
      }
      return out;
    }
    out.type = a.type;  // TS[] op TS, or TS op TS
    for (const Series& s : a.series) {
      out.series.push_back(internal::CombineSeries(s, b.series.front(), op));
    }
    return out;
  }

  Result<Value> Call(const Node& n) {
    const internal::FnInfo info = *internal::LookupFunction(n.text);
    std::vector<Operand> operands(n.children.size());
    for (size_t i = 0; i < n.children.size(); ++i) {
      ASSIGN_OR_RETURN(operands[i], Ref(n.children[i]));
    }
    std::vector<const Value*> args;
    args.reserve(operands.size());
    for (const Operand& o : operands) args.push_back(&o.get());
    if (info.fn == Fn::kAnomalyDetectionBand) return Band(n, args);
    if (info.fn == Fn::kSearch) {
      SearchCall call;
      call.expression = n.children[0].text;
      call.stat = n.children[1].text;
      call.period_seconds = ctx_.period_seconds;
      if (args.size() == 3) {
        if (!ValidPeriod(args[2]->scalar)) {
          std::string m = "SEARCH at position ";
          m += std::to_string(n.position);
          m += ": the period must be 1, 5, 10, 20, 30 or a multiple of 60";
          return Invalid(std::move(m));
        }
        call.period_seconds = static_cast<int>(args[2]->scalar);
      }
      ASSIGN_OR_RETURN(Value v, ctx_.environment->Search(call));
      v.type = Type::kArray;
      return v;
    }
    return internal::CallFunction(info.fn, n, args, ctx_);
  }

  // ANOMALY_DETECTION_BAND(m[, k]): the upper and the lower band of every series of m, each of
  // which must come straight from a MetricStat query (the model is per metric and statistic).
  Result<Value> Band(const Node& n, const std::vector<const Value*>& args) {
    const double k = args.size() == 2 ? args[1]->scalar : 2.0;
    if (!std::isfinite(k) || k <= 0) {
      std::string m = "ANOMALY_DETECTION_BAND at position ";
      m += std::to_string(n.position);
      m += ": the band width (number of standard deviations) must be a number greater than 0";
      return Invalid(std::move(m));
    }
    Value out;
    out.type = Type::kArray;
    const bool named = n.children[0].kind == Node::Kind::kId;
    // The id of an Expression query that gives one time series: the band of the expression's
    // own values (a MetricMathAnomalyDetector), trained on the expression.
    if (named && args[0]->type == Type::kSeries && args[0]->series.size() == 1 &&
        !args[0]->series.front().source) {
      ASSIGN_OR_RETURN(std::optional<Value> band,
                       ctx_.environment->ExpressionAnomalyBand(n.children[0].text,
                                                               args[0]->series.front(), k));
      if (band) return std::move(*band);
    }
    for (const Series& s : args[0]->series) {
      if (!named || !s.source) {
        std::string m = "ANOMALY_DETECTION_BAND at position ";
        m += std::to_string(n.position);
        m += ": its first argument must be the id of a MetricStat query (a metric and a "
             "statistic), not an expression";
        return Invalid(std::move(m));
      }
      ASSIGN_OR_RETURN(Value band, ctx_.environment->AnomalyBand(s, k));
      for (Series& b : band.series) out.series.push_back(std::move(b));
    }
    return out;
  }

  const EvalContext& ctx_;
};

}  // namespace

Result<Value> Environment::AnomalyBand(const Series&, double) {
  return Invalid(
      "ANOMALY_DETECTION_BAND: anomaly detection needs the metric store, which this "
      "evaluation does not have");
}

Result<std::optional<Value>> Environment::ExpressionAnomalyBand(std::string_view, const Series&,
                                                                double) {
  return std::optional<Value>();
}

Result<Value> Evaluate(const Node& root, const EvalContext& context) {
  Evaluator e(context);
  return e.Eval(root);
}

Result<std::vector<int64_t>> Grid(const EvalContext& ctx, int period_seconds) {
  std::vector<int64_t> out;
  if (period_seconds <= 0) return out;
  const Timestamp start = RoundStart(ctx.start, period_seconds, ctx.as_of);
  const int64_t n = PeriodCount(start, ctx.end, period_seconds);
  if (n <= 0) return out;
  if (static_cast<uint64_t>(n) > kMaxGridPoints) {
    std::string m = "filling ";
    m += std::to_string(n);
    m += " periods of ";
    m += std::to_string(period_seconds);
    m += " s is more than the ";
    m += std::to_string(kMaxGridPoints);
    m += " vigil allows; use a longer period or a shorter range";
    return Invalid(std::move(m));
  }
  out.reserve(static_cast<size_t>(n));
  const int64_t step = int64_t{period_seconds} * 1000;
  for (int64_t i = 0; i < n; ++i) out.push_back(start.millis + i * step);
  return out;
}

}  // namespace vigil::query::math
