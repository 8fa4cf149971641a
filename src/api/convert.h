// Conversions between the wire model and the store's types, shared by the operations.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vigil/model/cloudwatch.h"
#include "vigil/storage/metric_store.h"

namespace vigil::api {

std::vector<storage::Dimension> ToStoreDimensions(
    const std::optional<std::vector<model::cw::Dimension>>& dims);
std::vector<model::cw::Dimension> ToWireDimensions(const std::vector<storage::Dimension>& dims);

// Periods CloudWatch accepts for reads: 1, 5, 10, 20, 30 or a multiple of 60.
bool IsValidPeriod(int64_t period);

}  // namespace vigil::api
