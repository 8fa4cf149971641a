// SNS HTTP/S DeliveryPolicy: parsing, SNS's defaults and limits, and the retry schedule.
//
// Two JSON forms (docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html):
//   subscription: {"healthyRetryPolicy":{...},"throttlePolicy":{...},"requestPolicy":{...}}
//   topic:        {"http":{"defaultHealthyRetryPolicy":{...},"defaultThrottlePolicy":{...},
//                          "defaultRequestPolicy":{...},"disableSubscriptionOverrides":false}}
// Defaults: minDelayTarget 20, maxDelayTarget 20, numRetries 3, the phase counts 0, backoff
// linear, no throttling, content type `text/plain; charset=UTF-8` ("up to three retries ... 20
// seconds" apart). Limits: 1 <= minDelayTarget <= maxDelayTarget <= 3600, 0 <= numRetries <= 100,
// phase counts >= 0 summing to at most numRetries, whole retry schedule <= 3600 s,
// maxReceivesPerSecond >= 1. Errors carry SNS's text, `Invalid parameter: DeliveryPolicy: <path>
// must be ...`; the SNS API answers them as `InvalidParameter`.
//
// Schedule: after the first attempt fails, retry n (1-based) waits
//   n <= numNoDelayRetries                        0
//   next numMinDelayRetries                       minDelayTarget
//   next B = numRetries - the three phase counts  backoff from minDelayTarget to maxDelayTarget
//   last numMaxDelayRetries                       maxDelayTarget
// The backoff curves are vigil's reading of SNS's graph (docs/notifications.md); SNS adds jitter,
// vigil's schedule is deterministic (the delivery loop may add jitter on top). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"

namespace vigil::notify {

enum class BackoffFunction : uint8_t { kLinear, kArithmetic, kGeometric, kExponential };
std::string_view BackoffFunctionName(BackoffFunction f);  // "linear", ...

struct HealthyRetryPolicy {
  int min_delay_target = 20;  // seconds
  int max_delay_target = 20;
  int num_retries = 3;
  int num_no_delay_retries = 0;
  int num_min_delay_retries = 0;
  int num_max_delay_retries = 0;
  BackoffFunction backoff_function = BackoffFunction::kLinear;

  bool operator==(const HealthyRetryPolicy&) const = default;
};

inline constexpr std::string_view kDefaultContentType = "text/plain; charset=UTF-8";
inline constexpr int kMaxRetryDelaySeconds = 3600;
inline constexpr int kMaxNumRetries = 100;

struct DeliveryPolicy {
  HealthyRetryPolicy healthy_retry_policy;
  std::optional<int> max_receives_per_second;  // throttlePolicy; nullopt = no throttling
  std::string header_content_type{kDefaultContentType};
  bool disable_subscription_overrides = false;  // topic form only

  bool operator==(const DeliveryPolicy&) const = default;
};

// An empty string means "no policy": the defaults.
Result<DeliveryPolicy> ParseSubscriptionDeliveryPolicy(std::string_view text);
Result<DeliveryPolicy> ParseTopicDeliveryPolicy(std::string_view text);

// The subscription form with every field spelled out (EffectiveDeliveryPolicy); parses back to an
// equal policy.
std::string SubscriptionPolicyJson(const DeliveryPolicy& policy);

// Milliseconds to wait before retry `n` (1-based); nullopt when n is outside 1..numRetries.
std::optional<int64_t> RetryDelayMillis(const HealthyRetryPolicy& policy, int n);

// The delays of retries 1..numRetries, in milliseconds.
std::vector<int64_t> RetrySchedule(const HealthyRetryPolicy& policy);

}  // namespace vigil::notify
