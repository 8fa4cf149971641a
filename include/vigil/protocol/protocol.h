// The wire protocols: detect which one a request speaks, decode its body into a model struct
// through the struct's Shape, and encode a result or an error back.
//
// Three protocols, all answering the same operations (../shared/reference/cloudwatch-semantics.md §1):
//   - AWS Query: form body (or query string) `Action=<Op>&Version=<v>&...`, XML out.
//   - AWS JSON 1.0: `X-Amz-Target: <prefix>.<Op>`, `application/x-amz-json-1.0`.
//   - Smithy RPC v2 CBOR: `POST /service/<service>/operation/<Op>`, `smithy-protocol: rpc-v2-cbor`.
//
// This module knows the wire and the Shapes; it knows nothing of what operations do (style.md §1).
// Everything here is stateless and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/common/http.h"
#include "vigil/common/result.h"
#include "vigil/model/shape.h"

namespace vigil::protocol {

enum class Protocol { kQuery, kJson10, kRpcV2Cbor };

std::string_view ProtocolName(Protocol p);  // "query", "json", "cbor"

// The per-service constants the codecs need. CloudWatch and (later) SNS each have one.
struct ServiceInfo {
  std::string_view json_target_prefix;  // "GraniteServiceVersion20100801"
  std::string_view cbor_service_name;   // "GraniteServiceVersion20100801" (path segment)
  std::string_view query_version;       // "2010-08-01"
  std::string_view xml_namespace;       // "http://monitoring.amazonaws.com/doc/2010-08-01/"
};

extern const ServiceInfo kCloudWatchService;
// SNS (2010-03-31) speaks Query only: its JSON target prefix and CBOR service name are empty and
// never match, so JSON and CBOR requests always go to CloudWatch.
extern const ServiceInfo kSnsService;

// A request whose protocol and operation are known; the body is not decoded yet.
class IncomingCall {
 public:
  virtual ~IncomingCall() = default;

  Protocol protocol() const { return protocol_; }
  const std::string& operation() const { return operation_; }
  // Query only: the `Version` parameter ("" when absent). Lets the front end route SNS
  // (2010-03-31) and CloudWatch (2010-08-01) calls that share `POST /`.
  const std::string& version() const { return version_; }
  // `x-amzn-query-mode: true` was sent (the SDKs for awsQueryCompatible services always send it).
  bool query_mode() const { return query_mode_; }

  // Decodes the body into `out`, an object of `shape` (created by shape.create), and checks the
  // model's constraints. Unknown members are ignored. Errors:
  //   - SerializationException (JSON/CBOR) / MalformedQueryString (Query): unreadable body;
  //   - SerializationException / InvalidParameterValue: a member of the wrong type;
  //   - MissingParameter "The parameter MetricData.member.1.MetricName is required.": a required
  //     member is absent (paths in Query form, whatever the protocol, as CloudWatch writes them);
  //   - ValidationError in coral's form ("1 validation error detected: Value 'X' at 'stateValue'
  //     failed to satisfy constraint: Member must satisfy enum value set: [...]") for length,
  //     range, enum and pattern constraints.
  virtual Status DecodeInput(const model::Shape& shape, void* out) const = 0;

 protected:
  Protocol protocol_ = Protocol::kQuery;
  std::string operation_;
  std::string version_;
  bool query_mode_ = false;
};

// What a request looked like before its operation was found: enough to answer an error in the
// right wire format.
struct WireContext {
  Protocol protocol = Protocol::kQuery;
  bool query_mode = false;
};

// Best guess of the protocol from headers and path alone (never fails). Used to shape errors for
// requests that fail before parsing (body too large, bad gzip).
WireContext DetectContext(const HttpRequest& request);

// Detects the protocol and operation. Fails with InvalidAction for an unknown/missing target,
// MissingAction for a Query request without Action, UnsupportedMediaType for a body the
// protocol cannot read. Does not check that the operation exists.
Result<std::unique_ptr<IncomingCall>> Parse(const HttpRequest& request, const ServiceInfo& service);

// Encodes a successful result. `output_shape`/`output` may be null for an empty result.
// Sets status 200, Content-Type and body; the caller adds x-amzn-RequestId.
HttpResponse EncodeResult(Protocol protocol, const ServiceInfo& service,
                          std::string_view operation, const model::Shape* output_shape,
                          const void* output, std::string_view request_id);

// Encodes an error from the one error table: Query -> XML ErrorResponse (Type, Code, Message,
// RequestId); JSON/CBOR -> {"__type", "message"} and `x-amzn-query-error: <Code>;Sender|Receiver`.
// Without `x-amzn-query-mode`, JSON/CBOR answer a 404 error as 400 (recorded AWS behaviour).
HttpResponse EncodeError(const WireContext& wire, const ServiceInfo& service, const ApiError& error,
                         std::string_view request_id);

}  // namespace vigil::protocol
