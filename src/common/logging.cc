#include "vigil/common/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

namespace vigil {
namespace {
std::mutex g_logging_mutex;
}  // namespace

std::shared_ptr<spdlog::logger> Logger(const std::string& module) {
  if (auto existing = spdlog::get(module)) return existing;
  std::lock_guard lock(g_logging_mutex);
  if (auto existing = spdlog::get(module)) return existing;
  auto base = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(module, base->sinks().begin(), base->sinks().end());
  logger->set_level(base->level());
  spdlog::register_logger(logger);
  return logger;
}

void SetupLogging(const std::string& level) {
  std::lock_guard lock(g_logging_mutex);
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("vigil", sink);
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::apply_all([&](std::shared_ptr<spdlog::logger> l) {
    l->set_level(spdlog::level::from_str(level));
  });
}

}  // namespace vigil
