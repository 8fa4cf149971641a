// A test client that calls the real Frontend over each wire protocol, the way SDKs do: it encodes
// typed inputs into JSON 1.0, rpc-v2-cbor or Query requests and decodes the answers back into
// typed outputs (or an error), so API tests are written once and run over all three protocols.
#pragma once

#include <optional>
#include <string>
#include <type_traits>

#include "vigil/api/frontend.h"
#include "vigil/model/shape.h"
#include "vigil/protocol/protocol.h"

namespace vigil::testing {

struct WireError {
  int status = 0;
  std::string code;     // the legacy (Query) code, as boto3 reports it
  std::string message;  // empty when the error has none
  bool has_message = false;
};

struct RawCall {
  HttpResponse response;
  std::optional<WireError> error;
};

// RFC 3986 percent-encoding of a Query parameter name or value (unreserved characters kept).
std::string UrlEncode(std::string_view s);

// Builds the HTTP request for `input` (of `shape`) in `protocol`.
HttpRequest BuildRequest(protocol::Protocol protocol, std::string_view operation,
                         const model::Shape& shape, const void* input,
                         std::string_view access_key = "AKIDEXAMPLE",
                         std::string_view region = "us-east-1");

// Sends the request through `frontend`; on success decodes the body into `output` (may be null).
RawCall Send(api::Frontend& frontend, protocol::Protocol protocol, std::string_view operation,
             const model::Shape& in_shape, const void* input, const model::Shape* out_shape,
             void* output, std::string_view access_key = "AKIDEXAMPLE");

// Parses an error response of any protocol.
WireError ParseError(protocol::Protocol protocol, const HttpResponse& response);

template <typename In, typename Out>
  requires(!std::is_convertible_v<Out&, std::string_view>)
std::optional<WireError> Call(api::Frontend& f, protocol::Protocol p, std::string_view op,
                              const In& in, Out& out, std::string_view access_key = "AKIDEXAMPLE") {
  return Send(f, p, op, model::ShapeOf<In>(), &in, &model::ShapeOf<Out>(), &out, access_key).error;
}
template <typename In>
std::optional<WireError> Call(api::Frontend& f, protocol::Protocol p, std::string_view op,
                              const In& in, std::string_view access_key = "AKIDEXAMPLE") {
  return Send(f, p, op, model::ShapeOf<In>(), &in, nullptr, nullptr, access_key).error;
}

}  // namespace vigil::testing
