// vigil's own endpoints, outside the AWS API (documented in docs/operations.md):
//   GET  /_vigil/health   200 {"status","version","uptime_seconds","store"} once ready
//   POST /_vigil/reset    wipes all state (every account and region)
//   POST /moto-api/reset  the same, so test suites written for moto's server mode run unchanged
#pragma once

#include <chrono>
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

  Services* services_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace vigil::api
