// Static typing of metric math (math.h "Check"), following AWS's types: S (scalar), TS (time
// series), TS[] (array of time series). Every rule is in docs/metric-math.md.
#include <algorithm>
#include <array>

#include "query/math/functions.h"
#include "vigil/query/math.h"

namespace vigil::query::math {
namespace internal {

std::optional<FnInfo> LookupFunction(std::string_view name) {
  static constexpr std::array<FnInfo, 38> kTable = {{
      {"ABS", Fn::kAbs, 1, 1},
      {"ANOMALY_DETECTION_BAND", Fn::kAnomalyDetectionBand, 1, 2},
      {"AVG", Fn::kAvg, 1, 1},
      {"CEIL", Fn::kCeil, 1, 1},
      {"DATAPOINT_COUNT", Fn::kDatapointCount, 1, 1},
      {"DATE", Fn::kDate, 1, 1},
      {"DAY", Fn::kDay, 1, 1},
      {"DIFF", Fn::kDiff, 1, 1},
      {"DIFF_TIME", Fn::kDiffTime, 1, 1},
      {"EPOCH", Fn::kEpoch, 1, 1},
      {"FILL", Fn::kFill, 2, 2},
      {"FIRST", Fn::kFirst, 1, 1},
      {"FLOOR", Fn::kFloor, 1, 1},
      {"HOUR", Fn::kHour, 1, 1},
      {"IF", Fn::kIf, 2, 3},
      {"INSIGHT_RULE_METRIC", Fn::kInsightRuleMetric, 0, 99},
      {"LAST", Fn::kLast, 1, 1},
      {"LOG", Fn::kLog, 1, 1},
      {"LOG10", Fn::kLog10, 1, 1},
      {"MAX", Fn::kMax, 1, 1},
      {"METRIC_COUNT", Fn::kMetricCount, 1, 1},
      {"METRICS", Fn::kMetrics, 0, 1},
      {"MIN", Fn::kMin, 1, 1},
      {"MINUTE", Fn::kMinute, 1, 1},
      {"MONTH", Fn::kMonth, 1, 1},
      {"PERIOD", Fn::kPeriod, 1, 1},
      {"RATE", Fn::kRate, 1, 1},
      {"REMOVE_EMPTY", Fn::kRemoveEmpty, 1, 1},
      {"RUNNING_SUM", Fn::kRunningSum, 1, 1},
      {"SEARCH", Fn::kSearch, 2, 3},
      {"SERVICE_QUOTA", Fn::kServiceQuota, 0, 99},
      {"SLICE", Fn::kSlice, 2, 3},
      {"SORT", Fn::kSort, 3, 4},
      {"SQRT", Fn::kSqrt, 1, 1},
      {"STDDEV", Fn::kStddev, 1, 1},
      {"SUM", Fn::kSum, 1, 1},
      {"TIME_SERIES", Fn::kTimeSeries, 1, 1},
      {"YEAR", Fn::kYear, 1, 1},
  }};
  for (const FnInfo& f : kTable) {
    if (f.name == name) return f;
  }
  return std::nullopt;
}

}  // namespace internal

namespace {

using internal::Fn;

ApiError Invalid(std::string message) {
  return MakeError(ErrorCode::kValidationError, std::move(message));
}

std::string At(const Node& n) {
  std::string s = " (position ";
  s += std::to_string(n.position);
  s += ')';
  return s;
}

struct Mask {
  bool scalar = false, series = false, array = false, string = false, keyword = false;
  bool Has(Type t) const {
    switch (t) {
      case Type::kScalar:
        return scalar;
      case Type::kSeries:
        return series;
      case Type::kArray:
        return array;
      case Type::kString:
        return string;
      case Type::kKeyword:
        return keyword;
    }
    return false;
  }
  std::string Describe() const {
    std::vector<std::string_view> names;
    if (scalar) names.push_back("a scalar");
    if (series) names.push_back("a time series");
    if (array) names.push_back("an array of time series");
    if (string) names.push_back("a string");
    if (keyword) names.push_back("a keyword");
    std::string s;
    for (size_t i = 0; i < names.size(); ++i) {
      if (i > 0) s += i + 1 == names.size() ? " or " : ", ";
      s += names[i];
    }
    return s;
  }
};

constexpr Mask kAny{true, true, true, false, false};
constexpr Mask kSeriesOrArray{false, true, true, false, false};
constexpr Mask kScalarOrSeries{true, true, false, false, false};
constexpr Mask kScalarOnly{true, false, false, false, false};
constexpr Mask kStringOnly{false, false, false, true, false};

class Checker {
 public:
  explicit Checker(const std::function<std::optional<Type>(std::string_view)>& id_type)
      : id_type_(id_type) {}

  Result<Type> TypeOf(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kNumber:
        return Type::kScalar;
      case Node::Kind::kString:
        return Type::kString;
      case Node::Kind::kKeyword:
        return Type::kKeyword;
      case Node::Kind::kId: {
        auto t = id_type_(n.text);
        if (!t) {
          std::string m = "unknown id ";
          m += n.text;
          m += At(n);
          m += ": no query in the request has that Id";
          return Invalid(std::move(m));
        }
        return *t;
      }
      case Node::Kind::kUnary:
        return Expect(n.children[0], kAny, "the operand of unary '-'");
      case Node::Kind::kBinary:
        return BinaryType(n);
      case Node::Kind::kArray: {
        for (size_t i = 0; i < n.children.size(); ++i) {
          std::string what = "element ";
          what += std::to_string(i + 1);
          what += " of the array";
          RETURN_IF_ERROR(Expect(n.children[i], kSeriesOrArray, what));
        }
        return Type::kArray;
      }
      case Node::Kind::kCall:
        return CallType(n);
    }
    return Invalid("unknown node");
  }

 private:
  // The type of `n`, which must be one of `allowed`.
  Result<Type> Expect(const Node& n, Mask allowed, std::string_view what) {
    ASSIGN_OR_RETURN(Type t, TypeOf(n));
    if (allowed.Has(t)) return t;
    std::string m(what);
    m += " must be ";
    m += allowed.Describe();
    m += ", not ";
    m += TypeName(t);
    static constexpr std::string_view kWords[] = {"REPEAT", "LINEAR", "ASC", "DESC", "COUNT"};
    if (t == Type::kKeyword && internal::LookupFunction(n.text)) {
      m += " (";
      m += n.text;
      m += " is a function: call it with parentheses)";
    } else if (t == Type::kKeyword &&
               std::find(std::begin(kWords), std::end(kWords), n.text) == std::end(kWords)) {
      m += " (";
      m += n.text;
      m += " is not an id: ids start with a lowercase letter)";
    }
    m += At(n);
    return Invalid(std::move(m));
  }

  Result<Type> BinaryType(const Node& n) {
    std::string side = "the left operand of '";
    side += n.text;
    side += '\'';
    ASSIGN_OR_RETURN(Type a, Expect(n.children[0], kAny, side));
    side.replace(4, 4, "right");
    ASSIGN_OR_RETURN(Type b, Expect(n.children[1], kAny, side));
    if (a == Type::kArray && b == Type::kArray) {
      std::string m = "'";
      m += n.text;
      m += "' cannot combine two arrays of time series";
      m += At(n);
      return Invalid(std::move(m));
    }
    if (a == Type::kArray || b == Type::kArray) return Type::kArray;
    if (a == Type::kSeries || b == Type::kSeries) return Type::kSeries;
    return Type::kScalar;
  }

  std::string Arg(const Node& call, size_t i) {
    std::string s = "argument ";
    s += std::to_string(i + 1);
    s += " of ";
    s += call.text;
    return s;
  }

  Result<Type> ArgType(const Node& call, size_t i, Mask allowed) {
    return Expect(call.children[i], allowed, Arg(call, i));
  }

  Status ExpectKeyword(const Node& call, size_t i, std::initializer_list<std::string_view> words) {
    const Node& a = call.children[i];
    bool ok = a.kind == Node::Kind::kKeyword;
    if (ok) {
      ok = false;
      for (auto w : words) ok = ok || a.text == w;
    }
    if (ok) return OkStatus();
    std::string m = Arg(call, i);
    m += " must be one of ";
    size_t k = 0;
    for (auto w : words) {
      if (k++ > 0) m += ", ";
      m += w;
    }
    m += At(a);
    return Invalid(std::move(m));
  }

  Result<Type> CallType(const Node& n) {
    auto info = internal::LookupFunction(n.text);
    if (!info) {
      std::string m = "unknown function ";
      m += n.text;
      m += At(n);
      return Invalid(std::move(m));
    }
    if (info->fn == Fn::kServiceQuota || info->fn == Fn::kInsightRuleMetric) {
      std::string m = n.text;
      m += At(n);
      m += " is not supported by vigil";
      return Invalid(std::move(m));
    }
    const int argc = static_cast<int>(n.children.size());
    if (argc < info->min_args || argc > info->max_args) {
      std::string m = n.text;
      m += " takes ";
      if (info->min_args == info->max_args) {
        m += std::to_string(info->min_args);
      } else {
        m += std::to_string(info->min_args);
        m += info->max_args == info->min_args + 1 ? " or " : " to ";
        m += std::to_string(info->max_args);
      }
      m += info->min_args == 1 && info->max_args == 1 ? " argument" : " arguments";
      m += ", not ";
      m += std::to_string(argc);
      m += At(n);
      return Invalid(std::move(m));
    }
    switch (info->fn) {
      case Fn::kAbs:
      case Fn::kCeil:
      case Fn::kFloor:
      case Fn::kLog:
      case Fn::kLog10:
      case Fn::kSqrt:
        return ArgType(n, 0, kAny);
      case Fn::kAvg:
      case Fn::kMax:
      case Fn::kMin:
      case Fn::kSum:
      case Fn::kStddev:
      case Fn::kDatapointCount: {
        ASSIGN_OR_RETURN(Type t, ArgType(n, 0, kSeriesOrArray));
        return t == Type::kSeries ? Type::kScalar : Type::kSeries;
      }
      case Fn::kDiff:
      case Fn::kDiffTime:
      case Fn::kRate:
      case Fn::kRunningSum:
      case Fn::kMinute:
      case Fn::kHour:
      case Fn::kDay:
      case Fn::kDate:
      case Fn::kMonth:
      case Fn::kYear:
      case Fn::kEpoch:
        return ArgType(n, 0, kSeriesOrArray);
      case Fn::kFill: {
        ASSIGN_OR_RETURN(Type t, ArgType(n, 0, kSeriesOrArray));
        const Node& how = n.children[1];
        if (how.kind == Node::Kind::kKeyword) {
          RETURN_IF_ERROR(ExpectKeyword(n, 1, {"REPEAT", "LINEAR"}));
        } else {
          RETURN_IF_ERROR(ArgType(n, 1, kScalarOrSeries));
        }
        return t;
      }
      case Fn::kFirst:
      case Fn::kLast:
        RETURN_IF_ERROR(ArgType(n, 0, kSeriesOrArray));
        return Type::kSeries;
      case Fn::kIf: {
        ASSIGN_OR_RETURN(Type t, ArgType(n, 0, kSeriesOrArray));
        for (size_t i = 1; i < n.children.size(); ++i) {
          RETURN_IF_ERROR(ArgType(n, i, kScalarOrSeries));
        }
        return t;
      }
      case Fn::kMetricCount:
      case Fn::kPeriod:
        RETURN_IF_ERROR(ArgType(n, 0, kSeriesOrArray));
        return Type::kScalar;
      case Fn::kMetrics:
        if (argc == 1) RETURN_IF_ERROR(ArgType(n, 0, kStringOnly));
        return Type::kArray;
      case Fn::kRemoveEmpty:
        RETURN_IF_ERROR(ArgType(n, 0, kSeriesOrArray));
        return Type::kArray;
      case Fn::kSlice:
        RETURN_IF_ERROR(ArgType(n, 0, kSeriesOrArray));
        for (size_t i = 1; i < n.children.size(); ++i) {
          RETURN_IF_ERROR(ArgType(n, i, kScalarOnly));
        }
        return argc == 2 ? Type::kSeries : Type::kArray;
      case Fn::kSort:
        RETURN_IF_ERROR(ArgType(n, 0, kSeriesOrArray));
        RETURN_IF_ERROR(ExpectKeyword(n, 1, {"AVG", "COUNT", "MAX", "MIN", "STDDEV", "SUM"}));
        RETURN_IF_ERROR(ExpectKeyword(n, 2, {"ASC", "DESC"}));
        if (argc == 4) RETURN_IF_ERROR(ArgType(n, 3, kScalarOnly));
        return Type::kArray;
      case Fn::kTimeSeries:
        RETURN_IF_ERROR(ArgType(n, 0, kScalarOnly));
        return Type::kSeries;
      case Fn::kSearch:
        RETURN_IF_ERROR(ArgType(n, 0, kStringOnly));
        RETURN_IF_ERROR(ArgType(n, 1, kStringOnly));
        if (argc == 3) RETURN_IF_ERROR(ArgType(n, 2, kScalarOnly));
        return Type::kArray;
      case Fn::kAnomalyDetectionBand:
        RETURN_IF_ERROR(ArgType(n, 0, kSeriesOrArray));
        if (argc == 2) RETURN_IF_ERROR(ArgType(n, 1, kScalarOnly));
        return Type::kArray;
      case Fn::kInsightRuleMetric:
      case Fn::kServiceQuota:
        break;
    }
    return Invalid("unsupported function");
  }

  const std::function<std::optional<Type>(std::string_view)>& id_type_;
};

}  // namespace

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kScalar:
      return "a scalar";
    case Type::kSeries:
      return "a time series";
    case Type::kArray:
      return "an array of time series";
    case Type::kString:
      return "a string";
    case Type::kKeyword:
      return "a bare name";
  }
  return "?";
}

Result<Type> Check(const Node& root,
                   const std::function<std::optional<Type>(std::string_view)>& id_type) {
  Checker c(id_type);
  return c.TypeOf(root);
}

}  // namespace vigil::query::math
