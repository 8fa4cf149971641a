#include "vigil/model/shape.h"

namespace vigil::model {

const Shape kStringShape = {.name = "String", .kind = Kind::kString};
const Shape kBooleanShape = {.name = "Boolean", .kind = Kind::kBoolean};
const Shape kIntegerShape = {.name = "Integer", .kind = Kind::kInteger};
const Shape kLongShape = {.name = "Long", .kind = Kind::kLong};
const Shape kDoubleShape = {.name = "Double", .kind = Kind::kDouble};
const Shape kTimestampShape = {.name = "Timestamp", .kind = Kind::kTimestamp};
const Shape kBlobShape = {.name = "Blob", .kind = Kind::kBlob};

}  // namespace vigil::model
