#include "api/admin.h"

#include <nlohmann/json.hpp>

#include "vigil/alarms/service.h"
#include "vigil/api/anomaly_retrainer.h"
#include "vigil/common/logging.h"
#include "vigil/notify/delivery.h"
#include "vigil/notify/topics.h"

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
  if (path == "/_vigil/clock") {
    if (req.method != "POST" && req.method != "GET") {
      return Json(405, {{"error", "use GET or POST"}});
    }
    return Clock(req);
  }
  if (path == notify::kSigningCertPath) {
    if (req.method != "GET" && req.method != "HEAD") return Json(405, {{"error", "use GET"}});
    if (services_->signing_cert_pem.empty()) return Json(404, {{"error", "no signing key"}});
    HttpResponse resp;
    resp.status = 200;
    resp.SetHeader("Content-Type", "application/x-pem-file");
    resp.body = services_->signing_cert_pem;
    return resp;
  }
  if (path == "/_vigil/alarms/evaluate") {
    if (req.method != "POST") return Json(405, {{"error", "use POST"}});
    return EvaluateAlarms();
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
  if (s.ok() && services_->alarms != nullptr) s = services_->alarms->Reset();
  if (s.ok() && services_->sns_topics != nullptr) s = services_->sns_topics->Reset();
  if (services_->delivery != nullptr) services_->delivery->Reset();
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

namespace {

nlohmann::json PassJson(Timestamp now, const alarms::PassReport& r) {
  return {{"now", now.as_double_seconds()},
          {"ticks", r.ticks},
          {"evaluations", r.evaluations},
          {"transitions", r.transitions},
          {"errors", r.errors}};
}

}  // namespace

HttpResponse Admin::Clock(const HttpRequest& req) {
  ManualClock* manual = services_->manual_clock;
  if (req.method == "GET") {
    return Json(200, {{"now", services_->clock->Now().as_double_seconds()},
                      {"mode", manual != nullptr ? "manual" : "system"}});
  }
  if (manual == nullptr) {
    return Json(409, {{"error", "vigil runs on the system clock; start it with --clock=manual "
                                "(or VIGIL_CLOCK=manual) to move time"}});
  }
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  auto number = [&](const char* key) -> std::optional<double> {
    if (!body.is_object() || !body.contains(key) || !body[key].is_number()) return std::nullopt;
    return body[key].get<double>();
  };
  auto now = number("now");
  auto advance = number("advance");
  if (now.has_value() == advance.has_value()) {
    return Json(400, {{"error", R"(send {"now": <epoch seconds>} or {"advance": <seconds>})"}});
  }
  if (advance && *advance < 0) return Json(400, {{"error", "advance must not be negative"}});
  std::optional<Timestamp> target =
      now ? FromEpochSeconds(*now)
          : FromEpochSeconds(manual->Now().as_double_seconds() + *advance);
  if (!target) return Json(400, {{"error", "time out of range"}});
  // One mover at a time, so two requests cannot interleave Set and the evaluation.
  std::lock_guard lock(clock_mu_);
  manual->Set(*target);
  // The anomaly models first, so the band alarms evaluated at the new time find them trained.
  RetrainReport retrained;
  if (services_->anomaly_retrainer != nullptr) {
    retrained = services_->anomaly_retrainer->RunDue(*target);
  }
  alarms::PassReport report;
  if (services_->alarms != nullptr) report = services_->alarms->RunDue(*target);
  // Then the deliveries due by now (alarm actions just staged, retries), waited for.
  if (services_->delivery != nullptr) services_->delivery->RunDue(*target);
  Logger("api")->debug("clock set to {} ({} evaluations, {} transitions, {} models retrained)",
                       FormatIso8601(*target), report.evaluations, report.transitions,
                       retrained.detectors);
  nlohmann::json answer = PassJson(*target, report);
  answer["retrained"] = retrained.detectors;
  return Json(200, answer);
}

HttpResponse Admin::EvaluateAlarms() {
  if (services_->alarms == nullptr) return Json(503, {{"error", "no alarm service"}});
  Timestamp now = services_->clock->Now();
  return Json(200, PassJson(now, services_->alarms->EvaluateAll(now)));
}

}  // namespace vigil::api
