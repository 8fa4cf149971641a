// The one shape-driven walker for JSON and CBOR: reads a TokenStream into a model struct
// through its Shape (Member::mutable_value, Shape::list_append, Shape::map_insert).
//
// Rules (docs/protocols.md has the full list): unknown members are skipped at any depth; null
// (and CBOR undefined) means absent; a duplicate key keeps its first value; null list elements
// and map values are dropped; required members must be present (MissingParameter, Query-form
// path); wrong types are SerializationException "Expected a number for MetricData.member.1.Value".
#pragma once

#include "protocol/tokens.h"
#include "vigil/common/result.h"
#include "vigil/model/shape.h"

namespace vigil::protocol::internal {

enum class TokenFlavor { kJson, kCbor };

// Decodes `tokens` (one top-level value; an empty stream means `{}`) into `out`, an object of
// the structure `shape`. Does not check constraints (validate.h does).
Status DecodeTokens(const TokenStream& tokens, TokenFlavor flavor, const model::Shape& shape,
                    void* out);

}  // namespace vigil::protocol::internal
