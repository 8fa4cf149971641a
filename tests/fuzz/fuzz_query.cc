// libFuzzer target: arbitrary bytes as a QUERY request body (see fuzz_common.h).
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::protocol::fuzz::FuzzOne(vigil::protocol::Protocol::kQuery, data, size);
  return 0;
}
