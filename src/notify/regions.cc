#include "vigil/notify/regions.h"

#include <array>
#include <utility>

namespace vigil::notify {
namespace {

// Commercial partition (aws), in the order AWS lists them. CloudWatch keeps the "EU (...)" style
// for European regions in alarm messages and subjects.
constexpr std::array<std::pair<std::string_view, std::string_view>, 36> kRegions{{
    {"us-east-1", "US East (N. Virginia)"},
    {"us-east-2", "US East (Ohio)"},
    {"us-west-1", "US West (N. California)"},
    {"us-west-2", "US West (Oregon)"},
    {"af-south-1", "Africa (Cape Town)"},
    {"ap-east-1", "Asia Pacific (Hong Kong)"},
    {"ap-east-2", "Asia Pacific (Taipei)"},
    {"ap-south-1", "Asia Pacific (Mumbai)"},
    {"ap-south-2", "Asia Pacific (Hyderabad)"},
    {"ap-southeast-1", "Asia Pacific (Singapore)"},
    {"ap-southeast-2", "Asia Pacific (Sydney)"},
    {"ap-southeast-3", "Asia Pacific (Jakarta)"},
    {"ap-southeast-4", "Asia Pacific (Melbourne)"},
    {"ap-southeast-5", "Asia Pacific (Malaysia)"},
    {"ap-southeast-6", "Asia Pacific (New Zealand)"},
    {"ap-southeast-7", "Asia Pacific (Thailand)"},
    {"ap-northeast-1", "Asia Pacific (Tokyo)"},
    {"ap-northeast-2", "Asia Pacific (Seoul)"},
    {"ap-northeast-3", "Asia Pacific (Osaka)"},
    {"ca-central-1", "Canada (Central)"},
    {"ca-west-1", "Canada West (Calgary)"},
    {"eu-central-1", "EU (Frankfurt)"},
    {"eu-central-2", "EU (Zurich)"},
    {"eu-west-1", "EU (Ireland)"},
    {"eu-west-2", "EU (London)"},
    {"eu-west-3", "EU (Paris)"},
    {"eu-south-1", "EU (Milan)"},
    {"eu-south-2", "EU (Spain)"},
    {"eu-north-1", "EU (Stockholm)"},
    {"il-central-1", "Israel (Tel Aviv)"},
    {"me-south-1", "Middle East (Bahrain)"},
    {"me-central-1", "Middle East (UAE)"},
    {"mx-central-1", "Mexico (Central)"},
    {"sa-east-1", "South America (Sao Paulo)"},
    {"us-gov-east-1", "AWS GovCloud (US-East)"},
    {"us-gov-west-1", "AWS GovCloud (US-West)"},
}};

}  // namespace

std::optional<std::string_view> RegionLongName(std::string_view region_code) {
  for (const auto& [code, name] : kRegions) {
    if (code == region_code) return name;
  }
  return std::nullopt;
}

std::string_view RegionDisplayName(std::string_view region_code) {
  auto name = RegionLongName(region_code);
  return name ? *name : region_code;
}

}  // namespace vigil::notify
