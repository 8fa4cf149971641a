#include "query/search_match.h"

#include <algorithm>

namespace vigil::query::internal {
namespace {

enum class CharClass : uint8_t { kUpper, kLower, kDigit, kDelimiter };

// Bytes of multi-byte UTF-8 sequences count as lowercase letters: they belong to words and
// never start a camel-case hump.
CharClass Classify(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return CharClass::kUpper;
  if (c >= 'a' && c <= 'z') return CharClass::kLower;
  if (c >= '0' && c <= '9') return CharClass::kDigit;
  if (c >= 0x80) return CharClass::kLower;
  return CharClass::kDelimiter;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (Lower(name[i]) != lower[i]) return false;
  }
  return true;
}

// Whether `lower` (lowercase) occurs in `name`, ignoring case.
bool ContainsIgnoreCase(std::string_view name, std::string_view lower) {
  if (lower.empty()) return true;
  if (name.size() < lower.size()) return false;
  // The hot loop of a scan: most names do not hold the term, so test the first character in
  // both cases without folding every byte.
  const char first = lower[0];
  const char first_upper = (first >= 'a' && first <= 'z') ? static_cast<char>(first - 32) : first;
  const size_t last = name.size() - lower.size();
  for (size_t i = 0; i <= last; ++i) {
    if (name[i] != first && name[i] != first_upper) continue;
    size_t j = 1;
    while (j < lower.size() && Lower(name[i + j]) == lower[j]) ++j;
    if (j == lower.size()) return true;
  }
  return false;
}

// Whether the letters and digits of `name`, lowercased, are exactly `lower`.
bool AlnumEquals(std::string_view name, std::string_view lower) {
  if (name.size() < lower.size()) return false;
  size_t k = 0;
  for (char c : name) {
    if (Classify(static_cast<unsigned char>(c)) == CharClass::kDelimiter) continue;
    if (k >= lower.size() || Lower(c) != lower[k]) return false;
    ++k;
  }
  return k == lower.size();
}

}  // namespace

void Tokenize(std::string_view name, std::vector<NameToken>& out) {
  out.clear();
  size_t start = 0;  // start of the current token
  bool in_token = false;
  bool word_start = true;
  auto close = [&](size_t end) {
    if (in_token && end > start) out.push_back({name.substr(start, end - start), word_start});
  };
  for (size_t i = 0; i < name.size(); ++i) {
    CharClass c = Classify(static_cast<unsigned char>(name[i]));
    if (c == CharClass::kDelimiter) {
      if (in_token) {
        close(i);
        in_token = false;
      }
      word_start = true;
      continue;
    }
    if (!in_token) {
      start = i;
      in_token = true;
      continue;
    }
    CharClass prev = Classify(static_cast<unsigned char>(name[i - 1]));
    bool split = false;
    size_t split_at = i;
    if ((c == CharClass::kDigit) != (prev == CharClass::kDigit)) {
      split = true;  // digits start a token, and so does a letter after digits
    } else if (c == CharClass::kUpper && prev == CharClass::kLower) {
      split = true;  // camel-case hump
    } else if (c == CharClass::kLower && prev == CharClass::kUpper && i - start >= 2) {
      split = true;  // "SDBFailure": the last capital of a run starts the next word
      split_at = i - 1;
    }
    if (split) {
      close(split_at);
      word_start = false;
      start = split_at;
    }
  }
  close(name.size());
}

PartialTerm::PartialTerm(std::string_view text) {
  std::vector<NameToken> tokens;
  Tokenize(text, tokens);
  for (size_t i = 0; i < tokens.size();) {
    size_t j = i + 1;
    while (j < tokens.size() && !tokens[j].word_start) ++j;
    const bool composite = j - i > 1;
    for (size_t k = i; k < j; ++k) {
      Part p{std::string(tokens[k].text), composite};
      if (!composite) std::transform(p.text.begin(), p.text.end(), p.text.begin(), Lower);
      whole_ += p.text;
      parts_.push_back(std::move(p));
    }
    i = j;
  }
  std::transform(whole_.begin(), whole_.end(), whole_.begin(), Lower);
  for (const Part& p : parts_) {
    if (p.text.size() > anchor_.size()) anchor_ = p.text;
  }
  std::transform(anchor_.begin(), anchor_.end(), anchor_.begin(), Lower);
}

bool PartialTerm::Matches(std::string_view name, std::vector<NameToken>& scratch) const {
  if (parts_.empty()) return false;
  // The generated token of the whole name: its letters and digits, lowercased.
  if (AlnumEquals(name, whole_)) return true;
  if (!ContainsIgnoreCase(name, anchor_)) return false;
  Tokenize(name, scratch);
  // A whole delimiter-separated word of the name, lowercased.
  for (size_t i = 0; i < scratch.size();) {
    size_t j = i + 1;
    while (j < scratch.size() && !scratch[j].word_start) ++j;
    const char* begin = scratch[i].text.data();
    const char* end = scratch[j - 1].text.data() + scratch[j - 1].text.size();
    if (EqualsIgnoreCase(std::string_view(begin, end - begin), whole_)) return true;
    i = j;
  }
  // A run of consecutive tokens.
  if (scratch.size() < parts_.size()) return false;
  for (size_t i = 0; i + parts_.size() <= scratch.size(); ++i) {
    size_t k = 0;
    for (; k < parts_.size(); ++k) {
      const Part& p = parts_[k];
      std::string_view t = scratch[i + k].text;
      if (p.case_sensitive ? t != p.text : !EqualsIgnoreCase(t, p.text)) break;
    }
    if (k == parts_.size()) return true;
  }
  return false;
}

}  // namespace vigil::query::internal
