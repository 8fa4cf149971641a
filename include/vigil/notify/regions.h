// Region codes and the long names CloudWatch writes into alarm notifications.
//
// The `Region` field of an alarm message and the subject (`ALARM: "x" in EU (Ireland)`) use
// CloudWatch's own long names: "US East (N. Virginia)" (recorded), "EU (Ireland)" (AWS-sent
// subjects quoted in many public repositories) — the older "EU (...)" form, not the console's
// newer "Europe (...)". The table covers every commercial region; see docs/notifications.md.
#pragma once

#include <optional>
#include <string_view>

namespace vigil::notify {

// The long name of a commercial region code, or nullopt for a code not in the table.
std::optional<std::string_view> RegionLongName(std::string_view region_code);

// RegionLongName, falling back to the code itself for regions vigil does not know (a custom
// region name configured for a test setup still produces a readable subject).
std::string_view RegionDisplayName(std::string_view region_code);

}  // namespace vigil::notify
