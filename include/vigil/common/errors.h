// The one error table.
//
// Every error vigil can answer is an ErrorCode. Each entry carries what all three wire protocols
// need: the legacy Query code (also sent in `x-amzn-query-error`), the JSON/CBOR `__type`, the HTTP
// status and whether the client (Sender) or the server (Receiver) is at fault. Codes and shapes
// follow botocore's CloudWatch model and the recorded AWS answers
// (../shared/reference/aws-recorded-answers.md §1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace vigil {

enum class ErrorCode : uint8_t {
  // Modelled CloudWatch errors (botocore service-2.json).
  kInvalidParameterValue,
  kInvalidParameterCombination,
  kMissingParameter,
  kResourceNotFound,
  kResourceNotFoundException,
  kInvalidNextToken,
  kLimitExceeded,
  kLimitExceededException,
  kInvalidFormat,
  kInvalidParameterInput,
  kDashboardNotFound,
  kConcurrentModification,
  kConflict,
  kInternalServiceError,
  // Errors of the service framework (coral) that every AWS JSON service answers.
  kValidationError,
  kSerializationException,
  kInvalidAction,
  kMissingAction,
  kMalformedQueryString,
  kRequestEntityTooLarge,
  kUnsupportedMediaType,
  kThrottling,
  kServiceUnavailable,
  kInternalFailure,
  // A recognised operation that vigil does not build yet (documented in docs/protocols.md).
  kNotImplemented,
  // SNS (botocore's sns model; Query only, so json_type is never sent). Tag operations on a
  // missing topic answer kResourceNotFound above (same code, status and fault as SNS's).
  kNotFound,
  kInvalidParameter,
  kParameterValueInvalid,
  kAuthorizationError,
  kInternalError,
  kTagLimitExceeded,
  kTopicLimitExceeded,
  kSubscriptionLimitExceeded,
  kCount_,
};

struct ErrorInfo {
  ErrorCode code;
  std::string_view query_code;  // legacy code: <Code> in XML, first half of x-amzn-query-error
  std::string_view json_type;   // `__type` in JSON 1.0 and rpc-v2-cbor bodies
  uint16_t http_status;
  bool sender_fault;            // Sender (client) or Receiver (server)
};

#define VIGIL_CW_ "com.amazonaws.cloudwatch.v2010_08_01#"
#define VIGIL_SNS_ "com.amazonaws.sns#"
inline constexpr ErrorInfo kErrorTable[] = {
    {ErrorCode::kInvalidParameterValue, "InvalidParameterValue",
     VIGIL_CW_ "InvalidParameterValueException", 400, true},
    {ErrorCode::kInvalidParameterCombination, "InvalidParameterCombination",
     VIGIL_CW_ "InvalidParameterCombinationException", 400, true},
    {ErrorCode::kMissingParameter, "MissingParameter",
     VIGIL_CW_ "MissingRequiredParameterException", 400, true},
    {ErrorCode::kResourceNotFound, "ResourceNotFound", VIGIL_CW_ "ResourceNotFound", 404, true},
    {ErrorCode::kResourceNotFoundException, "ResourceNotFoundException",
     VIGIL_CW_ "ResourceNotFoundException", 404, true},
    {ErrorCode::kInvalidNextToken, "InvalidNextToken", VIGIL_CW_ "InvalidNextToken", 400, true},
    {ErrorCode::kLimitExceeded, "LimitExceeded", VIGIL_CW_ "LimitExceededFault", 400, true},
    {ErrorCode::kLimitExceededException, "LimitExceededException",
     VIGIL_CW_ "LimitExceededException", 400, true},
    {ErrorCode::kInvalidFormat, "InvalidFormat", VIGIL_CW_ "InvalidFormatFault", 400, true},
    {ErrorCode::kInvalidParameterInput, "InvalidParameterInput",
     VIGIL_CW_ "DashboardInvalidInputError", 400, true},
    {ErrorCode::kDashboardNotFound, "ResourceNotFound", VIGIL_CW_ "DashboardNotFoundError", 404,
     true},
    {ErrorCode::kConcurrentModification, "ConcurrentModificationException",
     VIGIL_CW_ "ConcurrentModificationException", 429, true},
    {ErrorCode::kConflict, "ConflictException", VIGIL_CW_ "ConflictException", 409, true},
    {ErrorCode::kInternalServiceError, "InternalServiceError", VIGIL_CW_ "InternalServiceFault",
     500, false},
    {ErrorCode::kValidationError, "ValidationError", "com.amazon.coral.validate#ValidationException",
     400, true},
    {ErrorCode::kSerializationException, "SerializationException",
     "com.amazon.coral.service#SerializationException", 400, true},
    {ErrorCode::kInvalidAction, "InvalidAction", "com.amazon.coral.service#UnknownOperationException",
     400, true},
    {ErrorCode::kMissingAction, "MissingAction", "com.amazon.coral.service#UnknownOperationException",
     400, true},
    {ErrorCode::kMalformedQueryString, "MalformedQueryString",
     "com.amazon.coral.service#SerializationException", 400, true},
    {ErrorCode::kRequestEntityTooLarge, "RequestEntityTooLarge",
     "com.amazon.coral.service#RequestEntityTooLargeException", 413, true},
    {ErrorCode::kUnsupportedMediaType, "UnsupportedMediaType",
     "com.amazon.coral.service#UnsupportedMediaTypeException", 415, true},
    {ErrorCode::kThrottling, "Throttling", "com.amazon.coral.availability#ThrottlingException", 400,
     true},
    {ErrorCode::kServiceUnavailable, "ServiceUnavailable",
     "com.amazon.coral.availability#ServiceUnavailableException", 503, false},
    {ErrorCode::kInternalFailure, "InternalFailure", "com.amazon.coral.service#InternalFailure", 500,
     false},
    {ErrorCode::kNotImplemented, "NotImplemented", "com.amazon.coral.service#NotImplemented", 501,
     false},
    {ErrorCode::kNotFound, "NotFound", VIGIL_SNS_ "NotFoundException", 404, true},
    {ErrorCode::kInvalidParameter, "InvalidParameter", VIGIL_SNS_ "InvalidParameterException",
     400, true},
    {ErrorCode::kParameterValueInvalid, "ParameterValueInvalid",
     VIGIL_SNS_ "InvalidParameterValueException", 400, true},
    {ErrorCode::kAuthorizationError, "AuthorizationError",
     VIGIL_SNS_ "AuthorizationErrorException", 403, true},
    {ErrorCode::kInternalError, "InternalError", VIGIL_SNS_ "InternalErrorException", 500, false},
    {ErrorCode::kTagLimitExceeded, "TagLimitExceeded", VIGIL_SNS_ "TagLimitExceededException",
     400, true},
    {ErrorCode::kTopicLimitExceeded, "TopicLimitExceeded",
     VIGIL_SNS_ "TopicLimitExceededException", 403, true},
    {ErrorCode::kSubscriptionLimitExceeded, "SubscriptionLimitExceeded",
     VIGIL_SNS_ "SubscriptionLimitExceededException", 403, true},
};
#undef VIGIL_CW_
#undef VIGIL_SNS_

static_assert(std::size(kErrorTable) == static_cast<size_t>(ErrorCode::kCount_),
              "every ErrorCode needs exactly one row in kErrorTable");

constexpr bool ErrorTableInOrder() {
  for (size_t i = 0; i < std::size(kErrorTable); ++i) {
    if (static_cast<size_t>(kErrorTable[i].code) != i) return false;
  }
  return true;
}
static_assert(ErrorTableInOrder(), "kErrorTable rows must follow the ErrorCode order");

constexpr const ErrorInfo& InfoOf(ErrorCode code) {
  return kErrorTable[static_cast<size_t>(code)];
}

}  // namespace vigil
