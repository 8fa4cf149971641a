// Publish: validates the message as SNS does and hands it to the MessageSink (delivery), which
// records it durably and assigns the MessageId.
//
// MessageStructure=json: the message must be a JSON object of strings with a "default" key. The
// sink takes one message per publication, so vigil sends every subscriber the "http" value, else
// the "https" value, else "default" (docs/sns-api.md "Decisions").
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "api/sns/sns_common.h"
#include "api/sns/sns_operations.h"
#include "vigil/common/base64.h"

namespace vigil::api::sns_ops {
namespace {

constexpr size_t kMaxMessageBytes = 256 * 1024;  // message + attributes
constexpr size_t kMaxSubjectChars = 100;
constexpr size_t kMaxMessageAttributes = 10;
constexpr size_t kMaxAttributeNameChars = 256;

ApiError ValueInvalid(std::string message) {
  return MakeError(ErrorCode::kParameterValueInvalid, std::move(message));
}

// 1-100 printable ASCII characters; no line breaks or other control characters.
bool ValidSubject(std::string_view s) {
  if (s.empty() || s.size() > kMaxSubjectChars) return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

bool ValidAttributeName(std::string_view n) {
  if (n.empty() || n.size() > kMaxAttributeNameChars) return false;
  if (n.front() == '.' || n.back() == '.' || n.find("..") != std::string_view::npos) return false;
  if (StartsWithIgnoreCase(n, "AWS.") || StartsWithIgnoreCase(n, "Amazon.")) return false;
  for (char c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

bool HasTypePrefix(std::string_view type, std::string_view base) {
  return type == base ||
         (type.starts_with(base) && type.size() > base.size() + 1 && type[base.size()] == '.');
}

bool IsNumber(std::string_view v) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  return ec == std::errc() && end == v.data() + v.size();
}

Result<notify::MessageAttribute> ToAttribute(const std::string& name,
                                             const sns::MessageAttributeValue& v) {
  if (!ValidAttributeName(name)) {
    return ValueInvalid("The message attribute name '" + name + "' is invalid.");
  }
  const std::string& type = v.data_type;
  auto empty_value = [&](std::string_view base) {
    return ValueInvalid("The message attribute '" + name +
                        "' must contain non-empty message attribute value for message "
                        "attribute type '" +
                        std::string(base) + "'.");
  };
  notify::MessageAttribute a{name, type, ""};
  if (HasTypePrefix(type, "Binary")) {
    if (!v.binary_value || v.binary_value->empty()) return empty_value("Binary");
    a.value = Base64Encode(*v.binary_value);
    return a;
  }
  bool is_string = HasTypePrefix(type, "String");
  bool is_number = HasTypePrefix(type, "Number");
  if (!is_string && !is_number) {
    return ValueInvalid("The message attribute '" + name +
                        "' has an invalid message attribute type, the set of supported type "
                        "prefixes is Binary, Number, and String.");
  }
  if (!v.string_value || v.string_value->empty()) {
    return empty_value(is_number ? "Number" : "String");
  }
  a.value = *v.string_value;
  if (is_number && !IsNumber(a.value)) {
    return ValueInvalid("Could not cast message attribute '" + name + "' value to number.");
  }
  if (type == "String.Array") {
    auto j = nlohmann::json::parse(a.value, nullptr, false);
    bool ok = j.is_array();
    if (ok) {
      for (const auto& e : j)
        ok = ok && (e.is_string() || e.is_number() || e.is_boolean() || e.is_null());
    }
    if (!ok) {
      return ValueInvalid("The message attribute '" + name +
                          "' has an invalid value for type 'String.Array': it must be a JSON "
                          "array of strings, numbers, booleans or nulls.");
    }
  }
  return a;
}

// The message sent for MessageStructure=json.
Result<std::string> StructuredMessage(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return InvalidParameter("Message Structure - JSON message body failed to parse");
  }
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) {
      return InvalidParameter("Message Structure - JSON message body failed to parse");
    }
  }
  if (!j.contains("default")) {
    return InvalidParameter("Message Structure - No default entry in JSON message body");
  }
  for (const char* key : {"http", "https", "default"}) {
    if (j.contains(key)) return j[key].get<std::string>();
  }
  return InvalidParameter("Message Structure - No default entry in JSON message body");
}

}  // namespace

Status Publish(RequestContext& ctx, const sns::PublishInput& in, sns::PublishResponse& out) {
  ASSIGN_OR_RETURN(notify::SnsTopics * topics, TopicsOf(ctx));
  if (in.phone_number) {
    return InvalidParameter("PhoneNumber Reason: vigil publishes to topics only, not SMS");
  }
  if (in.topic_arn && in.target_arn) {
    return InvalidParameter(
        "TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn "
        "may be given");
  }
  if (!in.topic_arn && !in.target_arn) {
    return InvalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
  }
  const std::string& arn = in.topic_arn ? *in.topic_arn : *in.target_arn;
  RETURN_IF_ERROR(CheckTopicArn(ctx, arn, in.topic_arn ? "TopicArn" : "TargetArn", "Publish"));
  if (in.message.empty()) return InvalidParameter("Empty message");
  if (in.subject && !ValidSubject(*in.subject)) return InvalidParameter("Subject");
  if (in.message_deduplication_id) {
    return InvalidParameter(
        "MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic "
        "type");
  }

  notify::Publication p;
  size_t bytes = in.message.size();
  if (in.message_attributes) {
    if (in.message_attributes->size() > kMaxMessageAttributes) {
      return ValueInvalid(
          "Number of message attributes [" + std::to_string(in.message_attributes->size()) +
          "] exceeds the allowed maximum [" + std::to_string(kMaxMessageAttributes) + "].");
    }
    for (const auto& [name, value] : *in.message_attributes) {
      ASSIGN_OR_RETURN(notify::MessageAttribute a, ToAttribute(name, value));
      bytes += a.name.size() + a.type.size() +
               (value.binary_value ? value.binary_value->size() : a.value.size());
      p.attributes.push_back(std::move(a));
    }
  }
  if (bytes > kMaxMessageBytes) return InvalidParameter("Message too long");

  if (in.message_structure) {
    if (*in.message_structure != "json") return InvalidParameter("MessageStructure");
    ASSIGN_OR_RETURN(p.message, StructuredMessage(in.message));
  } else {
    p.message = in.message;
  }
  if (!topics->TopicExists(arn)) {
    return MakeError(ErrorCode::kNotFound, "Topic does not exist");
  }
  ASSIGN_OR_RETURN(notify::MessageSink * sink, SinkOf(ctx));
  auto parts = notify::ParseTopicArn(arn);
  p.account = parts->account;
  p.region = parts->region;
  p.topic_arn = arn;
  p.subject = in.subject;
  p.timestamp = ctx.now;
  ASSIGN_OR_RETURN(std::string message_id, sink->Publish(std::move(p)));
  out.message_id = std::move(message_id);
  return OkStatus();
}

}  // namespace vigil::api::sns_ops
