// Model constraints (length, range, enum, pattern) checked on a decoded struct, reported the way
// coral (the AWS service framework) reports them:
//   1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy constraint:
//   Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]
// docs/protocols.md lists the exact rules (value rendering, paths, order, the cap of 10).
#pragma once

#include "vigil/common/result.h"
#include "vigil/model/shape.h"

namespace vigil::protocol::internal {

// Ok, or ValidationError naming up to 10 violations in walk order.
Status ValidateConstraints(const model::Shape& shape, const void* object);

}  // namespace vigil::protocol::internal
