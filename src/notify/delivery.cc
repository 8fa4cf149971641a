#include "vigil/notify/delivery.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "notify/http_sender.h"
#include "vigil/common/logging.h"
#include "vigil/notify/alarm_message.h"
#include "vigil/notify/ids.h"
#include "vigil/notify/sns_envelope.h"

namespace vigil::notify {
namespace {

using json = nlohmann::json;

constexpr std::string_view kRecordTag = "sndl";

std::string RecordKey(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seq));
  std::string k(kRecordTag);
  k += '\0';
  k += buf;
  return k;
}

std::string RecordPrefix() {
  std::string k(kRecordTag);
  k += '\0';
  return k;
}

// One message to one endpoint, as persisted (docs/notifications.md "Outbox records").
struct Record {
  SnsMessageType type = SnsMessageType::kNotification;
  std::string account;
  std::string region;
  std::string topic_arn;
  std::string subscription_arn;  // "" for a direct action webhook
  std::string protocol;          // http, https, lambda, webhook
  std::string endpoint;          // URL or Lambda function ARN
  bool raw = false;
  std::string message_id;
  std::optional<std::string> subject;
  std::string message;
  std::vector<MessageAttribute> attributes;
  Timestamp timestamp;
  std::string token;  // confirmations
  HealthyRetryPolicy policy;
  std::string content_type{kDefaultContentType};
  int failed_attempts = 0;
  int64_t next_attempt_ms = 0;
  bool counts_as_notification = true;  // AWS/SNS metrics: confirmations do not count
};

json PolicyJson(const HealthyRetryPolicy& p) {
  return json{{"min", p.min_delay_target},
              {"max", p.max_delay_target},
              {"n", p.num_retries},
              {"noDelay", p.num_no_delay_retries},
              {"minDelay", p.num_min_delay_retries},
              {"maxDelay", p.num_max_delay_retries},
              {"backoff", BackoffFunctionName(p.backoff_function)}};
}

HealthyRetryPolicy PolicyFrom(const json& j) {
  HealthyRetryPolicy p;
  p.min_delay_target = j.value("min", p.min_delay_target);
  p.max_delay_target = j.value("max", p.max_delay_target);
  p.num_retries = j.value("n", p.num_retries);
  p.num_no_delay_retries = j.value("noDelay", 0);
  p.num_min_delay_retries = j.value("minDelay", 0);
  p.num_max_delay_retries = j.value("maxDelay", 0);
  std::string b = j.value("backoff", std::string("linear"));
  for (auto f : {BackoffFunction::kLinear, BackoffFunction::kArithmetic, BackoffFunction::kGeometric,
                 BackoffFunction::kExponential}) {
    if (BackoffFunctionName(f) == b) p.backoff_function = f;
  }
  return p;
}

std::string Encode(const Record& r) {
  json j;
  j["type"] = MessageTypeName(r.type);
  j["account"] = r.account;
  j["region"] = r.region;
  j["topicArn"] = r.topic_arn;
  j["subscriptionArn"] = r.subscription_arn;
  j["protocol"] = r.protocol;
  j["endpoint"] = r.endpoint;
  j["raw"] = r.raw;
  j["messageId"] = r.message_id;
  if (r.subject) j["subject"] = *r.subject;
  j["message"] = r.message;
  json attrs = json::array();
  for (const auto& a : r.attributes) attrs.push_back(json::array({a.name, a.type, a.value}));
  j["attributes"] = std::move(attrs);
  j["timestamp"] = r.timestamp.millis;
  if (!r.token.empty()) j["token"] = r.token;
  j["policy"] = PolicyJson(r.policy);
  j["contentType"] = r.content_type;
  j["failedAttempts"] = r.failed_attempts;
  j["next"] = r.next_attempt_ms;
  j["counts"] = r.counts_as_notification;
  return j.dump();
}

std::optional<Record> Decode(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    Record r;
    std::string type = j.at("type").get<std::string>();
    for (auto t : {SnsMessageType::kNotification, SnsMessageType::kSubscriptionConfirmation,
                   SnsMessageType::kUnsubscribeConfirmation}) {
      if (MessageTypeName(t) == type) r.type = t;
    }
    r.account = j.at("account").get<std::string>();
    r.region = j.at("region").get<std::string>();
    r.topic_arn = j.at("topicArn").get<std::string>();
    r.subscription_arn = j.at("subscriptionArn").get<std::string>();
    r.protocol = j.at("protocol").get<std::string>();
    r.endpoint = j.at("endpoint").get<std::string>();
    r.raw = j.value("raw", false);
    r.message_id = j.at("messageId").get<std::string>();
    if (j.contains("subject")) r.subject = j["subject"].get<std::string>();
    r.message = j.at("message").get<std::string>();
    for (const auto& a : j.at("attributes")) {
      r.attributes.push_back(MessageAttribute{a.at(0).get<std::string>(), a.at(1).get<std::string>(),
                                              a.at(2).get<std::string>()});
    }
    r.timestamp = Timestamp{j.at("timestamp").get<int64_t>()};
    r.token = j.value("token", std::string());
    r.policy = PolicyFrom(j.at("policy"));
    r.content_type = j.value("contentType", std::string(kDefaultContentType));
    r.failed_attempts = j.value("failedAttempts", 0);
    r.next_attempt_ms = j.value("next", int64_t{0});
    r.counts_as_notification = j.value("counts", true);
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// The endpoint a queue cap counts against: the subscription, or the webhook URL.
std::string QueueKey(const Record& r) {
  return r.subscription_arn.empty() ? r.endpoint : r.subscription_arn;
}

// 2xx delivered; 5xx, 429 and no response are retried; anything else (3xx: redirects are not
// followed; 4xx: the receiver refused it) fails at once, as SNS does.
enum class Outcome { kDelivered, kRetry, kRejected };
Outcome Classify(const OutboundResult& r) {
  if (r.status >= 200 && r.status < 300) return Outcome::kDelivered;
  if (r.status == 0 || r.status == 429 || r.status >= 500) return Outcome::kRetry;
  return Outcome::kRejected;
}

// The Lambda SNS event ({"Records":[{"EventSource":"aws:sns",...,"Sns":{...}}]}) for one
// notification; the Sns object's keys are those the Lambda event uses (SigningCertUrl, ...).
std::string LambdaEvent(const Record& r, const SignatureFields& sig, std::string_view unsubscribe) {
  json attrs = json::object();
  for (const auto& a : r.attributes) attrs[a.name] = json{{"Type", a.type}, {"Value", a.value}};
  json sns = json{{"Type", "Notification"},
                  {"MessageId", r.message_id},
                  {"TopicArn", r.topic_arn},
                  {"Subject", r.subject ? json(*r.subject) : json(nullptr)},
                  {"Message", r.message},
                  {"Timestamp", FormatSnsTimestamp(r.timestamp)},
                  {"SignatureVersion", std::string(SignatureVersionText(sig.version))},
                  {"Signature", sig.signature},
                  {"SigningCertUrl", sig.signing_cert_url},
                  {"UnsubscribeUrl", std::string(unsubscribe)},
                  {"MessageAttributes", std::move(attrs)}};
  json rec = json{{"EventSource", "aws:sns"},
                  {"EventVersion", "1.0"},
                  {"EventSubscriptionArn", r.subscription_arn},
                  {"Sns", std::move(sns)}};
  return json{{"Records", json::array({std::move(rec)})}}.dump();
}

// The TopicName dimension of the AWS/SNS metrics: the topic's name, or the last ARN segment of a
// direct action webhook.
std::string_view TopicNameOrLast(std::string_view arn) {
  std::string_view name = TopicNameOf(arn);
  if (!name.empty()) return name;
  size_t colon = arn.rfind(':');
  return colon == std::string_view::npos ? arn : arn.substr(colon + 1);
}

}  // namespace

class Delivery::Impl {
 public:
  Impl(alarms::StateStore& store, const SubscriptionDirectory& directory,
       storage::MetricStore& metrics, const Clock& clock, const Signer& signer,
       DeliveryConfig config)
      : store_(store),
        directory_(directory),
        metrics_(metrics),
        clock_(clock),
        signer_(signer),
        config_(std::move(config)),
        log_(Logger("notify")) {}

  ~Impl() { Stop(); }

  Status Start(const std::string& public_url) {
    if (config_.public_url.empty()) config_.public_url = public_url;
    while (!config_.public_url.empty() && config_.public_url.back() == '/') {
      config_.public_url.pop_back();
    }
    std::vector<std::pair<uint64_t, Record>> loaded;
    size_t unreadable = 0;
    RETURN_IF_ERROR(store_.Scan(RecordPrefix(), [&](std::string_view key, std::string_view value) {
      auto r = Decode(value);
      uint64_t seq = std::strtoull(std::string(key.substr(kRecordTag.size() + 1)).c_str(),
                                   nullptr, 16);
      if (r) {
        loaded.emplace_back(seq, std::move(*r));
      } else {
        ++unreadable;
      }
      return true;
    }));
    {
      std::lock_guard lock(mu_);
      for (auto& [seq, r] : loaded) {
        next_seq_ = std::max(next_seq_, seq + 1);
        ++per_endpoint_[QueueKey(r)];
        Enqueue(seq, std::move(r));
      }
      stop_ = false;
    }
    if (!loaded.empty()) log_->info("delivery: {} queued messages loaded", loaded.size());
    if (unreadable > 0) log_->error("delivery: {} unreadable outbox records skipped", unreadable);
    sender_ = std::make_unique<HttpSender>(config_.request_timeout);
    dispatcher_ = std::thread([this] { Dispatch(); });
    return OkStatus();
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      stop_ = true;
    }
    cv_.notify_all();
    if (dispatcher_.joinable()) dispatcher_.join();
    sender_.reset();  // abandons exchanges in flight: their records stay for the next start
  }

  Result<std::string> Publish(Publication p) {
    if (p.message_id.empty()) p.message_id = NewMessageId(random_);
    std::vector<Record> prepared;
    for (const auto& s : directory_.ConfirmedSubscriptions(p.topic_arn)) {
      prepared.push_back(ForSubscription(p, s));
    }
    RETURN_IF_ERROR(WriteAndEnqueue(std::move(prepared)));
    Count(p.account, p.region, p.topic_arn, "NumberOfMessagesPublished");
    return p.message_id;
  }

  Status RequestConfirmation(const Subscription& s, Timestamp now) {
    Record r;
    r.type = SnsMessageType::kSubscriptionConfirmation;
    auto [account, region] = AccountRegionOf(s.topic_arn);
    r.account = account;
    r.region = region;
    r.topic_arn = s.topic_arn;
    r.subscription_arn = s.arn;
    r.protocol = s.protocol;
    r.endpoint = s.endpoint;
    r.message_id = NewMessageId(random_);
    r.message = SubscriptionConfirmationText(s.topic_arn);
    r.timestamp = now;
    r.token = s.token;
    // Not PolicyFor: the registry may call this while it holds its own lock.
    r.policy = config_.default_policy;
    if (s.delivery_policy) {
      if (auto p = ParseSubscriptionDeliveryPolicy(*s.delivery_policy); p.ok()) {
        r.policy = p->healthy_retry_policy;
      }
    }
    r.next_attempt_ms = now.millis;
    r.counts_as_notification = false;
    std::vector<Record> prepared;
    prepared.push_back(std::move(r));
    return WriteAndEnqueue(std::move(prepared));
  }

  Status Stage(const alarms::ActionRequest& request, const alarms::Alarm& alarm,
               alarms::WriteBatch& batch) {
    const std::string& arn = request.action_arn;
    Publication p;
    p.account = request.account;
    p.region = request.region;
    p.topic_arn = arn;
    p.subject = AlarmSubject(alarm.config.name, request.new_state, request.region);
    p.message = AlarmMessageJson(alarm, AlarmTransition::From(request));
    p.message_id = NewMessageId(random_);
    p.timestamp = request.state_change_time;
    std::vector<Record> prepared;
    if (auto hook = config_.action_webhooks.find(arn); hook != config_.action_webhooks.end()) {
      Subscription direct;
      direct.topic_arn = arn;
      direct.protocol = "webhook";
      direct.endpoint = hook->second;
      prepared.push_back(ForSubscription(p, direct));
    } else if (arn.starts_with("arn:aws:sns:")) {
      if (!directory_.TopicExists(arn)) {
        return MakeError(ErrorCode::kNotFound, "Topic does not exist");
      }
      for (const auto& s : directory_.ConfirmedSubscriptions(arn)) {
        prepared.push_back(ForSubscription(p, s));
      }
    } else {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       "vigil does not run this action; map the ARN to a webhook with "
                       "--action-webhook ARN=URL (docs/notifications.md)");
    }
    std::lock_guard lock(mu_);
    for (auto& r : prepared) {
      if (TakeQueueSlot(r)) AddRecord(std::move(r), batch, staged_);
    }
    staged_published_.push_back({p.account, p.region, p.topic_arn});
    return OkStatus();
  }

  void Committed(bool durable) {
    std::vector<std::array<std::string, 3>> published;
    {
      std::lock_guard lock(mu_);
      if (durable) {
        for (auto& [seq, r] : staged_) Enqueue(seq, std::move(r));
        published.swap(staged_published_);
      } else {
        for (const auto& [seq, r] : staged_) Release(r);
        staged_published_.clear();
      }
      staged_.clear();
    }
    for (const auto& p : published) Count(p[0], p[1], p[2], "NumberOfMessagesPublished");
    cv_.notify_all();
  }

  void RunDue(Timestamp now) {
    cv_.notify_all();
    // Bounded: a slow receiver holds this for at most a few request timeouts.
    auto limit = std::chrono::steady_clock::now() + 4 * config_.request_timeout;
    std::unique_lock lock(mu_);
    idle_cv_.wait_until(lock, limit, [&] {
      return in_flight_ == 0 && outcomes_.empty() && dropped_.empty() &&
             (due_.empty() || due_.begin()->first > now.millis);
    });
  }

  void Reset() {
    std::lock_guard lock(mu_);
    due_.clear();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.in_flight) {
        it->second.forgotten = true;  // its result is dropped when it arrives
        ++it;
      } else {
        it = pending_.erase(it);
      }
    }
    per_endpoint_.clear();
    idle_cv_.notify_all();
  }

  DeliveryStats Stats() const {
    std::lock_guard lock(mu_);
    DeliveryStats s = stats_;
    s.queued = pending_.size();
    s.in_flight = in_flight_;
    return s;
  }

 private:
  struct Pending {
    Record record;
    bool in_flight = false;
    bool forgotten = false;
  };

  static std::pair<std::string, std::string> AccountRegionOf(std::string_view arn) {
    // arn:aws:sns:<region>:<account>:<name>
    std::vector<std::string> parts;
    size_t start = 0;
    for (int i = 0; i < 5; ++i) {
      size_t colon = arn.find(':', start);
      if (colon == std::string_view::npos) return {"", ""};
      parts.emplace_back(arn.substr(start, colon - start));
      start = colon + 1;
    }
    return {parts[4], parts[3]};
  }

  HealthyRetryPolicy PolicyFor(const Subscription& s) const {
    std::optional<DeliveryPolicy> topic;
    if (auto text = directory_.TopicDeliveryPolicy(s.topic_arn)) {
      if (auto p = ParseTopicDeliveryPolicy(*text); p.ok()) topic = *p;
    }
    if (s.delivery_policy && !(topic && topic->disable_subscription_overrides)) {
      if (auto p = ParseSubscriptionDeliveryPolicy(*s.delivery_policy); p.ok()) {
        return p->healthy_retry_policy;
      }
    }
    if (topic) return topic->healthy_retry_policy;
    return config_.default_policy;
  }

  std::string ContentTypeFor(const Subscription& s) const {
    if (s.delivery_policy) {
      if (auto p = ParseSubscriptionDeliveryPolicy(*s.delivery_policy); p.ok()) {
        return p->header_content_type;
      }
    }
    if (auto text = directory_.TopicDeliveryPolicy(s.topic_arn)) {
      if (auto p = ParseTopicDeliveryPolicy(*text); p.ok()) return p->header_content_type;
    }
    return std::string(kDefaultContentType);
  }

  // The record of `p` for one subscription. Reads the registry: mu_ must NOT be held.
  Record ForSubscription(const Publication& p, const Subscription& s) const {
    Record r;
    r.account = p.account;
    r.region = p.region;
    r.topic_arn = p.topic_arn;
    r.subscription_arn = s.arn;
    r.protocol = s.protocol;
    r.endpoint = s.endpoint;
    r.raw = s.raw_message_delivery;
    r.message_id = p.message_id;
    r.subject = p.subject;
    r.message = p.message;
    r.attributes = p.attributes;
    r.timestamp = p.timestamp;
    r.policy = PolicyFor(s);
    r.content_type = ContentTypeFor(s);
    r.next_attempt_ms = clock_.Now().millis;
    return r;
  }

  // Takes the queue slots, writes the records in one batch and, once durable, makes them
  // deliverable. mu_ NOT held (the store write happens outside it).
  Status WriteAndEnqueue(std::vector<Record> prepared) {
    alarms::WriteBatch batch;
    std::vector<std::pair<uint64_t, Record>> records;
    {
      std::lock_guard lock(mu_);
      for (auto& r : prepared) {
        if (TakeQueueSlot(r)) AddRecord(std::move(r), batch, records);
      }
    }
    if (batch.empty()) return OkStatus();
    Status written = store_.Write(batch);
    {
      std::lock_guard lock(mu_);
      for (auto& [seq, r] : records) {
        if (written.ok()) {
          Enqueue(seq, std::move(r));
        } else {
          Release(r);
        }
      }
    }
    cv_.notify_all();
    return written;
  }

  // Counts `r` against its endpoint's queue; false (logged, counted as failed) when it is full.
  // mu_ held.
  bool TakeQueueSlot(const Record& r) {
    size_t& queued = per_endpoint_[QueueKey(r)];
    if (queued >= config_.max_queued_per_endpoint) {
      log_->warn("delivery: queue of {} is full ({} messages); message {} for {} dropped",
                 QueueKey(r), queued, r.message_id, r.topic_arn);
      ++stats_.failed;
      dropped_.push_back({r.account, r.region, r.topic_arn});
      return false;
    }
    ++queued;
    return true;
  }

  // Assigns a sequence number and the store write. mu_ held.
  void AddRecord(Record r, alarms::WriteBatch& batch,
                 std::vector<std::pair<uint64_t, Record>>& out) {
    uint64_t seq = next_seq_++;
    batch.puts.emplace_back(RecordKey(seq), Encode(r));
    out.emplace_back(seq, std::move(r));
  }

  // Makes a durable record deliverable. mu_ held.
  void Enqueue(uint64_t seq, Record r) {
    due_.emplace(r.next_attempt_ms, seq);
    pending_[seq] = Pending{std::move(r)};
  }

  // Gives back the queue slot of a record that is done. mu_ held.
  void Release(const Record& r) {
    auto it = per_endpoint_.find(QueueKey(r));
    if (it != per_endpoint_.end() && it->second > 0 && --it->second == 0) per_endpoint_.erase(it);
  }

  void Dispatch() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      FlushDropped(lock);
      int64_t now = clock_.Now().millis;
      std::vector<std::pair<uint64_t, Record>> starting;
      while (in_flight_ < config_.max_concurrent && !due_.empty() && due_.begin()->first <= now) {
        uint64_t seq = due_.begin()->second;
        due_.erase(due_.begin());
        auto it = pending_.find(seq);
        if (it == pending_.end()) continue;
        it->second.in_flight = true;
        ++in_flight_;
        ++stats_.attempts;
        starting.emplace_back(seq, it->second.record);
      }
      if (!starting.empty()) {
        // Signing costs about a millisecond (RSA-2048): never while Publish or Stage waits.
        lock.unlock();
        for (const auto& [seq, r] : starting) Launch(seq, r);
        lock.lock();
        continue;
      }
      auto wait = std::chrono::milliseconds(1000);
      if (!due_.empty() && in_flight_ < config_.max_concurrent) {
        wait = std::clamp(std::chrono::milliseconds(due_.begin()->first - now),
                          std::chrono::milliseconds(1), wait);
      }
      idle_cv_.notify_all();
      cv_.wait_for(lock, wait);
    }
  }

  // Builds, signs and starts the POST of a record marked in flight. mu_ NOT held.
  void Launch(uint64_t seq, const Record& r) {
    std::string cert_url = config_.public_url + std::string(kSigningCertPath);
    SnsMessage m;
    m.type = r.type;
    m.message_id = r.message_id;
    m.topic_arn = r.topic_arn;
    m.subject = r.subject;
    m.message = r.message;
    m.timestamp = r.timestamp;
    m.token = r.token;
    if (r.type != SnsMessageType::kNotification) {
      m.subscribe_url = SubscribeUrl(config_.public_url, r.topic_arn, r.token);
    } else if (!r.subscription_arn.empty()) {
      m.unsubscribe_url = UnsubscribeUrl(config_.public_url, r.subscription_arn);
    }
    m.message_attributes = r.attributes;

    OutboundRequest req;
    std::string url = r.endpoint;
    if (r.protocol == "lambda") {
      auto u = config_.lambda_urls.find(r.endpoint);
      url = u == config_.lambda_urls.end() ? std::string() : u->second;
    }
    req.url = url;
    if (url.empty()) {
      std::lock_guard lock(mu_);
      Finish(seq, OutboundResult{0, "no URL is configured for " + r.endpoint +
                                        " (--lambda-url ARN=URL)"},
             /*retryable=*/false);
      return;
    }
    if (r.protocol == "lambda") {
      auto sig = signer_.Sign(StringToSign(m), config_.signature_version);
      SignatureFields fields{config_.signature_version, sig.ok() ? *sig : std::string(), cert_url};
      req.headers = {{"content-type", "application/json"}};
      req.body = LambdaEvent(r, fields, m.unsubscribe_url);
    } else {
      notify::DeliveryOptions options;
      options.subscription_arn = r.subscription_arn;
      options.raw = r.raw;
      options.content_type = r.content_type;
      auto built = SignAndBuild(m, signer_, config_.signature_version, cert_url, options);
      if (!built.ok()) {
        std::lock_guard lock(mu_);
        Finish(seq, OutboundResult{0, built.error().message}, /*retryable=*/true);
        return;
      }
      req.headers = std::move(built->headers);
      req.body = std::move(built->body);
    }
    sender_->Send(std::move(req), [this, seq](OutboundResult result) {
      std::lock_guard lock(mu_);
      Finish(seq, result, /*retryable=*/true);
      cv_.notify_all();
    });
  }

  // The end of one attempt. mu_ held.
  void Finish(uint64_t seq, const OutboundResult& result, bool retryable) {
    auto it = pending_.find(seq);
    if (it == pending_.end()) return;
    Pending& p = it->second;
    p.in_flight = false;
    --in_flight_;
    if (p.forgotten) {
      pending_.erase(it);
      idle_cv_.notify_all();
      return;
    }
    Record& r = p.record;
    Outcome outcome = retryable ? Classify(result) : Outcome::kRejected;
    std::string what = result.status != 0 ? "HTTP " + std::to_string(result.status) : result.error;
    if (outcome == Outcome::kRetry) {
      ++r.failed_attempts;
      if (auto delay = RetryDelayMillis(r.policy, r.failed_attempts)) {
        r.next_attempt_ms = clock_.Now().millis + *delay;
        alarms::WriteBatch batch;
        batch.puts.emplace_back(RecordKey(seq), Encode(r));
        if (auto s = store_.Write(batch); !s.ok()) {
          log_->error("delivery: cannot persist the retry of {}: {}", r.message_id,
                      s.error().message);
        }
        log_->info("delivery: {} to {} failed ({}); retry {} in {} ms", r.message_id, r.endpoint,
                   what, r.failed_attempts, *delay);
        due_.emplace(r.next_attempt_ms, seq);
        idle_cv_.notify_all();
        return;
      }
    }
    alarms::WriteBatch batch;
    batch.deletes.push_back(RecordKey(seq));
    if (auto s = store_.Write(batch); !s.ok()) {
      log_->error("delivery: cannot remove the record of {}: {}", r.message_id, s.error().message);
    }
    bool ok = outcome == Outcome::kDelivered;
    if (ok) {
      ++stats_.delivered;
      log_->debug("delivery: {} delivered to {} ({})", r.message_id, r.endpoint, what);
    } else {
      ++stats_.failed;
      log_->warn("delivery: {} to {} failed for good after {} attempts ({})", r.message_id,
                 r.endpoint, r.failed_attempts + 1, what);
    }
    if (r.counts_as_notification) {
      outcomes_.push_back({r.account, r.region, r.topic_arn,
                           ok ? "NumberOfNotificationsDelivered" : "NumberOfNotificationsFailed"});
    }
    Release(r);
    pending_.erase(it);
    idle_cv_.notify_all();
  }

  // Writes the AWS/SNS metrics collected under the lock, outside it.
  void FlushDropped(std::unique_lock<std::mutex>& lock) {
    if (outcomes_.empty() && dropped_.empty()) return;
    auto outcomes = std::move(outcomes_);
    auto dropped = std::move(dropped_);
    outcomes_.clear();
    dropped_.clear();
    lock.unlock();
    for (const auto& o : outcomes) Count(o[0], o[1], o[2], o[3]);
    for (const auto& d : dropped) Count(d[0], d[1], d[2], "NumberOfNotificationsFailed");
    lock.lock();
  }

  // One AWS/SNS datapoint of value 1 (Count) for the topic, at the clock's now.
  void Count(std::string_view account, std::string_view region, std::string_view topic_arn,
             std::string_view metric) {
    storage::Datum d;
    d.series.account = std::string(account);
    d.series.region = std::string(region);
    d.series.namespace_ = "AWS/SNS";
    d.series.metric_name = std::string(metric);
    d.series.dimensions = {{"TopicName", std::string(TopicNameOrLast(topic_arn))}};
    d.series.Canonicalize();
    d.unit = storage::UnitCode("Count").value_or(storage::kUnitNone);
    d.timestamp = clock_.Now();
    d.stats.Add(1, 1);
    if (auto s = metrics_.Write({d}); !s.ok()) {
      log_->warn("delivery: cannot record {}: {}", metric, s.error().message);
    }
  }

  alarms::StateStore& store_;
  const SubscriptionDirectory& directory_;
  storage::MetricStore& metrics_;
  const Clock& clock_;
  const Signer& signer_;
  DeliveryConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  SecureRandom random_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // the dispatcher's wake-up
  std::condition_variable idle_cv_;  // RunDue's wake-up
  bool stop_ = true;
  uint64_t next_seq_ = 1;
  std::map<uint64_t, Pending> pending_;
  std::set<std::pair<int64_t, uint64_t>> due_;  // (next attempt ms, seq), not in flight
  std::map<std::string, size_t, std::less<>> per_endpoint_;
  int in_flight_ = 0;
  DeliveryStats stats_;
  std::vector<std::pair<uint64_t, Record>> staged_;  // Stage()d, waiting for Committed()
  std::vector<std::array<std::string, 3>> staged_published_;
  std::vector<std::array<std::string, 4>> outcomes_;  // metrics to write
  std::vector<std::array<std::string, 3>> dropped_;
  std::unique_ptr<HttpSender> sender_;
  std::thread dispatcher_;
};

Delivery::Delivery(alarms::StateStore& store, const SubscriptionDirectory& directory,
                   storage::MetricStore& metrics, const Clock& clock, const Signer& signer,
                   DeliveryConfig config)
    : impl_(std::make_unique<Impl>(store, directory, metrics, clock, signer, std::move(config))) {}
Delivery::~Delivery() = default;

Status Delivery::Start(const std::string& public_url) { return impl_->Start(public_url); }
void Delivery::Stop() { impl_->Stop(); }
Result<std::string> Delivery::Publish(Publication p) { return impl_->Publish(std::move(p)); }
Status Delivery::RequestConfirmation(const Subscription& s, Timestamp now) {
  return impl_->RequestConfirmation(s, now);
}
Status Delivery::Stage(const alarms::ActionRequest& request, const alarms::Alarm& alarm,
                       alarms::WriteBatch& batch) {
  return impl_->Stage(request, alarm, batch);
}
void Delivery::Committed(bool durable) { impl_->Committed(durable); }
void Delivery::RunDue(Timestamp now) { impl_->RunDue(now); }
void Delivery::Reset() { impl_->Reset(); }
DeliveryStats Delivery::Stats() const { return impl_->Stats(); }

}  // namespace vigil::notify
