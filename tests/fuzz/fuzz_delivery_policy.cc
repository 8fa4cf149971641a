// Fuzzes the SNS DeliveryPolicy parser (target fuzz_delivery_policy).
//
// Whatever parses (subscription or topic form) must respect SNS's limits, give a schedule of
// numRetries delays within [0, maxDelayTarget] whose total is at most 3600 s and whose phases are
// in order, and serialise to the subscription form that parses back to the same policy. Whatever
// fails must fail with an `Invalid parameter: DeliveryPolicy...` InvalidParameterValue.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vigil/notify/delivery_policy.h"

namespace vigil::notify {
namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckPolicy(const DeliveryPolicy& p) {
  const HealthyRetryPolicy& r = p.healthy_retry_policy;
  Check(r.min_delay_target >= 1 && r.min_delay_target <= r.max_delay_target);
  Check(r.max_delay_target <= kMaxRetryDelaySeconds);
  Check(r.num_retries >= 0 && r.num_retries <= kMaxNumRetries);
  Check(r.num_no_delay_retries >= 0 && r.num_min_delay_retries >= 0 &&
        r.num_max_delay_retries >= 0);
  Check(int64_t{r.num_no_delay_retries} + r.num_min_delay_retries + r.num_max_delay_retries <=
        r.num_retries);
  Check(!p.max_receives_per_second || *p.max_receives_per_second >= 1);

  auto schedule = RetrySchedule(r);
  Check(schedule.size() == static_cast<size_t>(r.num_retries));
  int64_t total = 0;
  for (size_t i = 0; i < schedule.size(); ++i) {
    const int64_t d = schedule[i];
    Check(d >= 0 && d <= int64_t{r.max_delay_target} * 1000);
    const int n = static_cast<int>(i) + 1;
    if (n <= r.num_no_delay_retries) {
      Check(d == 0);
    } else {
      Check(d >= int64_t{r.min_delay_target} * 1000);
      if (i > 0) Check(d >= schedule[i - 1]);  // never shorter than the previous retry
    }
    if (n > r.num_retries - r.num_max_delay_retries) Check(d == int64_t{r.max_delay_target} * 1000);
    Check(RetryDelayMillis(r, n) == d);
    total += d;
  }
  Check(total <= int64_t{kMaxRetryDelaySeconds} * 1000);
  Check(!RetryDelayMillis(r, 0) && !RetryDelayMillis(r, r.num_retries + 1));

  DeliveryPolicy expected = p;
  expected.disable_subscription_overrides = false;  // not part of the subscription form
  auto again = ParseSubscriptionDeliveryPolicy(SubscriptionPolicyJson(p));
  Check(again.ok() && *again == expected);
}

void CheckError(const ApiError& e) {
  Check(e.code == ErrorCode::kInvalidParameterValue);
  Check(e.message.rfind("Invalid parameter: DeliveryPolicy", 0) == 0);
}

}  // namespace
}  // namespace vigil::notify

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::notify;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto parse : {ParseSubscriptionDeliveryPolicy, ParseTopicDeliveryPolicy}) {
    auto p = parse(text);
    if (p.ok()) {
      CheckPolicy(*p);
    } else {
      CheckError(p.error());
    }
  }
  return 0;
}
