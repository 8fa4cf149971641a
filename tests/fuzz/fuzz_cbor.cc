// libFuzzer target: arbitrary bytes as a CBOR request body (see fuzz_common.h).
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::protocol::fuzz::FuzzOne(vigil::protocol::Protocol::kRpcV2Cbor, data, size);
  return 0;
}
