// DeliveryPolicy parsing, SNS's defaults and limits, and golden retry schedules from the SNS
// developer guide (sns-message-delivery-retries.html: the default "three retries 20 seconds
// apart", the example policy, the customer-managed endpoint table row).
#include "vigil/notify/delivery_policy.h"

#include <gtest/gtest.h>

#include <numeric>

namespace vigil::notify {
namespace {

std::string ErrorOf(const Result<DeliveryPolicy>& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

TEST(DeliveryPolicyTest, EmptyMeansSnsDefaults) {
  auto p = ParseSubscriptionDeliveryPolicy("");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, DeliveryPolicy{});
  const HealthyRetryPolicy& r = p->healthy_retry_policy;
  EXPECT_EQ(r.min_delay_target, 20);
  EXPECT_EQ(r.max_delay_target, 20);
  EXPECT_EQ(r.num_retries, 3);
  EXPECT_EQ(r.backoff_function, BackoffFunction::kLinear);
  EXPECT_EQ(p->header_content_type, "text/plain; charset=UTF-8");
  EXPECT_EQ(p->max_receives_per_second, std::nullopt);
  // "up to three retries with a delay between failed attempts set at 20 seconds"
  EXPECT_EQ(RetrySchedule(r), (std::vector<int64_t>{20000, 20000, 20000}));
  EXPECT_TRUE(ParseSubscriptionDeliveryPolicy("{}").ok());
  EXPECT_EQ(*ParseTopicDeliveryPolicy("  "), DeliveryPolicy{});
}

constexpr char kDocExample[] = R"x({
  "healthyRetryPolicy": {
    "minDelayTarget": 1,
    "maxDelayTarget": 60,
    "numRetries": 50,
    "numNoDelayRetries": 3,
    "numMinDelayRetries": 2,
    "numMaxDelayRetries": 35,
    "backoffFunction": "exponential"
  },
  "throttlePolicy": {"maxReceivesPerSecond": 10},
  "requestPolicy": {"headerContentType": "application/json"}
})x";

TEST(DeliveryPolicyTest, DocumentedExampleParsesAndSchedulesInFourPhases) {
  auto p = ParseSubscriptionDeliveryPolicy(kDocExample);
  ASSERT_TRUE(p.ok()) << ErrorOf(p);
  EXPECT_EQ(p->max_receives_per_second, 10);
  EXPECT_EQ(p->header_content_type, "application/json");
  const HealthyRetryPolicy& r = p->healthy_retry_policy;
  EXPECT_EQ(r, (HealthyRetryPolicy{1, 60, 50, 3, 2, 35, BackoffFunction::kExponential}));
  std::vector<int64_t> expected = {0,    0,    0,  // immediate
                                   1000, 1000,     // pre-backoff
                                   1000, 1115, 1346,  1808,  2732,
                                   4579, 8274, 15663, 30442, 60000};  // backoff (10)
  expected.resize(50, 60000);                                         // post-backoff (35)
  EXPECT_EQ(RetrySchedule(r), expected);
  EXPECT_EQ(RetryDelayMillis(r, 1), 0);
  EXPECT_EQ(RetryDelayMillis(r, 4), 1000);
  EXPECT_EQ(RetryDelayMillis(r, 50), 60000);
  EXPECT_EQ(RetryDelayMillis(r, 0), std::nullopt);
  EXPECT_EQ(RetryDelayMillis(r, 51), std::nullopt);
}

TEST(DeliveryPolicyTest, CustomerManagedEndpointRowOfTheRetryTable) {
  // "0 times without delay; 2 times, 10 seconds apart; 10 times, exponential backoff from 10 to
  // 600 seconds; 38 times, 600 seconds apart; 50 attempts" (over SNS's HTTP limit, so only the
  // schedule function is exercised, not the parser).
  HealthyRetryPolicy r{10, 600, 50, 0, 2, 38, BackoffFunction::kExponential};
  std::vector<int64_t> expected = {10000,  10000,                                      //
                                   10000,  11155,  13464, 18082, 27319, 45793, 82740,  //
                                   156634, 304423, 600000};
  expected.resize(50, 600000);
  EXPECT_EQ(RetrySchedule(r), expected);
}

TEST(DeliveryPolicyTest, BackoffFunctionsRunFromMinToMaxWithDifferentCurves) {
  for (BackoffFunction f : {BackoffFunction::kLinear, BackoffFunction::kArithmetic,
                            BackoffFunction::kGeometric, BackoffFunction::kExponential}) {
    HealthyRetryPolicy r{1, 60, 11, 0, 0, 0, f};
    auto s = RetrySchedule(r);
    ASSERT_EQ(s.size(), 11u);
    EXPECT_EQ(s.front(), 1000) << BackoffFunctionName(f);
    EXPECT_EQ(s.back(), 60000) << BackoffFunctionName(f);
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end())) << BackoffFunctionName(f);
  }
  auto mid = [](BackoffFunction f) {
    return *RetryDelayMillis(HealthyRetryPolicy{1, 61, 11, 0, 0, 0, f}, 6);  // t = 0.5
  };
  EXPECT_EQ(mid(BackoffFunction::kLinear), 31000);
  EXPECT_EQ(mid(BackoffFunction::kArithmetic), 16000);  // 1 + 60 * 0.25
  EXPECT_EQ(mid(BackoffFunction::kGeometric), 7810);    // 61 ^ 0.5
  EXPECT_EQ(mid(BackoffFunction::kExponential), 2818);  // 1 + 60 * 31 / 1023
  // One backoff retry waits the maximum.
  EXPECT_EQ(RetrySchedule(HealthyRetryPolicy{5, 9, 1, 0, 0, 0, BackoffFunction::kLinear}),
            (std::vector<int64_t>{9000}));
  EXPECT_TRUE(
      RetrySchedule(HealthyRetryPolicy{5, 9, 0, 0, 0, 0, BackoffFunction::kLinear}).empty());
}

TEST(DeliveryPolicyTest, TopicFormAndItsRecordedErrorText) {
  auto p = ParseTopicDeliveryPolicy(
      R"x({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,)x"
      R"x("numRetries":6,"backoffFunction":"EXPONENTIAL"},"disableSubscriptionOverrides":true,)x"
      R"x("defaultThrottlePolicy":{"maxReceivesPerSecond":3},)x"
      R"x("defaultRequestPolicy":{"headerContentType":"text/plain"}}})x");
  ASSERT_TRUE(p.ok()) << ErrorOf(p);
  EXPECT_EQ(p->healthy_retry_policy,
            (HealthyRetryPolicy{5, 10, 6, 0, 0, 0, BackoffFunction::kExponential}));
  EXPECT_TRUE(p->disable_subscription_overrides);
  EXPECT_EQ(p->max_receives_per_second, 3);
  EXPECT_EQ(p->header_content_type, "text/plain");

  // The text AWS answered (recorded by the Ballerina SNS connector's tests).
  EXPECT_EQ(ErrorOf(ParseTopicDeliveryPolicy(
                R"x({"http":{"defaultHealthyRetryPolicy":{"numRetries":101}}})x")),
            "Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be "
            "less than or equal to 100");
  EXPECT_EQ(ErrorOf(ParseTopicDeliveryPolicy(R"x({"throttlePolicy":{}})x")),
            "Invalid parameter: DeliveryPolicy: Unexpected JSON member: throttlePolicy");
}

TEST(DeliveryPolicyTest, EffectivePolicyShapeIsAccepted) {
  // What GetSubscriptionAttributes' EffectiveDeliveryPolicy looks like, fed back as-is.
  auto p = ParseSubscriptionDeliveryPolicy(
      R"x({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,)x"
      R"x("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)x"
      R"x("backoffFunction":"linear"},"sicknessRetryPolicy":null,"throttlePolicy":null,)x"
      R"x("guaranteed":false})x");
  ASSERT_TRUE(p.ok()) << ErrorOf(p);
  EXPECT_EQ(*p, DeliveryPolicy{});
}

TEST(DeliveryPolicyTest, SerialisedPolicyParsesBackEqual) {
  auto p = ParseSubscriptionDeliveryPolicy(kDocExample);
  ASSERT_TRUE(p.ok());
  std::string text = SubscriptionPolicyJson(*p);
  EXPECT_EQ(text,
            R"x({"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,)x"
            R"x("numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,)x"
            R"x("backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10},)x"
            R"x("requestPolicy":{"headerContentType":"application/json"}})x");
  auto again = ParseSubscriptionDeliveryPolicy(text);
  ASSERT_TRUE(again.ok()) << ErrorOf(again);
  EXPECT_EQ(*again, *p);
  auto defaults = ParseSubscriptionDeliveryPolicy(SubscriptionPolicyJson(DeliveryPolicy{}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(*defaults, DeliveryPolicy{});
}

struct BadCase {
  const char* json;
  const char* message;  // after "Invalid parameter: DeliveryPolicy: "
};

TEST(DeliveryPolicyTest, ViolationsAnswerInvalidParameterTexts) {
  const BadCase cases[] = {
      {"not json", "Invalid JSON"},
      {"[1]", "Delivery policy must be a JSON object"},
      {R"x({"healthyRetryPolicy":{"numRetries":101}})x",
       "healthyRetryPolicy.numRetries must be less than or equal to 100"},
      {R"x({"healthyRetryPolicy":{"numRetries":-1}})x",
       "healthyRetryPolicy.numRetries must be greater than or equal to 0"},
      {R"x({"healthyRetryPolicy":{"minDelayTarget":0}})x",
       "healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"},
      {R"x({"healthyRetryPolicy":{"maxDelayTarget":3601}})x",
       "healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600"},
      {R"x({"healthyRetryPolicy":{"minDelayTarget":30}})x",
       "healthyRetryPolicy.minDelayTarget must be less than or equal to 20"},
      {R"x({"healthyRetryPolicy":{"numRetries":3,"numNoDelayRetries":2,"numMaxDelayRetries":2}})x",
       "healthyRetryPolicy.numRetries must be greater than or equal to 4"},
      {R"x({"healthyRetryPolicy":{"numMinDelayRetries":-2}})x",
       "healthyRetryPolicy.numMinDelayRetries must be greater than or equal to 0"},
      {R"x({"healthyRetryPolicy":{"numRetries":2.5}})x",
       "healthyRetryPolicy.numRetries must be an integer"},
      {R"x({"healthyRetryPolicy":{"numRetries":"3"}})x",
       "healthyRetryPolicy.numRetries must be an integer"},
      {R"x({"healthyRetryPolicy":{"numRetries":99999999999999999999}})x",
       "healthyRetryPolicy.numRetries must be an integer"},
      {R"x({"healthyRetryPolicy":{"numRetries":18446744073709551615}})x",
       "healthyRetryPolicy.numRetries must be less than or equal to 100"},
      {R"x({"healthyRetryPolicy":{"backoffFunction":"cubic"}})x",
       "healthyRetryPolicy.backoffFunction must be one of linear, arithmetic, geometric, "
       "exponential"},
      {R"x({"healthyRetryPolicy":{"minDelayTarget":3600,"maxDelayTarget":3600,"numRetries":2}})x",
       "healthyRetryPolicy total retry time must be less than or equal to 3600 seconds"},
      {R"x({"healthyRetryPolicy":{"numretries":3}})x", "Unexpected JSON member: numretries"},
      {R"x({"healthyRetryPolicy":7})x", "healthyRetryPolicy must be a JSON object"},
      {R"x({"throttlePolicy":{"maxReceivesPerSecond":0}})x",
       "throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1"},
      {R"x({"requestPolicy":{"headerContentType":"text/html"}})x",
       "requestPolicy.headerContentType must be one of text/plain, application/json, "
       "application/xml"},
      {R"x({"http":{}})x", "Unexpected JSON member: http"},
  };
  for (const BadCase& c : cases) {
    auto r = ParseSubscriptionDeliveryPolicy(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(r.error().message, std::string("Invalid parameter: DeliveryPolicy: ") + c.message)
        << c.json;
  }
  // Exactly at the limit is fine: one retry of 3600 s.
  EXPECT_TRUE(ParseSubscriptionDeliveryPolicy(
                  R"x({"healthyRetryPolicy":{"minDelayTarget":3600,"maxDelayTarget":3600,)x"
                  R"x("numRetries":1}})x")
                  .ok());
  EXPECT_EQ(
      ErrorOf(ParseTopicDeliveryPolicy(R"x({"http":{"disableSubscriptionOverrides":"yes"}})x")),
      "Invalid parameter: DeliveryPolicy: http.disableSubscriptionOverrides must be a "
      "boolean");
}

}  // namespace
}  // namespace vigil::notify
