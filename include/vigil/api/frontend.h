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

namespace vigil::api {

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
