// Named spdlog loggers, one per module ("net", "api", "store", ...), sharing the default sinks.
// Use `debug` for per-request detail, `info` for lifecycle; never `error` for a client's mistake.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace vigil {

// The module's logger; created on first use with the default logger's sinks and level.
// Thread-safe.
std::shared_ptr<spdlog::logger> Logger(const std::string& module);

// Configures the default logger (stderr, pattern with time and module) and the level of all.
void SetupLogging(const std::string& level);

}  // namespace vigil
