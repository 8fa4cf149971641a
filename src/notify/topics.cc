#include "vigil/notify/topics.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "vigil/common/logging.h"

namespace vigil::notify {
namespace {

using nlohmann::json;

// Key tags apart from the alarm service's (alarm, hist, mute, held, anom).
constexpr std::string_view kTopicTag = "snstopic";
constexpr std::string_view kSubTag = "snssub";

std::string Prefix(std::string_view tag) {
  std::string k(tag);
  k.push_back('\0');
  return k;
}
std::string Key(std::string_view tag, std::string_view arn) {
  return Prefix(tag) + std::string(arn);
}

bool ValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t p = s.find(sep);
    parts.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return parts;
}

json TopicJson(const Topic& t) {
  return {{"arn", t.arn},
          {"account", t.account},
          {"region", t.region},
          {"name", t.name},
          {"attributes", t.attributes},
          {"tags", t.tags},
          {"deleted", t.subscriptions_deleted}};
}

json SubJson(const Subscription& s, const std::string& used_token, bool authenticated) {
  json j = {{"arn", s.arn},
            {"topic_arn", s.topic_arn},
            {"owner", s.owner},
            {"protocol", s.protocol},
            {"endpoint", s.endpoint},
            {"confirmed", s.confirmed},
            {"token", s.token},
            {"raw", s.raw_message_delivery},
            {"attributes", s.attributes},
            {"used_token", used_token},
            {"authenticated", authenticated}};
  if (s.delivery_policy) j["delivery_policy"] = *s.delivery_policy;
  return j;
}

ApiError TopicNotFound() { return MakeError(ErrorCode::kNotFound, "Topic does not exist"); }
ApiError SubscriptionNotFound() {
  return MakeError(ErrorCode::kNotFound, "Subscription does not exist");
}
ApiError TagLimit() {
  return MakeError(ErrorCode::kTagLimitExceeded,
                   "Could not complete request: tag quota of per resource exceeded");
}

}  // namespace

std::optional<TopicArnParts> ParseTopicArn(std::string_view arn) {
  auto parts = Split(arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2] != "sns" ||
      parts[3].empty() || parts[4].empty() || !ValidTopicName(parts[5])) {
    return std::nullopt;
  }
  return TopicArnParts{std::string(parts[3]), std::string(parts[4]), std::string(parts[5])};
}

std::string TopicArn(std::string_view region, std::string_view account, std::string_view name) {
  std::string arn = "arn:aws:sns:";
  arn += region;
  arn += ':';
  arn += account;
  arn += ':';
  arn += name;
  return arn;
}

std::optional<std::string> TopicArnOfSubscription(std::string_view subscription_arn) {
  size_t colon = subscription_arn.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == subscription_arn.size()) return std::nullopt;
  std::string_view topic = subscription_arn.substr(0, colon);
  if (!ParseTopicArn(topic)) return std::nullopt;
  return std::string(topic);
}

std::string_view TopicNameOf(std::string_view topic_arn) {
  auto parts = Split(topic_arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "sns") return {};
  return parts[5];
}

SnsTopics::SnsTopics(alarms::StateStore& store, RandomSource& random, SnsTopicsOptions options)
    : store_(store), random_(random), options_(options) {}

Status SnsTopics::Load() {
  std::map<std::string, Topic, std::less<>> topics;
  std::map<std::string, SubRecord, std::less<>> subs;
  std::string bad;
  auto parse_topic = [&](std::string_view key, std::string_view value) {
    json j = json::parse(value, nullptr, false);
    if (!j.is_object()) {
      bad = std::string(key.substr(kTopicTag.size() + 1));
      return false;
    }
    Topic t;
    t.arn = j.value("arn", "");
    t.account = j.value("account", "");
    t.region = j.value("region", "");
    t.name = j.value("name", "");
    t.attributes = j.value("attributes", std::map<std::string, std::string>{});
    t.tags = j.value("tags", std::map<std::string, std::string>{});
    t.subscriptions_deleted = j.value("deleted", int64_t{0});
    topics[t.arn] = std::move(t);
    return true;
  };
  auto parse_sub = [&](std::string_view key, std::string_view value) {
    json j = json::parse(value, nullptr, false);
    if (!j.is_object()) {
      bad = std::string(key.substr(kSubTag.size() + 1));
      return false;
    }
    SubRecord r;
    r.sub.arn = j.value("arn", "");
    r.sub.topic_arn = j.value("topic_arn", "");
    r.sub.owner = j.value("owner", "");
    r.sub.protocol = j.value("protocol", "");
    r.sub.endpoint = j.value("endpoint", "");
    r.sub.confirmed = j.value("confirmed", false);
    r.sub.token = j.value("token", "");
    r.sub.raw_message_delivery = j.value("raw", false);
    r.sub.attributes = j.value("attributes", std::map<std::string, std::string>{});
    if (j.contains("delivery_policy") && j["delivery_policy"].is_string()) {
      r.sub.delivery_policy = j["delivery_policy"].get<std::string>();
    }
    r.used_token = j.value("used_token", "");
    r.authenticated = j.value("authenticated", false);
    subs[r.sub.arn] = std::move(r);
    return true;
  };
  try {
    RETURN_IF_ERROR(store_.Scan(Prefix(kTopicTag), parse_topic));
    if (bad.empty()) RETURN_IF_ERROR(store_.Scan(Prefix(kSubTag), parse_sub));
  } catch (const std::exception& e) {  // nlohmann type errors on a corrupt record
    return MakeError(ErrorCode::kInternalFailure,
                     std::string("loading SNS topics: corrupt record: ") + e.what());
  }
  if (!bad.empty()) {
    return MakeError(ErrorCode::kInternalFailure, "loading SNS topics: corrupt record " + bad);
  }
  std::lock_guard lock(mu_);
  topics_ = std::move(topics);
  subs_ = std::move(subs);
  Logger("notify")->info("loaded {} SNS topics and {} subscriptions", topics_.size(), subs_.size());
  return OkStatus();
}

Status SnsTopics::Reset() {
  std::lock_guard lock(mu_);
  alarms::WriteBatch batch;
  batch.delete_prefixes = {Prefix(kTopicTag), Prefix(kSubTag)};
  RETURN_IF_ERROR(store_.Write(batch));
  topics_.clear();
  subs_.clear();
  return OkStatus();
}

Status SnsTopics::PutTopic(const Topic& t) {
  alarms::WriteBatch batch;
  batch.puts.emplace_back(Key(kTopicTag, t.arn), TopicJson(t).dump());
  return store_.Write(batch);
}

Status SnsTopics::PutSub(const SubRecord& r) {
  alarms::WriteBatch batch;
  batch.puts.emplace_back(Key(kSubTag, r.sub.arn),
                          SubJson(r.sub, r.used_token, r.authenticated).dump());
  return store_.Write(batch);
}

Result<Topic> SnsTopics::CreateTopic(std::string_view account, std::string_view region,
                                     std::string_view name,
                                     const std::map<std::string, std::string>& attributes,
                                     const std::map<std::string, std::string>& tags) {
  std::string arn = TopicArn(region, account, name);
  std::lock_guard lock(mu_);
  if (auto it = topics_.find(arn); it != topics_.end()) {
    const Topic& t = it->second;
    for (const auto& [k, v] : attributes) {
      auto a = t.attributes.find(k);
      if (a == t.attributes.end() ? !v.empty() : a->second != v) {
        return MakeError(ErrorCode::kInvalidParameter,
                         "Invalid parameter: Attributes Reason: Topic already exists with "
                         "different attributes");
      }
    }
    for (const auto& [k, v] : tags) {
      auto a = t.tags.find(k);
      if (a == t.tags.end() || a->second != v) {
        return MakeError(ErrorCode::kInvalidParameter,
                         "Invalid parameter: Tags Reason: Topic already exists with different "
                         "tags");
      }
    }
    return t;
  }
  size_t mine = 0;
  std::string scope = TopicArn(region, account, "");
  for (auto it = topics_.lower_bound(scope); it != topics_.end() && it->first.starts_with(scope);
       ++it) {
    ++mine;
  }
  if (mine >= options_.max_topics_per_account) {
    return MakeError(ErrorCode::kTopicLimitExceeded, "Topic limit exceeded");
  }
  if (tags.size() > options_.max_tags_per_topic) return TagLimit();
  Topic t;
  t.arn = arn;
  t.account = std::string(account);
  t.region = std::string(region);
  t.name = std::string(name);
  for (const auto& [k, v] : attributes) {
    if (!v.empty()) t.attributes[k] = v;
  }
  t.tags = tags;
  RETURN_IF_ERROR(PutTopic(t));
  topics_[arn] = t;
  return t;
}

Status SnsTopics::DeleteTopic(std::string_view topic_arn) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) return OkStatus();
  alarms::WriteBatch batch;
  batch.deletes.push_back(Key(kTopicTag, topic_arn));
  std::string sub_prefix = std::string(topic_arn) + ":";
  std::vector<std::string> gone;
  for (auto s = subs_.lower_bound(sub_prefix); s != subs_.end() && s->first.starts_with(sub_prefix);
       ++s) {
    batch.deletes.push_back(Key(kSubTag, s->first));
    gone.push_back(s->first);
  }
  RETURN_IF_ERROR(store_.Write(batch));
  for (const auto& arn : gone) subs_.erase(arn);
  topics_.erase(it);
  return OkStatus();
}

std::optional<Topic> SnsTopics::FindTopic(std::string_view topic_arn) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}

std::vector<Topic> SnsTopics::ListTopics(std::string_view account, std::string_view region) const {
  std::string scope = TopicArn(region, account, "");
  std::lock_guard lock(mu_);
  std::vector<Topic> out;
  for (auto it = topics_.lower_bound(scope); it != topics_.end() && it->first.starts_with(scope);
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

TopicCounts SnsTopics::CountsOf(std::string_view topic_arn) const {
  TopicCounts c;
  std::lock_guard lock(mu_);
  auto t = topics_.find(topic_arn);
  if (t == topics_.end()) return c;
  c.deleted = t->second.subscriptions_deleted;
  std::string sub_prefix = std::string(topic_arn) + ":";
  for (auto s = subs_.lower_bound(sub_prefix); s != subs_.end() && s->first.starts_with(sub_prefix);
       ++s) {
    (s->second.sub.confirmed ? c.confirmed : c.pending) += 1;
  }
  return c;
}

Status SnsTopics::SetTopicAttribute(std::string_view topic_arn, std::string_view name,
                                    std::string_view value) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) return TopicNotFound();
  Topic t = it->second;
  if (value.empty()) {
    t.attributes.erase(std::string(name));
  } else {
    t.attributes[std::string(name)] = std::string(value);
  }
  RETURN_IF_ERROR(PutTopic(t));
  it->second = std::move(t);
  return OkStatus();
}

Status SnsTopics::TagTopic(std::string_view topic_arn,
                           const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) {
    return MakeError(ErrorCode::kResourceNotFound, "Resource does not exist");
  }
  Topic t = it->second;
  for (const auto& [k, v] : tags) t.tags[k] = v;
  if (t.tags.size() > options_.max_tags_per_topic) return TagLimit();
  RETURN_IF_ERROR(PutTopic(t));
  it->second = std::move(t);
  return OkStatus();
}

Status SnsTopics::UntagTopic(std::string_view topic_arn, const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) {
    return MakeError(ErrorCode::kResourceNotFound, "Resource does not exist");
  }
  Topic t = it->second;
  for (const auto& k : keys) t.tags.erase(k);
  RETURN_IF_ERROR(PutTopic(t));
  it->second = std::move(t);
  return OkStatus();
}

void SnsTopics::ApplySubscriptionAttribute(Subscription& s, std::string_view name,
                                           std::string_view value) {
  if (name == "RawMessageDelivery") {
    s.raw_message_delivery = value == "true" || value == "True" || value == "TRUE";
  } else if (name == "DeliveryPolicy") {
    if (value.empty()) {
      s.delivery_policy.reset();
    } else {
      s.delivery_policy = std::string(value);
    }
  } else if (value.empty()) {
    s.attributes.erase(std::string(name));
  } else {
    s.attributes[std::string(name)] = std::string(value);
  }
}

Result<SnsTopics::SubscribeResult> SnsTopics::Subscribe(
    std::string_view topic_arn, std::string_view owner, std::string_view protocol,
    std::string_view endpoint, const std::map<std::string, std::string>& attributes) {
  std::lock_guard lock(mu_);
  if (!topics_.contains(topic_arn)) return TopicNotFound();
  std::string sub_prefix = std::string(topic_arn) + ":";
  for (auto s = subs_.lower_bound(sub_prefix); s != subs_.end() && s->first.starts_with(sub_prefix);
       ++s) {
    const Subscription& existing = s->second.sub;
    if (existing.protocol != protocol || existing.endpoint != endpoint) continue;
    Subscription wanted = existing;
    for (const auto& [k, v] : attributes) ApplySubscriptionAttribute(wanted, k, v);
    if (wanted.raw_message_delivery != existing.raw_message_delivery ||
        wanted.delivery_policy != existing.delivery_policy ||
        wanted.attributes != existing.attributes) {
      return MakeError(ErrorCode::kInvalidParameter,
                       "Invalid parameter: Attributes Reason: Subscription already exists with "
                       "different attributes");
    }
    return SubscribeResult{existing, false};
  }
  SubRecord r;
  r.sub.arn = sub_prefix + NewMessageId(random_);
  r.sub.topic_arn = std::string(topic_arn);
  r.sub.owner = std::string(owner);
  r.sub.protocol = std::string(protocol);
  r.sub.endpoint = std::string(endpoint);
  bool http = protocol == "http" || protocol == "https";
  r.sub.confirmed = !http || options_.auto_confirm;
  if (!r.sub.confirmed) r.sub.token = NewConfirmationToken(random_);
  r.authenticated = r.sub.confirmed;
  for (const auto& [k, v] : attributes) ApplySubscriptionAttribute(r.sub, k, v);
  RETURN_IF_ERROR(PutSub(r));
  subs_[r.sub.arn] = r;
  return SubscribeResult{r.sub, true};
}

Result<Subscription> SnsTopics::ConfirmSubscription(std::string_view topic_arn,
                                                    std::string_view token, bool authenticated) {
  std::lock_guard lock(mu_);
  if (!topics_.contains(topic_arn)) return TopicNotFound();
  if (token.empty()) return MakeError(ErrorCode::kInvalidParameter, "Invalid token");
  std::string sub_prefix = std::string(topic_arn) + ":";
  for (auto s = subs_.lower_bound(sub_prefix); s != subs_.end() && s->first.starts_with(sub_prefix);
       ++s) {
    SubRecord& rec = s->second;
    if (rec.sub.confirmed && rec.used_token == token) return rec.sub;
    if (rec.sub.confirmed || rec.sub.token != token) continue;
    SubRecord updated = rec;
    updated.sub.confirmed = true;
    updated.used_token = updated.sub.token;
    updated.sub.token.clear();
    updated.authenticated = authenticated;
    RETURN_IF_ERROR(PutSub(updated));
    rec = std::move(updated);
    return rec.sub;
  }
  return MakeError(ErrorCode::kInvalidParameter, "Invalid token");
}

Status SnsTopics::Unsubscribe(std::string_view subscription_arn) {
  std::lock_guard lock(mu_);
  auto it = subs_.find(subscription_arn);
  if (it == subs_.end()) return SubscriptionNotFound();
  alarms::WriteBatch batch;
  batch.deletes.push_back(Key(kSubTag, subscription_arn));
  auto t = topics_.find(it->second.sub.topic_arn);
  Topic updated;
  if (t != topics_.end()) {
    updated = t->second;
    ++updated.subscriptions_deleted;
    batch.puts.emplace_back(Key(kTopicTag, updated.arn), TopicJson(updated).dump());
  }
  RETURN_IF_ERROR(store_.Write(batch));
  if (t != topics_.end()) t->second = std::move(updated);
  subs_.erase(it);
  return OkStatus();
}

std::vector<Subscription> SnsTopics::ListSubscriptions(std::string_view account,
                                                       std::string_view region) const {
  std::string scope = TopicArn(region, account, "");
  std::lock_guard lock(mu_);
  std::vector<Subscription> out;
  for (auto it = subs_.lower_bound(scope); it != subs_.end() && it->first.starts_with(scope);
       ++it) {
    out.push_back(it->second.sub);
  }
  return out;
}

std::vector<Subscription> SnsTopics::SubscriptionsOf(std::string_view topic_arn) const {
  std::string sub_prefix = std::string(topic_arn) + ":";
  std::lock_guard lock(mu_);
  std::vector<Subscription> out;
  for (auto s = subs_.lower_bound(sub_prefix); s != subs_.end() && s->first.starts_with(sub_prefix);
       ++s) {
    out.push_back(s->second.sub);
  }
  return out;
}

Status SnsTopics::SetSubscriptionAttribute(std::string_view subscription_arn, std::string_view name,
                                           std::string_view value) {
  std::lock_guard lock(mu_);
  auto it = subs_.find(subscription_arn);
  if (it == subs_.end()) return SubscriptionNotFound();
  SubRecord updated = it->second;
  ApplySubscriptionAttribute(updated.sub, name, value);
  RETURN_IF_ERROR(PutSub(updated));
  it->second = std::move(updated);
  return OkStatus();
}

bool SnsTopics::ConfirmationWasAuthenticated(std::string_view subscription_arn) const {
  std::lock_guard lock(mu_);
  auto it = subs_.find(subscription_arn);
  return it != subs_.end() && it->second.authenticated;
}

bool SnsTopics::TopicExists(std::string_view topic_arn) const {
  std::lock_guard lock(mu_);
  return topics_.contains(topic_arn);
}

std::vector<Subscription> SnsTopics::ConfirmedSubscriptions(std::string_view topic_arn) const {
  std::vector<Subscription> out = SubscriptionsOf(topic_arn);
  std::erase_if(out, [](const Subscription& s) { return !s.confirmed; });
  return out;
}

std::optional<Subscription> SnsTopics::FindSubscription(std::string_view subscription_arn) const {
  std::lock_guard lock(mu_);
  auto it = subs_.find(subscription_arn);
  if (it == subs_.end()) return std::nullopt;
  return it->second.sub;
}

std::optional<std::string> SnsTopics::TopicDeliveryPolicy(std::string_view topic_arn) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) return std::nullopt;
  auto p = it->second.attributes.find("DeliveryPolicy");
  if (p == it->second.attributes.end()) return std::nullopt;
  return p->second;
}

}  // namespace vigil::notify
