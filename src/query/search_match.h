// How a SEARCH term matches a name (UG search-expression-syntax "Tokenization", "Partial
// matches", "Exact matches"; docs/search-and-insights.md). Private to src/query.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::query::internal {

// A name cut into tokens: camel-case humps, digit runs and delimiter-separated words. Each token
// keeps its original spelling.
struct NameToken {
  std::string_view text;
  bool word_start = false;  // the first token after a delimiter (or of the name)
};
// Appends the tokens of `name` to `out` (cleared first). The views point into `name`.
void Tokenize(std::string_view name, std::vector<NameToken>& out);

// A partial term, prepared once per query.
class PartialTerm {
 public:
  explicit PartialTerm(std::string_view text);
  // Whether the term matches `name`. `scratch` is reused between calls to avoid allocations.
  bool Matches(std::string_view name, std::vector<NameToken>& scratch) const;
  // False for a term without letters or digits: it matches nothing.
  bool valid() const { return !parts_.empty(); }

 private:
  struct Part {
    std::string text;     // lowercase when !case_sensitive
    bool case_sensitive;  // one of several tokens of one camel-cased word
  };
  std::vector<Part> parts_;
  std::string whole_;   // lowercase letters and digits of the whole term
  std::string anchor_;  // lowercase text of the longest part: a cheap substring pre-check
};

}  // namespace vigil::query::internal
