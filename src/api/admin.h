// vigil's own endpoints, outside the AWS API (documented in docs/operations.md):
//   GET  /_vigil/health   200 {"status","version","uptime_seconds","store"} once ready
//   POST /_vigil/reset    wipes all state (every account and region)
//   POST /moto-api/reset  the same, so test suites written for moto's server mode run unchanged
//   POST /_vigil/maintenance[?compact=1]  one store maintenance pass now (checkpoint, rollups,
//                         expiry; with compact=1 also a full compaction); 200 with its report
//   GET  /_vigil/clock    {"now": <epoch seconds>, "mode": "manual"|"system"}
//   POST /_vigil/clock    --clock=manual only: {"now": <epoch s>} or {"advance": <s>} moves the
//                         clock, runs every alarm evaluation that became due, then answers
//                         {"now", "ticks", "evaluations", "transitions"} (docs/alarms.md)
//   POST /_vigil/alarms/evaluate  one evaluation pass of every alarm now, on either clock
#pragma once

#include <chrono>
#include <mutex>
#include <string_view>

#include "vigil/api/frontend.h"
#include "vigil/common/http.h"

namespace vigil::api {

class Admin {
 public:
  explicit Admin(Services* services);

  static bool Owns(std::string_view path);
  HttpResponse Handle(const HttpRequest& request);

 private:
  HttpResponse Health();
  HttpResponse Reset();
  HttpResponse Maintenance(const HttpRequest& request);
  HttpResponse Clock(const HttpRequest& request);
  HttpResponse EvaluateAlarms();

  Services* services_;
  std::chrono::steady_clock::time_point started_;
  std::mutex clock_mu_;
};

}  // namespace vigil::api
