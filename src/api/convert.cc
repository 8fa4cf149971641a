#include "api/convert.h"

namespace vigil::api {

std::vector<storage::Dimension> ToStoreDimensions(
    const std::optional<std::vector<model::cw::Dimension>>& dims) {
  std::vector<storage::Dimension> out;
  if (!dims) return out;
  out.reserve(dims->size());
  for (const auto& d : *dims) out.push_back({d.name, d.value});
  return out;
}

std::vector<model::cw::Dimension> ToWireDimensions(const std::vector<storage::Dimension>& dims) {
  std::vector<model::cw::Dimension> out;
  out.reserve(dims.size());
  for (const auto& d : dims) out.push_back({d.name, d.value});
  return out;
}

bool IsValidPeriod(int64_t period) {
  return period == 1 || period == 5 || period == 10 || period == 20 || period == 30 ||
         (period > 0 && period % 60 == 0);
}

}  // namespace vigil::api
