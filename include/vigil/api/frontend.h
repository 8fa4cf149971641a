// The CloudWatch front end: the RequestHandler that net calls for every HTTP request.
//
// It routes the admin endpoints (/_vigil/..., /moto-api/reset), detects the wire protocol, finds
// the operation in the registry, resolves the account and region from SigV4, decodes the input,
// runs the operation's handler and encodes the result or the error. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "vigil/common/clock.h"
#include "vigil/common/http.h"
#include "vigil/storage/metric_store.h"

namespace vigil::alarms {
class AlarmService;
}  // namespace vigil::alarms

namespace vigil::notify {
class SnsTopics;
class MessageSink;
class Delivery;
}  // namespace vigil::notify

namespace vigil::api {

class AnomalyRetrainer;

struct ApiConfig {
  // The account of requests whose access key is not a 12-digit account id (docs/operations.md).
  std::string default_account = "123456789012";
  // The region of unsigned requests.
  std::string default_region = "us-east-1";
  // Reject namespaces that begin with "AWS/" as CloudWatch does (off by default: vigil users
  // simulate AWS service metrics).
  bool strict_namespaces = false;
  std::string version = "0.1.0";
};

// What the handlers work with. Everything here outlives the Frontend.
struct Services {
  storage::MetricStore* metrics = nullptr;
  const Clock* clock = nullptr;
  // The alarm engine (nullptr in tests that need no alarms: the alarm operations then answer
  // InternalFailure).
  alarms::AlarmService* alarms = nullptr;
  // `--clock=manual`: the clock POST /_vigil/clock moves (nullptr otherwise).
  ManualClock* manual_clock = nullptr;
  // The scheduled anomaly-model retrainer (anomaly_retrainer.h); nullptr: bands and
  // DescribeAnomalyDetectors train on the request path. On the manual clock POST /_vigil/clock
  // runs its due pass.
  AnomalyRetrainer* anomaly_retrainer = nullptr;
  // SNS topics and subscriptions, and delivery (nullptr: the SNS operations answer
  // InternalError saying which is missing; docs/sns-api.md).
  notify::SnsTopics* sns_topics = nullptr;
  notify::MessageSink* sns_sink = nullptr;
  // Delivery itself (the same object as sns_sink in the server): POST /_vigil/clock runs the
  // deliveries it makes due, POST /_vigil/reset forgets the queued ones, and
  // GET /_vigil/sns/SimpleNotificationService.pem serves its signing certificate.
  notify::Delivery* delivery = nullptr;
  std::string signing_cert_pem;
  ApiConfig config;
};

class Frontend final : public RequestHandler {
 public:
  explicit Frontend(Services services);
  ~Frontend() override;

  HttpResponse Handle(const HttpRequest& request) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::api
