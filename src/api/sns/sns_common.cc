#include "api/sns/sns_common.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "vigil/common/base64.h"
#include "vigil/notify/delivery_policy.h"

namespace vigil::api::sns_ops {
namespace {

using nlohmann::ordered_json;

bool IsJsonObject(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_object();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsBoolText(std::string_view v) {
  std::string l = Lower(v);
  return l == "true" || l == "false";
}

bool IsSampleRate(std::string_view v) {
  if (v.empty() || v.size() > 3) return false;
  if (!std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::stoi(std::string(v)) <= 100;
}

bool IsHttp(std::string_view protocol) { return protocol == "http" || protocol == "https"; }

// The default access policy SNS gives a new topic.
std::string DefaultPolicy(const notify::Topic& t) {
  ordered_json statement = {{"Sid", "__default_statement_ID"},
                            {"Effect", "Allow"},
                            {"Principal", {{"AWS", "*"}}},
                            {"Action",
                             {"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                              "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                              "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
                            {"Resource", t.arn},
                            {"Condition", {{"StringEquals", {{"AWS:SourceOwner", t.account}}}}}};
  ordered_json policy = {{"Version", "2008-10-17"},
                         {"Id", "__default_policy_ID"},
                         {"Statement", ordered_json::array({statement})}};
  return policy.dump();
}

// The topic's delivery policy with defaults filled in (the topic form SNS answers).
std::string TopicEffectivePolicy(const notify::DeliveryPolicy& p) {
  const notify::HealthyRetryPolicy& r = p.healthy_retry_policy;
  ordered_json retry = {{"minDelayTarget", r.min_delay_target},
                        {"maxDelayTarget", r.max_delay_target},
                        {"numRetries", r.num_retries},
                        {"numMaxDelayRetries", r.num_max_delay_retries},
                        {"numNoDelayRetries", r.num_no_delay_retries},
                        {"numMinDelayRetries", r.num_min_delay_retries},
                        {"backoffFunction", notify::BackoffFunctionName(r.backoff_function)}};
  ordered_json http = {{"defaultHealthyRetryPolicy", retry}};
  if (p.max_receives_per_second) {
    http["defaultThrottlePolicy"] = {{"maxReceivesPerSecond", *p.max_receives_per_second}};
  }
  http["disableSubscriptionOverrides"] = p.disable_subscription_overrides;
  http["defaultRequestPolicy"] = {{"headerContentType", p.header_content_type}};
  return ordered_json{{"http", http}}.dump();
}

notify::DeliveryPolicy TopicPolicyOf(const notify::Topic* t) {
  if (t != nullptr) {
    auto it = t->attributes.find("DeliveryPolicy");
    if (it != t->attributes.end()) {
      auto parsed = notify::ParseTopicDeliveryPolicy(it->second);
      if (parsed.ok()) return *parsed;
    }
  }
  return notify::DeliveryPolicy{};
}

std::string_view Between(std::string_view s, std::string_view before, std::string_view after) {
  size_t a = s.find(before);
  if (a == std::string_view::npos) return {};
  a += before.size();
  size_t b = s.find(after, a);
  if (b == std::string_view::npos) return {};
  return s.substr(a, b - a);
}

}  // namespace

Result<notify::SnsTopics*> TopicsOf(const RequestContext& ctx) {
  if (ctx.services->sns_topics == nullptr) {
    return MakeError(ErrorCode::kInternalError,
                     "vigil runs without its SNS topic registry; the SNS API is unavailable.");
  }
  return ctx.services->sns_topics;
}

Result<notify::MessageSink*> SinkOf(const RequestContext& ctx) {
  if (ctx.services->sns_sink == nullptr) {
    return MakeError(ErrorCode::kInternalError,
                     "vigil runs without SNS delivery (no message sink); Publish and "
                     "subscription confirmations are unavailable.");
  }
  return ctx.services->sns_sink;
}

ApiError InvalidParameter(std::string_view what) {
  return MakeError(ErrorCode::kInvalidParameter, "Invalid parameter: " + std::string(what));
}

Status CheckTopicArn(const RequestContext& ctx, std::string_view arn, std::string_view param,
                     std::string_view action) {
  auto parts = notify::ParseTopicArn(arn);
  if (!parts || parts->region != ctx.region) return InvalidParameter(param);
  if (parts->account != ctx.account) {
    return MakeError(ErrorCode::kAuthorizationError, "User: arn:aws:iam::" + ctx.account +
                                                         ":root is not authorized to perform: "
                                                         "SNS:" +
                                                         std::string(action) +
                                                         " on resource: " + std::string(arn));
  }
  return OkStatus();
}

Result<notify::Topic> ExistingTopic(const RequestContext& ctx, std::string_view arn,
                                    std::string_view action) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  RETURN_IF_ERROR(CheckTopicArn(ctx, arn, "TopicArn", action));
  auto topic = topics->FindTopic(arn);
  if (!topic) return MakeError(ErrorCode::kNotFound, "Topic does not exist");
  return *topic;
}

Status ValidateTopicAttribute(std::string_view name, std::string_view value) {
  if (name == "DisplayName") {
    if (value.size() > 100) return InvalidParameter("DisplayName");
  } else if (name == "Policy") {
    if (!value.empty() && !IsJsonObject(value)) {
      return InvalidParameter("Policy Error: the policy is not a JSON object");
    }
  } else if (name == "DeliveryPolicy") {
    auto parsed = notify::ParseTopicDeliveryPolicy(value);
    if (!parsed.ok()) return MakeError(ErrorCode::kInvalidParameter, parsed.error().message);
  } else if (name == "SignatureVersion") {
    if (value != "1" && value != "2") return InvalidParameter("SignatureVersion");
  } else if (name == "TracingConfig") {
    if (value != "PassThrough" && value != "Active") return InvalidParameter("TracingConfig");
  } else if (name == "FifoTopic" || name == "ContentBasedDeduplication") {
    if (!IsBoolText(value)) return InvalidParameter(name);
    if (Lower(value) == "true") {
      return InvalidParameter(std::string(name) + " Reason: vigil does not support FIFO topics");
    }
  } else if (name == "HTTPSuccessFeedbackSampleRate" || name == "LambdaSuccessFeedbackSampleRate") {
    if (!IsSampleRate(value)) return InvalidParameter(name);
  } else if (name == "KmsMasterKeyId" || name == "HTTPSuccessFeedbackRoleArn" ||
             name == "HTTPFailureFeedbackRoleArn" || name == "LambdaSuccessFeedbackRoleArn" ||
             name == "LambdaFailureFeedbackRoleArn") {
    // Stored as given: vigil neither encrypts nor logs delivery status to CloudWatch Logs.
  } else {
    return InvalidParameter("AttributeName");
  }
  return OkStatus();
}

Status ValidateSubscriptionAttribute(std::string_view protocol, std::string_view name,
                                     std::string_view value) {
  if (name == "RawMessageDelivery") {
    if (!IsBoolText(value)) {
      return InvalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [" +
                              std::string(value) + "]. Must be true or false.");
    }
    if (!IsHttp(protocol)) {
      return InvalidParameter("Attributes Reason: Delivery protocol [" + std::string(protocol) +
                              "] does not support raw message delivery.");
    }
  } else if (name == "DeliveryPolicy") {
    if (!IsHttp(protocol)) {
      return InvalidParameter("DeliveryPolicy: Delivery protocol [" + std::string(protocol) +
                              "] does not support delivery policies.");
    }
    auto parsed = notify::ParseSubscriptionDeliveryPolicy(value);
    if (!parsed.ok()) return MakeError(ErrorCode::kInvalidParameter, parsed.error().message);
  } else if (name == "FilterPolicy") {
    if (!value.empty() && !IsJsonObject(value)) {
      return InvalidParameter("FilterPolicy: failed to parse JSON.");
    }
  } else if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody") {
      return InvalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [" +
                              std::string(value) +
                              "]. Please use either MessageBody or MessageAttributes");
    }
  } else if (name == "RedrivePolicy") {
    if (!value.empty() && !IsJsonObject(value)) {
      return InvalidParameter("RedrivePolicy: failed to parse JSON.");
    }
  } else if (name == "SubscriptionRoleArn") {
    // Stored as given (Firehose only in SNS).
  } else {
    return InvalidParameter("AttributeName");
  }
  return OkStatus();
}

std::map<std::string, std::string> TopicAttributes(const notify::Topic& topic,
                                                   const notify::TopicCounts& counts) {
  std::map<std::string, std::string> a = topic.attributes;
  a["TopicArn"] = topic.arn;
  a["Owner"] = topic.account;
  if (!a.contains("Policy")) a["Policy"] = DefaultPolicy(topic);
  if (!a.contains("DisplayName")) a["DisplayName"] = "";
  a["SubscriptionsPending"] = std::to_string(counts.pending);
  a["SubscriptionsConfirmed"] = std::to_string(counts.confirmed);
  a["SubscriptionsDeleted"] = std::to_string(counts.deleted);
  a["EffectiveDeliveryPolicy"] = TopicEffectivePolicy(TopicPolicyOf(&topic));
  return a;
}

std::map<std::string, std::string> SubscriptionAttributes(const notify::Subscription& sub,
                                                          const notify::Topic* topic,
                                                          bool confirmation_authenticated) {
  std::map<std::string, std::string> a = sub.attributes;
  a["SubscriptionArn"] = sub.arn;
  a["TopicArn"] = sub.topic_arn;
  a["Owner"] = sub.owner;
  a["Protocol"] = sub.protocol;
  a["Endpoint"] = sub.endpoint;
  a["PendingConfirmation"] = sub.confirmed ? "false" : "true";
  a["ConfirmationWasAuthenticated"] = confirmation_authenticated ? "true" : "false";
  a["RawMessageDelivery"] = sub.raw_message_delivery ? "true" : "false";
  if (a.contains("FilterPolicy") && !a.contains("FilterPolicyScope")) {
    a["FilterPolicyScope"] = "MessageAttributes";
  }
  if (IsHttp(sub.protocol)) {
    notify::DeliveryPolicy effective = TopicPolicyOf(topic);
    if (sub.delivery_policy) {
      a["DeliveryPolicy"] = *sub.delivery_policy;
      if (!effective.disable_subscription_overrides) {
        auto parsed = notify::ParseSubscriptionDeliveryPolicy(*sub.delivery_policy);
        if (parsed.ok()) effective = *parsed;
      }
    }
    a["EffectiveDeliveryPolicy"] = notify::SubscriptionPolicyJson(effective);
  }
  return a;
}

std::string PageToken(std::string_view next_arn) { return Base64Encode(next_arn); }

Result<std::string> DecodePageToken(std::string_view token) {
  auto decoded = Base64Decode(token);
  if (!decoded || !decoded->starts_with("arn:")) return InvalidParameter("NextToken");
  return *decoded;
}

ApiError ToSnsDecodeError(ApiError e) {
  if (e.code == ErrorCode::kMissingParameter) {
    std::string_view name = Between(e.message, "The parameter ", " is required.");
    return InvalidParameter(name.empty() ? std::string_view("request") : name);
  }
  if (e.code == ErrorCode::kInvalidParameterValue) {
    std::string_view name = Between(e.message, " for parameter ", " is invalid.");
    return InvalidParameter(name.empty() ? std::string_view(e.message) : name);
  }
  return e;
}

}  // namespace vigil::api::sns_ops
