// libFuzzer target for metric math (include/vigil/query/math.h): arbitrary bytes as an
// expression. Whatever parses is type-checked against a fixed set of ids; whatever checks is
// evaluated over small series; the checks below abort on a broken invariant:
//   - every parse or check error is a ValidationError whose message names a position;
//   - a value has the type Check gave it (a time series is exactly one series);
//   - every series is ascending without duplicates, with finite values, one per timestamp.
// The request-level check (ids, cycles) runs too, with the input as two queries' expressions.
#include <cmath>
#include <cstdlib>
#include <string>

#include "vigil/query/math.h"

namespace {

using namespace vigil;
using namespace vigil::query;

constexpr int64_t kT0 = 1'800'000'000;

math::Series Make(std::vector<std::pair<int, double>> pts, std::string label) {
  math::Series s;
  for (auto [m, v] : pts) {
    s.times.push_back((kT0 + 60 * m) * 1000);
    s.values.push_back(v);
  }
  s.label = std::move(label);
  return s;
}

class Env : public math::Environment {
 public:
  Env() {
    m1_.type = math::Type::kSeries;
    m1_.series.push_back(Make({{0, 1}, {1, -2}, {2, 0}, {4, 1e300}}, "m1"));
    m2_.type = math::Type::kSeries;
    m2_.series.push_back(Make({{1, 3}, {3, 0.5}}, "m2"));
    arr_.type = math::Type::kArray;
    arr_.series = {m1_.series[0], m2_.series[0], Make({}, "empty")};
  }
  Result<const math::Value*> Query(std::string_view id) override {
    if (id == "m1") return &m1_;
    if (id == "m2") return &m2_;
    return &arr_;
  }
  Result<const math::Value*> Metrics(std::optional<std::string_view> filter) override {
    filtered_ = arr_;
    if (filter) {
      std::erase_if(filtered_.series, [&](const math::Series& s) {
        return s.label.find(*filter) == std::string::npos;
      });
    }
    return &filtered_;
  }
  Result<math::Value> Search(const math::SearchCall&) override { return arr_; }

 private:
  math::Value m1_, m2_, arr_, filtered_;
};

void CheckError(const ApiError& e) {
  if (e.code != ErrorCode::kValidationError) std::abort();
  if (e.message.find("position") == std::string::npos &&
      e.message.find("not available") == std::string::npos) {
    std::abort();
  }
}

void CheckValue(const math::Value& v, math::Type type) {
  if (v.type != type) std::abort();
  if (type == math::Type::kSeries && v.series.size() != 1) std::abort();
  if (type == math::Type::kScalar && !v.series.empty()) std::abort();
  for (const auto& s : v.series) {
    if (s.times.size() != s.values.size()) std::abort();
    for (size_t i = 0; i < s.times.size(); ++i) {
      if (!std::isfinite(s.values[i])) std::abort();
      if (i > 0 && s.times[i] <= s.times[i - 1]) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto node = math::Parse(text);
  if (!node.ok()) {
    CheckError(node.error());
  } else {
    auto type = math::Check(*node, [](std::string_view id) -> std::optional<math::Type> {
      if (id == "m1" || id == "m2") return math::Type::kSeries;
      if (id == "arr") return math::Type::kArray;
      return std::nullopt;
    });
    if (!type.ok()) {
      CheckError(type.error());
    } else {
      Env env;
      math::EvalContext ctx{Timestamp::FromSeconds(kT0), Timestamp::FromSeconds(kT0 + 600),
                            Timestamp::FromSeconds(kT0 + 900), 60, &env};
      auto value = math::Evaluate(*node, ctx);
      if (value.ok()) {
        CheckValue(*value, *type);
      } else {
        CheckError(value.error());
      }
    }
  }
  // The same text as two expressions of one request (cycles, unknown ids).
  std::vector<MetricDataQuery> queries(3);
  queries[0].id = "m1";
  queries[1].id = "e1";
  queries[1].expression = text;
  queries[2].id = "e2";
  queries[2].expression = "e1";
  (void)math::CheckRequest(queries);
  return 0;
}
