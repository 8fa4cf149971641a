#include "vigil/notify/delivery_policy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "vigil/common/text.h"

namespace vigil::notify {
namespace {

using nlohmann::json;

ApiError PolicyError(std::string_view detail) {
  std::string m = "Invalid parameter: DeliveryPolicy";
  if (!detail.empty()) {
    m += ": ";
    m += detail;
  }
  return MakeError(ErrorCode::kInvalidParameterValue, std::move(m));
}

std::string Path(std::string_view prefix, std::string_view key) {
  std::string p(prefix);
  p += '.';
  p += key;
  return p;
}

ApiError Bound(const std::string& path, const char* relation, long long limit) {
  std::string m = path;
  m += " must be ";
  m += relation;
  m += " ";
  AppendInt(m, limit);
  return PolicyError(m);
}

ApiError Unexpected(std::string_view key) {
  std::string m = "Unexpected JSON member: ";
  m += key;
  return PolicyError(m);
}

// An integer member in [lo, hi]; absent or null leaves `out` unchanged.
Status ReadInt(const json& obj, std::string_view key, const std::string& path, long long lo,
               long long hi, int& out) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return OkStatus();
  long long v = 0;
  if (it->is_number_unsigned()) {
    auto u = it->get<unsigned long long>();
    v = u > static_cast<unsigned long long>(std::numeric_limits<long long>::max())
            ? std::numeric_limits<long long>::max()
            : static_cast<long long>(u);
  } else if (it->is_number_integer()) {
    v = it->get<long long>();
  } else {
    return PolicyError(path + " must be an integer");
  }
  if (v < lo) return Bound(path, "greater than or equal to", lo);
  if (v > hi) return Bound(path, "less than or equal to", hi);
  out = static_cast<int>(v);
  return OkStatus();
}

Status CheckMembers(const json& obj, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : obj.items()) {
    bool ok = false;
    for (auto a : allowed) ok = ok || key == a;
    if (!ok) return Unexpected(key);
  }
  return OkStatus();
}

Status ExpectObject(const json& v, const std::string& path) {
  if (!v.is_object()) return PolicyError(path + " must be a JSON object");
  return OkStatus();
}

Status ParseRetry(const json& obj, const std::string& prefix, HealthyRetryPolicy& p) {
  RETURN_IF_ERROR(ExpectObject(obj, prefix));
  RETURN_IF_ERROR(
      CheckMembers(obj, {"minDelayTarget", "maxDelayTarget", "numRetries", "numNoDelayRetries",
                         "numMinDelayRetries", "numMaxDelayRetries", "backoffFunction"}));
  constexpr long long kBig = std::numeric_limits<int>::max();
  RETURN_IF_ERROR(ReadInt(obj, "maxDelayTarget", Path(prefix, "maxDelayTarget"), 1,
                          kMaxRetryDelaySeconds, p.max_delay_target));
  RETURN_IF_ERROR(ReadInt(obj, "minDelayTarget", Path(prefix, "minDelayTarget"), 1,
                          kMaxRetryDelaySeconds, p.min_delay_target));
  RETURN_IF_ERROR(
      ReadInt(obj, "numRetries", Path(prefix, "numRetries"), 0, kMaxNumRetries, p.num_retries));
  RETURN_IF_ERROR(ReadInt(obj, "numNoDelayRetries", Path(prefix, "numNoDelayRetries"), 0, kBig,
                          p.num_no_delay_retries));
  RETURN_IF_ERROR(ReadInt(obj, "numMinDelayRetries", Path(prefix, "numMinDelayRetries"), 0, kBig,
                          p.num_min_delay_retries));
  RETURN_IF_ERROR(ReadInt(obj, "numMaxDelayRetries", Path(prefix, "numMaxDelayRetries"), 0, kBig,
                          p.num_max_delay_retries));
  if (p.min_delay_target > p.max_delay_target) {
    return Bound(Path(prefix, "minDelayTarget"), "less than or equal to", p.max_delay_target);
  }
  long long phases = static_cast<long long>(p.num_no_delay_retries) + p.num_min_delay_retries +
                     p.num_max_delay_retries;
  if (phases > p.num_retries) {
    return Bound(Path(prefix, "numRetries"), "greater than or equal to", phases);
  }
  auto it = obj.find("backoffFunction");
  if (it != obj.end() && !it->is_null()) {
    std::string name = it->is_string() ? it->get<std::string>() : std::string();
    for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (name == "linear") {
      p.backoff_function = BackoffFunction::kLinear;
    } else if (name == "arithmetic") {
      p.backoff_function = BackoffFunction::kArithmetic;
    } else if (name == "geometric") {
      p.backoff_function = BackoffFunction::kGeometric;
    } else if (name == "exponential") {
      p.backoff_function = BackoffFunction::kExponential;
    } else {
      return PolicyError(Path(prefix, "backoffFunction") +
                         " must be one of linear, arithmetic, geometric, exponential");
    }
  }
  int64_t total = 0;
  for (int64_t d : RetrySchedule(p)) total += d;
  if (total > int64_t{kMaxRetryDelaySeconds} * 1000) {
    std::string m = prefix;
    m += " total retry time must be less than or equal to 3600 seconds";
    return PolicyError(m);
  }
  return OkStatus();
}

Status ParseThrottle(const json& obj, const std::string& prefix, DeliveryPolicy& p) {
  if (obj.is_null()) return OkStatus();
  RETURN_IF_ERROR(ExpectObject(obj, prefix));
  RETURN_IF_ERROR(CheckMembers(obj, {"maxReceivesPerSecond"}));
  int v = 0;
  bool present = obj.contains("maxReceivesPerSecond") && !obj["maxReceivesPerSecond"].is_null();
  RETURN_IF_ERROR(ReadInt(obj, "maxReceivesPerSecond", Path(prefix, "maxReceivesPerSecond"), 1,
                          std::numeric_limits<int>::max(), v));
  if (present) p.max_receives_per_second = v;
  return OkStatus();
}

Status ParseRequest(const json& obj, const std::string& prefix, DeliveryPolicy& p) {
  if (obj.is_null()) return OkStatus();
  RETURN_IF_ERROR(ExpectObject(obj, prefix));
  RETURN_IF_ERROR(CheckMembers(obj, {"headerContentType"}));
  auto it = obj.find("headerContentType");
  if (it == obj.end() || it->is_null()) return OkStatus();
  std::string v = it->is_string() ? it->get<std::string>() : std::string();
  if (v != "text/plain" && v != "application/json" && v != "application/xml" &&
      v != kDefaultContentType) {
    return PolicyError(Path(prefix, "headerContentType") +
                       " must be one of text/plain, application/json, application/xml");
  }
  p.header_content_type = v;
  return OkStatus();
}

Result<json> ParseRoot(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return PolicyError("Invalid JSON");
  if (!doc.is_object()) return PolicyError("Delivery policy must be a JSON object");
  return doc;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::string_view BackoffFunctionName(BackoffFunction f) {
  switch (f) {
    case BackoffFunction::kLinear:
      return "linear";
    case BackoffFunction::kArithmetic:
      return "arithmetic";
    case BackoffFunction::kGeometric:
      return "geometric";
    case BackoffFunction::kExponential:
      return "exponential";
  }
  return "linear";
}

Result<DeliveryPolicy> ParseSubscriptionDeliveryPolicy(std::string_view text) {
  DeliveryPolicy p;
  if (IsBlank(text)) return p;
  ASSIGN_OR_RETURN(json doc, ParseRoot(text));
  RETURN_IF_ERROR(CheckMembers(doc, {"healthyRetryPolicy", "sicknessRetryPolicy", "throttlePolicy",
                                     "requestPolicy", "guaranteed"}));
  if (doc.contains("healthyRetryPolicy") && !doc["healthyRetryPolicy"].is_null()) {
    RETURN_IF_ERROR(
        ParseRetry(doc["healthyRetryPolicy"], "healthyRetryPolicy", p.healthy_retry_policy));
  }
  if (doc.contains("throttlePolicy")) {
    RETURN_IF_ERROR(ParseThrottle(doc["throttlePolicy"], "throttlePolicy", p));
  }
  if (doc.contains("requestPolicy")) {
    RETURN_IF_ERROR(ParseRequest(doc["requestPolicy"], "requestPolicy", p));
  }
  return p;
}

Result<DeliveryPolicy> ParseTopicDeliveryPolicy(std::string_view text) {
  DeliveryPolicy p;
  if (IsBlank(text)) return p;
  ASSIGN_OR_RETURN(json doc, ParseRoot(text));
  RETURN_IF_ERROR(CheckMembers(doc, {"http"}));
  if (!doc.contains("http") || doc["http"].is_null()) return p;
  const json& http = doc["http"];
  RETURN_IF_ERROR(ExpectObject(http, "http"));
  RETURN_IF_ERROR(CheckMembers(
      http, {"defaultHealthyRetryPolicy", "defaultSicknessRetryPolicy", "defaultThrottlePolicy",
             "defaultRequestPolicy", "disableSubscriptionOverrides"}));
  if (http.contains("defaultHealthyRetryPolicy") && !http["defaultHealthyRetryPolicy"].is_null()) {
    RETURN_IF_ERROR(ParseRetry(http["defaultHealthyRetryPolicy"], "http.defaultHealthyRetryPolicy",
                               p.healthy_retry_policy));
  }
  if (http.contains("defaultThrottlePolicy")) {
    RETURN_IF_ERROR(ParseThrottle(http["defaultThrottlePolicy"], "http.defaultThrottlePolicy", p));
  }
  if (http.contains("defaultRequestPolicy")) {
    RETURN_IF_ERROR(ParseRequest(http["defaultRequestPolicy"], "http.defaultRequestPolicy", p));
  }
  if (http.contains("disableSubscriptionOverrides")) {
    const json& v = http["disableSubscriptionOverrides"];
    if (!v.is_boolean() && !v.is_null()) {
      return PolicyError("http.disableSubscriptionOverrides must be a boolean");
    }
    p.disable_subscription_overrides = v.is_boolean() && v.get<bool>();
  }
  return p;
}

std::string SubscriptionPolicyJson(const DeliveryPolicy& policy) {
  const HealthyRetryPolicy& r = policy.healthy_retry_policy;
  std::string out = "{\"healthyRetryPolicy\":{\"minDelayTarget\":";
  AppendInt(out, r.min_delay_target);
  out += ",\"maxDelayTarget\":";
  AppendInt(out, r.max_delay_target);
  out += ",\"numRetries\":";
  AppendInt(out, r.num_retries);
  out += ",\"numNoDelayRetries\":";
  AppendInt(out, r.num_no_delay_retries);
  out += ",\"numMinDelayRetries\":";
  AppendInt(out, r.num_min_delay_retries);
  out += ",\"numMaxDelayRetries\":";
  AppendInt(out, r.num_max_delay_retries);
  out += ",\"backoffFunction\":\"";
  out += BackoffFunctionName(r.backoff_function);
  out += "\"},\"throttlePolicy\":";
  if (policy.max_receives_per_second) {
    out += "{\"maxReceivesPerSecond\":";
    AppendInt(out, *policy.max_receives_per_second);
    out += '}';
  } else {
    out += "null";
  }
  out += ",\"requestPolicy\":{\"headerContentType\":";
  out += nlohmann::json(policy.header_content_type).dump();
  out += "}}";
  return out;
}

std::optional<int64_t> RetryDelayMillis(const HealthyRetryPolicy& p, int n) {
  if (n < 1 || n > p.num_retries) return std::nullopt;
  const int64_t min_ms = int64_t{p.min_delay_target} * 1000;
  const int64_t max_ms = int64_t{p.max_delay_target} * 1000;
  int k = n;
  if (k <= p.num_no_delay_retries) return 0;
  k -= p.num_no_delay_retries;
  if (k <= p.num_min_delay_retries) return min_ms;
  k -= p.num_min_delay_retries;
  const int backoff =
      p.num_retries - p.num_no_delay_retries - p.num_min_delay_retries - p.num_max_delay_retries;
  if (k > backoff) return max_ms;
  // Backoff retry k of `backoff`, from minDelayTarget (k = 1) to maxDelayTarget (k = backoff).
  const double t = backoff <= 1 ? 1.0 : static_cast<double>(k - 1) / (backoff - 1);
  const double lo = p.min_delay_target;
  const double hi = p.max_delay_target;
  double seconds = hi;
  switch (p.backoff_function) {
    case BackoffFunction::kLinear:
      seconds = lo + (hi - lo) * t;
      break;
    case BackoffFunction::kArithmetic:
      // Steps growing by a constant amount: the delay is quadratic in the retry number.
      seconds = lo + (hi - lo) * t * t;
      break;
    case BackoffFunction::kGeometric:
      // A constant ratio between consecutive delays.
      seconds = lo * std::pow(hi / lo, t);
      break;
    case BackoffFunction::kExponential: {
      // Steps doubling from one retry to the next.
      const double steps = backoff <= 1 ? 1.0 : backoff - 1;
      seconds = lo + (hi - lo) * (std::exp2(steps * t) - 1.0) / (std::exp2(steps) - 1.0);
      break;
    }
  }
  int64_t ms = std::llround(seconds * 1000.0);
  return std::clamp(ms, min_ms, max_ms);
}

std::vector<int64_t> RetrySchedule(const HealthyRetryPolicy& p) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(std::max(p.num_retries, 0)));
  for (int n = 1; n <= p.num_retries; ++n) out.push_back(*RetryDelayMillis(p, n));
  return out;
}

}  // namespace vigil::notify
