// Protocol detection, the three IncomingCall implementations, and result/error encoding.
#include "vigil/protocol/protocol.h"

#include <cctype>
#include <exception>

#include "protocol/query_decoder.h"
#include "protocol/token_decoder.h"
#include "protocol/tokens.h"
#include "protocol/validate.h"
#include "protocol/writer.h"

namespace vigil::protocol {

const ServiceInfo kCloudWatchService = {
    .json_target_prefix = "GraniteServiceVersion20100801",
    .cbor_service_name = "GraniteServiceVersion20100801",
    .query_version = "2010-08-01",
    .xml_namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/",
};

const ServiceInfo kSnsService = {
    .json_target_prefix = "",
    .cbor_service_name = "",
    .query_version = "2010-03-31",
    .xml_namespace = "http://sns.amazonaws.com/doc/2010-03-31/",
};

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kQuery:
      return "query";
    case Protocol::kJson10:
      return "json";
    case Protocol::kRpcV2Cbor:
      return "cbor";
  }
  return "query";
}

namespace {

using internal::FormParams;
using internal::TokenFlavor;
using internal::TokenStream;

// Token buffers above these sizes are not kept between requests.
constexpr size_t kKeepTokens = size_t{1} << 18;  // 4 MB of tokens
constexpr size_t kKeepArena = size_t{4} << 20;

constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";
constexpr std::string_view kCborContentType = "application/cbor";
constexpr std::string_view kXmlContentType = "text/xml";
constexpr std::string_view kInvalidActionMessage =
    "The action or operation requested is invalid. Verify that the action is typed correctly.";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type value, without parameters.
std::string_view MediaType(std::string_view content_type) {
  return Trim(content_type.substr(0, content_type.find(';')));
}

bool IsCborRequest(const HttpRequest& r) {
  return EqualsIgnoreCase(Trim(r.Header("smithy-protocol")), "rpc-v2-cbor") ||
         r.Path().starts_with("/service/");
}

bool QueryMode(const HttpRequest& r) {
  return EqualsIgnoreCase(Trim(r.Header("x-amzn-query-mode")), "true");
}

bool LooksLikeForm(std::string_view body) {
  if (body.empty() || body.find('=') == std::string_view::npos) return false;
  unsigned char c = static_cast<unsigned char>(body[0]);
  return std::isalnum(c) || c == '%' || c == '_' || c == '.' || c == '-';
}

bool IsJsonWhitespace(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

// Runs a decoder and the constraint check, turning anything thrown into InternalFailure.
template <typename F>
Status Guarded(const model::Shape& shape, void* out, F&& decode) {
  try {
    RETURN_IF_ERROR(decode());
    return internal::ValidateConstraints(shape, out);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternalFailure, std::string("Decoding failed: ") + e.what());
  } catch (...) {
    return MakeError(ErrorCode::kInternalFailure, "Decoding failed");
  }
}

class TokenCall final : public IncomingCall {
 public:
  TokenCall(Protocol protocol, std::string operation, bool query_mode, std::string body)
      : body_(std::move(body)) {
    protocol_ = protocol;
    operation_ = std::move(operation);
    query_mode_ = query_mode;
  }

  Status DecodeInput(const model::Shape& shape, void* out) const override {
    return Guarded(shape, out, [&]() -> Status {
      // One token buffer per thread, reused: a fresh half-megabyte vector per request costs
      // more in page faults than decoding does.
      thread_local TokenStream tokens;
      struct Release {
        TokenStream& t;
        ~Release() {
          t.Clear();
          if (t.tokens.capacity() > kKeepTokens) std::vector<internal::Token>().swap(t.tokens);
          if (t.arena.capacity() > kKeepArena) std::string().swap(t.arena);
        }
      } release{tokens};
      TokenFlavor flavor = protocol_ == Protocol::kJson10 ? TokenFlavor::kJson : TokenFlavor::kCbor;
      // An empty body is `{}` in both protocols.
      bool empty = flavor == TokenFlavor::kJson ? IsJsonWhitespace(body_) : body_.empty();
      if (!empty) {
        RETURN_IF_ERROR(flavor == TokenFlavor::kJson ? internal::ReadJson(body_, tokens)
                                                     : internal::ReadCbor(body_, tokens));
      }
      return internal::DecodeTokens(tokens, flavor, shape, out);
    });
  }

 private:
  std::string body_;
};

class QueryCall final : public IncomingCall {
 public:
  QueryCall(std::string operation, std::string version, bool query_mode, FormParams params)
      : params_(std::move(params)) {
    protocol_ = Protocol::kQuery;
    operation_ = std::move(operation);
    version_ = std::move(version);
    query_mode_ = query_mode;
  }

  Status DecodeInput(const model::Shape& shape, void* out) const override {
    return Guarded(shape, out, [&] { return internal::DecodeQuery(params_, shape, out); });
  }

 private:
  FormParams params_;
};

Result<std::unique_ptr<IncomingCall>> ParseCbor(const HttpRequest& r, const ServiceInfo& service) {
  // /service/<service>/operation/<Op>
  std::string_view path = r.Path();
  constexpr std::string_view kService = "/service/";
  constexpr std::string_view kOperation = "/operation/";
  if (!path.starts_with(kService))
    return MakeError(ErrorCode::kInvalidAction, std::string(kInvalidActionMessage));
  path.remove_prefix(kService.size());
  size_t slash = path.find('/');
  std::string_view svc = path.substr(0, slash);
  if (slash == std::string_view::npos || svc != service.cbor_service_name) {
    return MakeError(ErrorCode::kInvalidAction, std::string(kInvalidActionMessage));
  }
  path.remove_prefix(slash);
  if (!path.starts_with(kOperation)) {
    return MakeError(ErrorCode::kInvalidAction, std::string(kInvalidActionMessage));
  }
  path.remove_prefix(kOperation.size());
  if (path.empty() || path.find('/') != std::string_view::npos) {
    return MakeError(ErrorCode::kInvalidAction, std::string(kInvalidActionMessage));
  }
  std::string_view ct = MediaType(r.Header("content-type"));
  if (!r.body.empty() && !ct.empty() && !EqualsIgnoreCase(ct, kCborContentType)) {
    return MakeError(
        ErrorCode::kUnsupportedMediaType,
        "Content-Type " + std::string(ct) + " is not supported; use application/cbor.");
  }
  return std::unique_ptr<IncomingCall>(
      new TokenCall(Protocol::kRpcV2Cbor, std::string(path), QueryMode(r), r.body));
}

Result<std::unique_ptr<IncomingCall>> ParseJson(const HttpRequest& r, const ServiceInfo& service) {
  std::string_view target = Trim(r.Header("x-amz-target"));
  size_t dot = target.rfind('.');
  if (dot == std::string_view::npos || target.substr(0, dot) != service.json_target_prefix ||
      dot + 1 == target.size()) {
    return MakeError(ErrorCode::kInvalidAction, std::string(kInvalidActionMessage));
  }
  std::string_view ct = MediaType(r.Header("content-type"));
  if (!ct.empty() && !EqualsIgnoreCase(ct, kJsonContentType) &&
      !EqualsIgnoreCase(ct, "application/x-amz-json-1.1") &&
      !EqualsIgnoreCase(ct, "application/json")) {
    return MakeError(
        ErrorCode::kUnsupportedMediaType,
        "Content-Type " + std::string(ct) + " is not supported; use application/x-amz-json-1.0.");
  }
  return std::unique_ptr<IncomingCall>(
      new TokenCall(Protocol::kJson10, std::string(target.substr(dot + 1)), QueryMode(r), r.body));
}

Result<std::unique_ptr<IncomingCall>> ParseQuery(const HttpRequest& r) {
  std::string_view ct = MediaType(r.Header("content-type"));
  std::string_view text;
  if (EqualsIgnoreCase(ct, "application/x-www-form-urlencoded") || LooksLikeForm(r.body)) {
    text = r.body;
  } else if (r.body.empty()) {
    text = r.QueryString();
  } else {
    return MakeError(ErrorCode::kUnsupportedMediaType,
                     "Content-Type " + std::string(ct.empty() ? "(none)" : ct) +
                         " is not supported; send a form (application/x-www-form-urlencoded).");
  }
  if (text.empty()) text = r.QueryString();
  FormParams params;
  RETURN_IF_ERROR(params.Parse(text));
  std::string action, version;
  if (!params.Get("Action", action) || action.empty()) {
    return MakeError(ErrorCode::kMissingAction,
                     "The request is missing an action or a required parameter.");
  }
  params.Get("Version", version);
  return std::unique_ptr<IncomingCall>(
      new QueryCall(std::move(action), std::move(version), QueryMode(r), std::move(params)));
}

HttpResponse Response(int status, std::string_view content_type, std::string body) {
  HttpResponse resp;
  resp.status = status;
  resp.SetHeader("Content-Type", std::string(content_type));
  resp.body = std::move(body);
  return resp;
}

}  // namespace

WireContext DetectContext(const HttpRequest& request) {
  WireContext ctx;
  ctx.query_mode = QueryMode(request);
  if (IsCborRequest(request)) {
    ctx.protocol = Protocol::kRpcV2Cbor;
  } else if (request.HasHeader("x-amz-target")) {
    ctx.protocol = Protocol::kJson10;
  }
  return ctx;
}

Result<std::unique_ptr<IncomingCall>> Parse(const HttpRequest& request,
                                            const ServiceInfo& service) {
  try {
    if (IsCborRequest(request)) return ParseCbor(request, service);
    if (request.HasHeader("x-amz-target")) return ParseJson(request, service);
    return ParseQuery(request);
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternalFailure, std::string("Parsing failed: ") + e.what());
  }
}

HttpResponse EncodeResult(Protocol protocol, const ServiceInfo& service, std::string_view operation,
                          const model::Shape* output_shape, const void* output,
                          std::string_view request_id) {
  std::string body;
  switch (protocol) {
    case Protocol::kJson10: {
      if (output_shape && output) {
        internal::WriteValue(*internal::MakeJsonWriter(body), *output_shape, output);
      } else {
        body = "{}";
      }
      return Response(200, kJsonContentType, std::move(body));
    }
    case Protocol::kRpcV2Cbor: {
      if (output_shape && output) {
        internal::WriteValue(*internal::MakeCborWriter(body), *output_shape, output);
      } else {
        body.push_back(static_cast<char>(0xA0));  // empty map
      }
      HttpResponse resp = Response(200, kCborContentType, std::move(body));
      resp.SetHeader("smithy-protocol", "rpc-v2-cbor");
      return resp;
    }
    case Protocol::kQuery:
      break;
  }
  body.reserve(256);
  body += '<';
  body += operation;
  body += "Response xmlns=\"";
  body += service.xml_namespace;
  body += "\">";
  if (output_shape) {
    body += '<';
    body += operation;
    body += "Result>";
    size_t content = body.size();
    if (output) internal::WriteValue(*internal::MakeXmlWriter(body), *output_shape, output);
    if (body.size() == content) {
      body.back() = '/';
      body += '>';
    } else {
      body += "</";
      body += operation;
      body += "Result>";
    }
  }
  body += "<ResponseMetadata><RequestId>";
  internal::AppendXmlEscaped(body, request_id);
  body += "</RequestId></ResponseMetadata></";
  body += operation;
  body += "Response>";
  return Response(200, kXmlContentType, std::move(body));
}

HttpResponse EncodeError(const WireContext& wire, const ServiceInfo& service, const ApiError& error,
                         std::string_view request_id) {
  const ErrorInfo& info = InfoOf(error.code);
  const std::string_view fault = info.sender_fault ? "Sender" : "Receiver";
  std::string body;
  if (wire.protocol == Protocol::kQuery) {
    body += "<ErrorResponse xmlns=\"";
    body += service.xml_namespace;
    body += "\"><Error><Type>";
    body += fault;
    body += "</Type><Code>";
    body += info.query_code;
    body += "</Code>";
    if (error.has_message) {
      body += "<Message>";
      internal::AppendXmlEscaped(body, error.message);
      body += "</Message>";
    }
    body += "</Error><RequestId>";
    internal::AppendXmlEscaped(body, request_id);
    body += "</RequestId></ErrorResponse>";
    return Response(info.http_status, kXmlContentType, std::move(body));
  }
  // JSON 1.0 and RPC v2 CBOR: without x-amzn-query-mode a 404 is answered as 400 (recorded).
  int status = info.http_status;
  if (!wire.query_mode && status == 404) status = 400;
  HttpResponse resp;
  if (wire.protocol == Protocol::kJson10) {
    body += "{\"__type\":";
    internal::AppendJsonString(body, info.json_type);
    if (error.has_message) {
      body += ",\"message\":";
      internal::AppendJsonString(body, error.message);
    }
    body += '}';
    resp = Response(status, kJsonContentType, std::move(body));
  } else {
    auto w = internal::MakeCborWriter(body);
    w->BeginStructure(error.has_message ? 2 : 1);
    w->BeginField("__type");
    w->String(info.json_type);
    w->EndField();
    if (error.has_message) {
      w->BeginField("message");
      w->String(error.message);
      w->EndField();
    }
    w->EndStructure();
    resp = Response(status, kCborContentType, std::move(body));
    resp.SetHeader("smithy-protocol", "rpc-v2-cbor");
  }
  std::string query_error(info.query_code);
  query_error += ';';
  query_error += fault;
  resp.SetHeader("x-amzn-query-error", std::move(query_error));
  return resp;
}

}  // namespace vigil::protocol
