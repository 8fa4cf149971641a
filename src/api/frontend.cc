#include "vigil/api/frontend.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>

#include "api/admin.h"
#include "api/auth.h"
#include "api/context.h"
#include "api/registry.h"
#include "api/sns/sns_common.h"
#include "vigil/common/logging.h"
#include "vigil/protocol/protocol.h"

namespace vigil::api {
namespace {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  // UUID version 4, variant 1.
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

ApiError BodyError(const HttpRequest& req, size_t limit_hint) {
  switch (req.body_status) {
    case BodyStatus::kTooLarge:
      return MakeError(ErrorCode::kRequestEntityTooLarge,
                       "Request size " + std::to_string(req.wire_body_bytes) + " exceeded " +
                           std::to_string(limit_hint) + " bytes");
    case BodyStatus::kInflatedTooLarge:
      return MakeError(ErrorCode::kRequestEntityTooLarge,
                       "The request body inflates beyond the size vigil accepts.");
    case BodyStatus::kBadEncoding:
      return MakeError(ErrorCode::kSerializationException,
                       "The request body could not be decompressed (corrupt or truncated gzip).");
    case BodyStatus::kUnsupportedEncoding:
      return MakeError(ErrorCode::kUnsupportedMediaType,
                       "Content-Encoding " + std::string(req.Header("content-encoding")) +
                           " is not supported; use gzip or identity.");
    case BodyStatus::kOk:
      break;
  }
  return MakeError(ErrorCode::kInternalFailure, "unexpected body status");
}

struct Deleter {
  const model::Shape* shape;
  void operator()(void* p) const {
    if (p != nullptr) shape->destroy(p);
  }
};
using Owned = std::unique_ptr<void, Deleter>;

Owned Create(const model::Shape* shape) {
  if (shape == nullptr) return Owned(nullptr, Deleter{shape});
  return Owned(shape->create(), Deleter{shape});
}

// Which service a Query request is for. CloudWatch and SNS share `POST /`; the Version decides,
// then the SigV4 scope's service, then (for the unsigned GETs a receiver sends to SubscribeURL and
// UnsubscribeURL, which carry neither) whether the action exists only in SNS. JSON and CBOR
// requests are CloudWatch's.
bool IsSnsCall(const protocol::IncomingCall& call, const Identity& who) {
  if (call.protocol() != protocol::Protocol::kQuery) return false;
  if (call.version() == protocol::kSnsService.query_version) return true;
  if (call.version() == protocol::kCloudWatchService.query_version) return false;
  if (who.service == "sns") return true;
  if (who.service == "monitoring") return false;
  return Registry::CloudWatch().Find(call.operation()) == nullptr &&
         Registry::Sns().Find(call.operation()) != nullptr;
}

}  // namespace

class Frontend::Impl {
 public:
  explicit Impl(Services services)
      : services_(std::move(services)),
        admin_(&services_),
        registry_(Registry::CloudWatch()),
        log_(Logger("api")) {}

  HttpResponse Handle(const HttpRequest& req) {
    auto started = std::chrono::steady_clock::now();
    std::string request_id = NewRequestId();
    std::string operation;
    HttpResponse resp;
    if (Admin::Owns(req.Path())) {
      operation = std::string(req.Path());
      resp = admin_.Handle(req);
    } else {
      resp = HandleApi(req, request_id, operation);
    }
    resp.SetHeader("x-amzn-RequestId", request_id);
    if (log_->should_log(spdlog::level::debug)) {
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
      log_->debug("{} {} {} -> {} ({} bytes in, {} µs)", request_id, req.remote,
                  operation.empty() ? "-" : operation, resp.status, req.body.size(), micros);
    }
    return resp;
  }

 private:
  HttpResponse HandleApi(const HttpRequest& req, const std::string& request_id,
                         std::string& operation) {
    Identity who = ResolveIdentity(req, services_.config.default_account,
                                   services_.config.default_region);
    protocol::WireContext wire = protocol::DetectContext(req);
    // Errors before the operation is known: SNS's namespace when the signature says SNS.
    const protocol::ServiceInfo* svc_ptr =
        wire.protocol == protocol::Protocol::kQuery && who.service == "sns"
            ? &protocol::kSnsService
            : &protocol::kCloudWatchService;
    if (req.body_status != BodyStatus::kOk) {
      return protocol::EncodeError(wire, *svc_ptr, BodyError(req, 1024 * 1024), request_id);
    }
    auto parsed = protocol::Parse(req, protocol::kCloudWatchService);
    if (!parsed.ok()) return protocol::EncodeError(wire, *svc_ptr, parsed.error(), request_id);
    const protocol::IncomingCall& call = **parsed;
    wire = {call.protocol(), call.query_mode()};
    operation = call.operation();
    const bool sns = IsSnsCall(call, who);
    const protocol::ServiceInfo& svc = sns ? protocol::kSnsService : protocol::kCloudWatchService;
    const Registry& registry = sns ? Registry::Sns() : registry_;

    const Registry::Entry* entry = registry.Find(call.operation());
    if (entry == nullptr) {
      return protocol::EncodeError(
          wire, svc,
          MakeError(ErrorCode::kInvalidAction,
                    "Could not find operation " + call.operation() + " for version " +
                        std::string(svc.query_version)),
          request_id);
    }
    if (!entry->invoke) {
      return protocol::EncodeError(
          wire, svc,
          MakeError(ErrorCode::kNotImplemented,
                    "vigil does not support the " + call.operation() +
                        " operation yet; see docs/protocols.md for the supported operations."),
          request_id);
    }

    RequestContext ctx{who.account, who.region, request_id, services_.clock->Now(), &services_};

    const model::Operation& op = *entry->operation;
    Owned input = Create(op.input);
    Owned output = Create(op.output);
    Status status = call.DecodeInput(*op.input, input.get());
    if (!status.ok() && sns) status = sns_ops::ToSnsDecodeError(status.error());
    if (status.ok()) {
      try {
        status = entry->invoke(ctx, input.get(), output.get());
      } catch (const std::exception& e) {
        log_->error("{} {} threw: {}", request_id, operation, e.what());
        status = MakeError(sns ? ErrorCode::kInternalError : ErrorCode::kInternalFailure,
                           "An internal error occurred.");
      }
    }
    if (!status.ok()) return protocol::EncodeError(wire, svc, status.error(), request_id);
    return protocol::EncodeResult(wire.protocol, svc, op.name, op.output, output.get(),
                                  request_id);
  }

  Services services_;
  Admin admin_;
  const Registry& registry_;
  std::shared_ptr<spdlog::logger> log_;
};

Frontend::Frontend(Services services) : impl_(std::make_unique<Impl>(std::move(services))) {}
Frontend::~Frontend() = default;

HttpResponse Frontend::Handle(const HttpRequest& request) { return impl_->Handle(request); }

}  // namespace vigil::api
