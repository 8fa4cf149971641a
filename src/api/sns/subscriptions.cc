// Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions, ListSubscriptionsByTopic,
// GetSubscriptionAttributes, SetSubscriptionAttributes.
//
// ConfirmSubscription and Unsubscribe also arrive unsigned, as a GET on SubscribeURL /
// UnsubscribeURL from the receiver: the token or the subscription ARN is the capability, so they
// act on the ARN they name whatever the caller's account and region.
#include <algorithm>
#include <cctype>

#include "api/sns/sns_common.h"
#include "api/sns/sns_operations.h"

namespace vigil::api::sns_ops {
namespace {

constexpr std::string_view kPendingSubscribe = "pending confirmation";  // Subscribe's answer
constexpr std::string_view kPendingList = "PendingConfirmation";        // the List* answers

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
bool IsLambdaArn(std::string_view arn) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t p = arn.find(':');
    parts.push_back(arn.substr(0, p));
    if (p == std::string_view::npos) break;
    arn.remove_prefix(p + 1);
  }
  if (parts.size() != 7 && parts.size() != 8) return false;
  return parts[0] == "arn" && !parts[1].empty() && parts[2] == "lambda" && !parts[3].empty() &&
         !parts[4].empty() && parts[5] == "function" && !parts[6].empty() &&
         (parts.size() == 7 || !parts[7].empty());
}

Status CheckEndpoint(std::string_view protocol, const std::optional<std::string>& endpoint) {
  if (!endpoint || endpoint->empty()) return InvalidParameter("Endpoint");
  if (protocol == "lambda") {
    if (!IsLambdaArn(*endpoint)) return InvalidParameter("Lambda endpoint ARN");
    return OkStatus();
  }
  std::string scheme = std::string(protocol) + "://";
  if (!StartsWithIgnoreCase(*endpoint, scheme)) {
    return InvalidParameter("Endpoint must match the specified protocol");
  }
  std::string_view rest = std::string_view(*endpoint).substr(scheme.size());
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.find_first_of(" \t\r\n") != std::string_view::npos) {
    return InvalidParameter("Endpoint");
  }
  return OkStatus();
}

Status CheckProtocol(std::string_view protocol) {
  if (protocol == "http" || protocol == "https" || protocol == "lambda") return OkStatus();
  for (std::string_view known : {"email", "email-json", "sms", "sqs", "application", "firehose"}) {
    if (protocol == known) {
      return InvalidParameter(
          "Protocol Reason: vigil delivers to http, https and lambda "
          "endpoints only, not " +
          std::string(protocol));
    }
  }
  return InvalidParameter("Amazon SNS does not support this protocol string: " +
                          std::string(protocol));
}

// Lower-cases RawMessageDelivery so the registry stores "true"/"false".
std::string Normalised(std::string_view name, std::string_view value) {
  std::string v(value);
  if (name == "RawMessageDelivery") {
    for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return v;
}

// The subscription ARN's topic, checked like a topic ARN of the caller.
Result<std::string> SubscriptionTopic(const RequestContext& ctx, std::string_view arn,
                                      std::string_view action) {
  auto topic_arn = notify::TopicArnOfSubscription(arn);
  if (!topic_arn) return InvalidParameter("SubscriptionArn");
  RETURN_IF_ERROR(CheckTopicArn(ctx, *topic_arn, "SubscriptionArn", action));
  return *topic_arn;
}

sns::Subscription ToWire(const notify::Subscription& s) {
  sns::Subscription w;
  w.subscription_arn = s.confirmed ? s.arn : std::string(kPendingList);
  w.owner = s.owner;
  w.protocol = s.protocol;
  w.endpoint = s.endpoint;
  w.topic_arn = s.topic_arn;
  return w;
}

Status Page(const std::vector<notify::Subscription>& all,
            const std::optional<std::string>& next_token,
            std::optional<std::vector<sns::Subscription>>& page, std::optional<std::string>& next) {
  std::string start;
  if (next_token && !next_token->empty()) {
    ASSIGN_OR_RETURN(start, DecodePageToken(*next_token));
  }
  auto it = std::lower_bound(
      all.begin(), all.end(), start,
      [](const notify::Subscription& s, const std::string& v) { return s.arn < v; });
  page.emplace();
  for (; it != all.end() && page->size() < kSubscriptionsPerPage; ++it) {
    page->push_back(ToWire(*it));
  }
  if (it != all.end()) next = PageToken(it->arn);
  return OkStatus();
}

}  // namespace

Status Subscribe(RequestContext& ctx, const sns::SubscribeInput& in, sns::SubscribeResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  RETURN_IF_ERROR(CheckTopicArn(ctx, in.topic_arn, "TopicArn", "Subscribe"));
  RETURN_IF_ERROR(CheckProtocol(in.protocol));
  RETURN_IF_ERROR(CheckEndpoint(in.protocol, in.endpoint));
  std::map<std::string, std::string> attributes;
  if (in.attributes) {
    for (const auto& [name, value] : *in.attributes) {
      RETURN_IF_ERROR(ValidateSubscriptionAttribute(in.protocol, name, value));
      attributes[name] = Normalised(name, value);
    }
  }
  if (!topics->TopicExists(in.topic_arn)) {
    return MakeError(ErrorCode::kNotFound, "Topic does not exist");
  }
  bool http = in.protocol == "http" || in.protocol == "https";
  notify::MessageSink* sink = nullptr;
  if (http && !topics->options().auto_confirm) {
    ASSIGN_OR_RETURN(sink, SinkOf(ctx));
  }
  ASSIGN_OR_RETURN(auto result, topics->Subscribe(in.topic_arn, ctx.account, in.protocol,
                                                  *in.endpoint, attributes));
  const notify::Subscription& sub = result.subscription;
  if (!sub.confirmed && sink != nullptr) {
    // A repeated Subscribe of a pending endpoint sends the confirmation again, as SNS does.
    Status sent = sink->RequestConfirmation(sub, ctx.now);
    if (!sent.ok()) {
      if (result.created) (void)topics->Unsubscribe(sub.arn);  // its error is the one to report
      return sent;
    }
  }
  out.subscription_arn = sub.confirmed || in.return_subscription_arn.value_or(false)
                             ? sub.arn
                             : std::string(kPendingSubscribe);
  return OkStatus();
}

Status ConfirmSubscription(RequestContext& ctx, const sns::ConfirmSubscriptionInput& in,
                           sns::ConfirmSubscriptionResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  if (!notify::ParseTopicArn(in.topic_arn)) return InvalidParameter("TopicArn");
  bool authenticated = in.authenticate_on_unsubscribe.value_or("") == "true";
  ASSIGN_OR_RETURN(notify::Subscription sub,
                   topics->ConfirmSubscription(in.topic_arn, in.token, authenticated));
  out.subscription_arn = sub.arn;
  return OkStatus();
}

Status Unsubscribe(RequestContext& ctx, const sns::UnsubscribeInput& in) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  if (!notify::TopicArnOfSubscription(in.subscription_arn)) {
    return InvalidParameter("SubscriptionArn");
  }
  return topics->Unsubscribe(in.subscription_arn);
}

Status ListSubscriptions(RequestContext& ctx, const sns::ListSubscriptionsInput& in,
                         sns::ListSubscriptionsResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  return Page(topics->ListSubscriptions(ctx.account, ctx.region), in.next_token, out.subscriptions,
              out.next_token);
}

Status ListSubscriptionsByTopic(RequestContext& ctx, const sns::ListSubscriptionsByTopicInput& in,
                                sns::ListSubscriptionsByTopicResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  ASSIGN_OR_RETURN(notify::Topic topic,
                   ExistingTopic(ctx, in.topic_arn, "ListSubscriptionsByTopic"));
  return Page(topics->SubscriptionsOf(topic.arn), in.next_token, out.subscriptions, out.next_token);
}

Status GetSubscriptionAttributes(RequestContext& ctx, const sns::GetSubscriptionAttributesInput& in,
                                 sns::GetSubscriptionAttributesResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  ASSIGN_OR_RETURN(std::string topic_arn,
                   SubscriptionTopic(ctx, in.subscription_arn, "GetSubscriptionAttributes"));
  auto sub = topics->FindSubscription(in.subscription_arn);
  if (!sub) return MakeError(ErrorCode::kNotFound, "Subscription does not exist");
  auto topic = topics->FindTopic(topic_arn);
  out.attributes = SubscriptionAttributes(*sub, topic ? &*topic : nullptr,
                                          topics->ConfirmationWasAuthenticated(sub->arn));
  return OkStatus();
}

Status SetSubscriptionAttributes(RequestContext& ctx,
                                 const sns::SetSubscriptionAttributesInput& in) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  RETURN_IF_ERROR(SubscriptionTopic(ctx, in.subscription_arn, "SetSubscriptionAttributes"));
  auto sub = topics->FindSubscription(in.subscription_arn);
  if (!sub) return MakeError(ErrorCode::kNotFound, "Subscription does not exist");
  std::string value = in.attribute_value.value_or("");
  RETURN_IF_ERROR(ValidateSubscriptionAttribute(sub->protocol, in.attribute_name, value));
  return topics->SetSubscriptionAttribute(sub->arn, in.attribute_name,
                                          Normalised(in.attribute_name, value));
}

}  // namespace vigil::api::sns_ops
