// libFuzzer target: arbitrary bytes as the Query body of the SNS operations whose inputs carry
// the nested shapes (Publish's MessageAttributes.entry.N map, Subscribe's and CreateTopic's
// Attributes.entry.N maps, Tags.member.N), decoded through kSnsService and re-encoded as the XML
// answer, so every decoded value goes through the writer too.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vigil/model/sns.h"
#include "vigil/protocol/protocol.h"

namespace vigil::protocol {
namespace {

void DecodeOne(std::string_view op, const std::string& body) {
  const model::Operation* o = model::sns::FindOperation(op);
  if (o == nullptr) std::abort();
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  r.body = "Action=" + std::string(op) + "&Version=2010-03-31&" + body;
  auto call = Parse(r, kSnsService);
  if (!call.ok()) {
    (void)EncodeError({Protocol::kQuery, false}, kSnsService, call.error(), "fuzz");
    return;
  }
  const model::Shape& shape = *o->input;
  void* obj = shape.create();
  Status st = (*call)->DecodeInput(shape, obj);
  if (st.ok()) {
    (void)EncodeResult(Protocol::kQuery, kSnsService, op, &shape, obj, "fuzz");
  } else {
    (void)EncodeError({Protocol::kQuery, false}, kSnsService, st.error(), "fuzz");
  }
  shape.destroy(obj);
}

}  // namespace
}  // namespace vigil::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  for (std::string_view op : {"Publish", "Subscribe", "CreateTopic", "SetSubscriptionAttributes",
                              "TagResource"}) {
    vigil::protocol::DecodeOne(op, body);
  }
  return 0;
}
