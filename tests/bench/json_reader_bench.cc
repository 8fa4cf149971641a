// The JSON readers apart (docs/decisions/0030-json-reader.md): the body -> token stream step
// alone, for the reference (nlohmann SAX), the fast path (simdjson + tape walk) and ReadJson as
// the server runs it; plus simdjson's parse alone and RapidJSON's SAX reader with a null handler,
// the alternative that was evaluated. Items/s are datums/s of a 1000-datum PutMetricData.
//   cmake --build <dir> --target json_reader_bench && <dir>/tests/json_reader_bench
#include <benchmark/benchmark.h>
#include <simdjson.h>
#ifdef VIGIL_BENCH_RAPIDJSON
#include <rapidjson/reader.h>
#endif

#include "bench/bench_bodies.h"
#include "protocol/tokens.h"

namespace vigil::protocol::internal {
// Defined in src/protocol/json_reader.cc; not in tokens.h because only this benchmark and the
// fuzz build's cross-check call the two readers apart.
Status ReadJsonReference(std::string_view body, TokenStream& out);
bool ReadJsonFast(std::string_view body, TokenStream& out);
}  // namespace vigil::protocol::internal

namespace vigil::bench {
namespace {

using protocol::internal::TokenStream;

const std::string& Body() {
  static const std::string body = PutJsonBody(MakePutInput());
  return body;
}

void Finish(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * kBodyDatums);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Body().size()));
}

void BM_ReadJsonReference(benchmark::State& state) {
  TokenStream ts;
  for (auto _ : state) {
    if (!protocol::internal::ReadJsonReference(Body(), ts).ok()) state.SkipWithError("refused");
    benchmark::DoNotOptimize(ts.tokens.data());
  }
  state.counters["tokens"] = static_cast<double>(ts.tokens.size());
  Finish(state);
}

void BM_ReadJsonFast(benchmark::State& state) {
  TokenStream ts;
  for (auto _ : state) {
    if (!protocol::internal::ReadJsonFast(Body(), ts)) state.SkipWithError("refused");
    benchmark::DoNotOptimize(ts.tokens.data());
  }
  state.counters["tokens"] = static_cast<double>(ts.tokens.size());
  Finish(state);
}

void BM_ReadJson(benchmark::State& state) {
  TokenStream ts;
  for (auto _ : state) {
    if (!protocol::internal::ReadJson(Body(), ts).ok()) state.SkipWithError("refused");
    benchmark::DoNotOptimize(ts.tokens.data());
  }
  Finish(state);
}

// simdjson's DOM parse alone (including the copy into its padded buffer).
void BM_SimdjsonParseOnly(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) {
    auto doc = parser.parse(Body().data(), Body().size(), true);
    if (doc.error()) state.SkipWithError(simdjson::error_message(doc.error()));
    benchmark::DoNotOptimize(parser.doc.tape.get());
  }
  Finish(state);
}

#ifdef VIGIL_BENCH_RAPIDJSON
struct NullHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, NullHandler> {
  bool Default() { return true; }
};

// RapidJSON's SAX reader, null handler, with the flags nlohmann-identical numbers and UTF-8
// checking need (full-precision doubles, encoding validation).
template <unsigned kFlags>
void BM_RapidJsonNullHandler(benchmark::State& state) {
  for (auto _ : state) {
    rapidjson::Reader reader;
    rapidjson::StringStream ss(Body().c_str());
    NullHandler h;
    if (reader.Parse<kFlags>(ss, h).IsError()) state.SkipWithError("refused");
  }
  Finish(state);
}

void BM_RapidJsonNullHandlerInsitu(benchmark::State& state) {
  std::string copy;
  for (auto _ : state) {
    copy = Body();
    rapidjson::Reader reader;
    rapidjson::InsituStringStream ss(copy.data());
    NullHandler h;
    constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseFullPrecisionFlag |
                                rapidjson::kParseValidateEncodingFlag;
    if (reader.Parse<kFlags>(ss, h).IsError()) state.SkipWithError("refused");
  }
  Finish(state);
}

#endif  // VIGIL_BENCH_RAPIDJSON

BENCHMARK(BM_ReadJsonReference);
BENCHMARK(BM_ReadJsonFast);
BENCHMARK(BM_ReadJson);
BENCHMARK(BM_SimdjsonParseOnly);
#ifdef VIGIL_BENCH_RAPIDJSON
BENCHMARK_TEMPLATE(BM_RapidJsonNullHandler,
                   rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag)
    ->Name("BM_RapidJsonNullHandler/full_precision+validate_utf8");
BENCHMARK_TEMPLATE(BM_RapidJsonNullHandler, rapidjson::kParseDefaultFlags)
    ->Name("BM_RapidJsonNullHandler/default_flags");
BENCHMARK(BM_RapidJsonNullHandlerInsitu);
#endif

}  // namespace
}  // namespace vigil::bench

BENCHMARK_MAIN();
