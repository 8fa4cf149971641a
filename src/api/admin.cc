#include "api/admin.h"

#include <nlohmann/json.hpp>

#include "vigil/common/logging.h"

namespace vigil::api {
namespace {

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

}  // namespace

Admin::Admin(Services* services)
    : services_(services), started_(std::chrono::steady_clock::now()) {}

bool Admin::Owns(std::string_view path) {
  return path.starts_with("/_vigil/") || path.starts_with("/moto-api/");
}

HttpResponse Admin::Handle(const HttpRequest& req) {
  std::string_view path = req.Path();
  if (path == "/_vigil/health") {
    if (req.method != "GET" && req.method != "HEAD") return Json(405, {{"error", "use GET"}});
    return Health();
  }
  if (path == "/_vigil/reset" || path == "/moto-api/reset") {
    if (req.method != "POST") return Json(405, {{"error", "use POST"}});
    return Reset();
  }
  if (path == "/_vigil/maintenance") {
    if (req.method != "POST") return Json(405, {{"error", "use POST"}});
    return Maintenance(req);
  }
  return Json(404, {{"error", "no such endpoint: " + std::string(path)}});
}

HttpResponse Admin::Health() {
  bool store_ok = services_->metrics->Healthy();
  double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return Json(store_ok ? 200 : 503, {{"status", store_ok ? "ok" : "degraded"},
                                     {"version", services_->config.version},
                                     {"uptime_seconds", uptime},
                                     {"store", store_ok ? "ok" : "error"}});
}

HttpResponse Admin::Reset() {
  Status s = services_->metrics->Reset();
  if (!s.ok()) {
    Logger("api")->error("reset failed: {}", s.error().message);
    return Json(500, {{"status", "error"}, {"message", s.error().message}});
  }
  Logger("api")->info("state reset");
  return Json(200, {{"status", "ok"}});
}

HttpResponse Admin::Maintenance(const HttpRequest& req) {
  storage::MaintenanceOptions options;
  std::string_view query = req.QueryString();
  options.compact = query == "compact=1" || query == "compact=true";
  auto report = services_->metrics->RunMaintenance(options);
  if (!report.ok()) {
    Logger("api")->error("maintenance failed: {}", report.error().message);
    return Json(500, {{"status", "error"}, {"message", report.error().message}});
  }
  Logger("api")->info("maintenance pass run on request");
  return Json(200, {{"status", "ok"},
                    {"checkpointed_buckets", report->checkpointed_buckets},
                    {"rolled_up_blocks", report->rolled_up_blocks},
                    {"advanced_tiers", report->advanced_tiers},
                    {"compacted", report->compacted}});
}

}  // namespace vigil::api
