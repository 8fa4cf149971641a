// Delivery: the durable outbox and the HTTP sender behind SNS topics and alarm actions
// (issue 6, docs/notifications.md).
//
// Every message to one endpoint is a delivery record in the state store (key tag "sndl"),
// written before anything is acknowledged: a Publish writes one record per confirmed
// subscription in one batch before it returns its MessageId; an alarm action's records join the
// batch that persists the alarm's transition (alarms::Notifier::Stage). A record is deleted only
// when the endpoint accepted the message (2xx) or the retry policy gave up, so a receiver that is
// down, or a vigil killed with SIGKILL, loses nothing: at start-up every record is loaded and
// delivered. Retries keep the MessageId.
//
// Threads: one dispatcher thread starts due deliveries; the HTTP exchanges run on the sender's
// own I/O thread, at most `max_concurrent` at a time, each bounded by `request_timeout`.
// Publish, RequestConfirmation, Stage and Committed never wait for the network.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "vigil/alarms/notifier.h"
#include "vigil/alarms/state_store.h"
#include "vigil/common/clock.h"
#include "vigil/notify/delivery_policy.h"
#include "vigil/notify/signer.h"
#include "vigil/notify/sns.h"
#include "vigil/storage/metric_store.h"

namespace vigil::notify {

struct DeliveryConfig {
  // Where receivers reach vigil: SubscribeURL, UnsubscribeURL and SigningCertURL start with it.
  // Set by Start() when empty here ("http://<listen address>").
  std::string public_url;
  // Action ARN -> webhook URL: an alarm action with this ARN is POSTed there directly, as an SNS
  // Notification whose TopicArn is the action ARN (no topic needed).
  std::map<std::string, std::string, std::less<>> action_webhooks;
  // Lambda function ARN -> URL: `lambda` subscriptions (and alarm actions naming a function) are
  // POSTed there in the Lambda SNS event format.
  std::map<std::string, std::string, std::less<>> lambda_urls;
  SignatureVersion signature_version = SignatureVersion::kV1;
  int max_concurrent = 32;
  std::chrono::milliseconds request_timeout{15'000};
  size_t max_queued_per_endpoint = 10'000;
  // The policy of a subscription whose topic and subscription set none: vigil's default keeps
  // retrying for about 50 minutes (docs/notifications.md "Retries"); SNS gives up after a minute.
  HealthyRetryPolicy default_policy{1, 60, 100, 0, 3, 0, BackoffFunction::kLinear};
};

struct DeliveryStats {
  size_t queued = 0;     // records not yet delivered (in flight included)
  size_t in_flight = 0;
  uint64_t delivered = 0;
  uint64_t failed = 0;   // gave up (policy exhausted, 4xx, queue full)
  uint64_t attempts = 0;
};

class Delivery final : public MessageSink, public alarms::Notifier {
 public:
  Delivery(alarms::StateStore& store, const SubscriptionDirectory& directory,
           storage::MetricStore& metrics, const Clock& clock, const Signer& signer,
           DeliveryConfig config);
  ~Delivery() override;
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  // Loads the records left by an earlier run and starts the threads. `public_url` replaces
  // config.public_url when that is empty.
  Status Start(const std::string& public_url);
  // Stops the threads; exchanges in flight are abandoned (their records stay for the next start).
  void Stop();

  // --- MessageSink (the SNS API) ---
  Result<std::string> Publish(Publication p) override;
  Status RequestConfirmation(const Subscription& s, Timestamp now) override;

  // --- alarms::Notifier (alarm actions) ---
  Status Stage(const alarms::ActionRequest& request, const alarms::Alarm& alarm,
               alarms::WriteBatch& batch) override;
  void Committed(bool durable) override;

  // The manual clock moved to `now`: attempts every delivery due by then and returns when each
  // has finished (bounded by the request timeout), so a test sees the outcome deterministically.
  void RunDue(Timestamp now);
  // Forgets every queued delivery (POST /_vigil/reset; the store itself is wiped by the caller).
  void Reset();

  DeliveryStats Stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The path of SigningCertURL under the public URL, where the admin endpoint serves the PEM.
inline constexpr std::string_view kSigningCertPath = "/_vigil/sns/SimpleNotificationService.pem";

}  // namespace vigil::notify
