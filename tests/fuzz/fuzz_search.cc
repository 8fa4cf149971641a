// libFuzzer target: arbitrary bytes as a SEARCH expression (search.h). Whatever parses must be a
// well-formed tree (child indexes in range, operators with operands) and must evaluate against
// a few series without crashing; the tokenizer and partial-term matcher see the raw bytes too.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/search_match.h"
#include "vigil/query/search.h"

namespace {

const std::vector<vigil::storage::SeriesKey>& Keys() {
  static const std::vector<vigil::storage::SeriesKey> keys = [] {
    std::vector<vigil::storage::SeriesKey> k = {
        {"1", "r", "AWS/EC2", "CPUUtilization", {{"InstanceId", "i-0abc12"}}},
        {"1", "r", "MyApp", "CustomCount1", {{"Project", "ProjectA"}, {"Stage", "prod-2"}}},
        {"1", "r", "My Namespace", "Network-Errors_2", {}},
    };
    for (auto& key : k) key.Canonicalize();
    return k;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vigil::query::internal::NameToken> tokens;
  vigil::query::internal::Tokenize(text, tokens);
  for (const auto& t : tokens) {
    if (t.text.empty() || t.text.data() < text.data() ||
        t.text.data() + t.text.size() > text.data() + text.size()) {
      std::abort();
    }
  }
  vigil::query::internal::PartialTerm term(text);
  for (const auto& k : Keys()) (void)term.Matches(k.metric_name, tokens);

  auto parsed = vigil::query::ParseSearchExpression(text);
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  const auto& e = *parsed;
  const int n = static_cast<int>(e.nodes.size());
  if (e.root >= n || (e.root < 0 && !e.schema)) std::abort();
  for (const auto& node : e.nodes) {
    using K = vigil::query::SearchNode::Kind;
    if (node.kind == K::kNot && node.children.size() != 1) std::abort();
    if ((node.kind == K::kAnd || node.kind == K::kOr) && node.children.size() < 2) std::abort();
    for (int c : node.children) {
      if (c < 0 || c >= n) std::abort();
    }
  }
  for (const auto& k : Keys()) (void)vigil::query::SearchMatches(e, k);
  return 0;
}
