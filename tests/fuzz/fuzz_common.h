// Shared body of the protocol fuzz targets: decode arbitrary bytes as the input of
// PutMetricData, GetMetricData and PutMetricAlarm, re-encode whatever decoded in all three
// protocols, and check that JSON/CBOR output decodes back to the same thing.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "vigil/model/cloudwatch.h"
#include "vigil/protocol/protocol.h"

namespace vigil::protocol::fuzz {

inline HttpRequest MakeRequest(Protocol p, std::string_view op, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  if (p == Protocol::kJson10) {
    r.headers = {{"x-amz-target", "GraniteServiceVersion20100801." + std::string(op)},
                 {"content-type", "application/x-amz-json-1.0"}};
  } else if (p == Protocol::kRpcV2Cbor) {
    r.target = "/service/GraniteServiceVersion20100801/operation/" + std::string(op);
    r.headers = {{"smithy-protocol", "rpc-v2-cbor"}, {"content-type", "application/cbor"}};
  } else {
    r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
    body = "Action=" + std::string(op) + "&" + body;
  }
  r.body = std::move(body);
  return r;
}

// Decodes `body` as `p` for one operation; on success re-encodes in every protocol and, for JSON
// and CBOR, decodes the encoding again and checks it encodes identically.
inline void DecodeAndReencode(Protocol p, std::string_view op, const std::string& body) {
  const model::Operation* o = model::cw::FindOperation(op);
  const model::Shape& shape = *o->input;
  auto call = Parse(MakeRequest(p, op, body), kCloudWatchService);
  if (!call.ok()) {
    (void)EncodeError({p, true}, kCloudWatchService, call.error(), "fuzz");
    return;
  }
  void* obj = shape.create();
  Status st = (*call)->DecodeInput(shape, obj);
  if (!st.ok()) {
    for (Protocol q : {Protocol::kQuery, Protocol::kJson10, Protocol::kRpcV2Cbor}) {
      (void)EncodeError({q, false}, kCloudWatchService, st.error(), "fuzz");
    }
    shape.destroy(obj);
    return;
  }
  (void)EncodeResult(Protocol::kQuery, kCloudWatchService, op, &shape, obj, "fuzz");
  for (Protocol q : {Protocol::kJson10, Protocol::kRpcV2Cbor}) {
    HttpResponse first = EncodeResult(q, kCloudWatchService, op, &shape, obj, "fuzz");
    auto again = Parse(MakeRequest(q, op, first.body), kCloudWatchService);
    if (!again.ok()) std::abort();
    void* obj2 = shape.create();
    Status st2 = (*again)->DecodeInput(shape, obj2);
    if (!st2.ok()) std::abort();  // what we wrote must read back
    HttpResponse second = EncodeResult(q, kCloudWatchService, op, &shape, obj2, "fuzz");
    if (second.body != first.body) std::abort();
    shape.destroy(obj2);
  }
  shape.destroy(obj);
}

inline void FuzzOne(Protocol p, const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  for (std::string_view op : {"PutMetricData", "GetMetricData", "PutMetricAlarm"}) {
    DecodeAndReencode(p, op, body);
  }
}

}  // namespace vigil::protocol::fuzz
