// SEARCH expressions (search.h; docs/search-and-insights.md "SEARCH").
#include "vigil/query/search.h"

#include <algorithm>
#include <memory>

#include "query/search_match.h"
#include "query/smallest_keys.h"

namespace vigil::query {
namespace {

std::string At(size_t pos) {
  std::string s = " at character ";
  s += std::to_string(pos + 1);
  return s;
}

ApiError SyntaxError(std::string_view what, size_t pos) {
  std::string m = "Invalid SEARCH expression: ";
  m += what;
  m += At(pos);
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

struct Token {
  enum class Kind { kEnd, kLParen, kRParen, kEquals, kWord, kQuoted };
  Kind kind = Kind::kEnd;
  std::string text;  // kWord: as written; kQuoted: unescaped
  size_t pos = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<SearchExpression> Parse() {
    if (text_.size() > kMaxSearchExpressionLength) {
      std::string m = "Invalid SEARCH expression: longer than ";
      m += std::to_string(kMaxSearchExpressionLength);
      m += " characters";
      return MakeError(ErrorCode::kValidationError, std::move(m));
    }
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '{') {
      ASSIGN_OR_RETURN(out_.schema, ParseSchema());
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;  // `{AWS/Lambda, FunctionName}, ...`
    }
    RETURN_IF_ERROR(Advance());
    if (tok_.kind != Token::Kind::kEnd) {
      ASSIGN_OR_RETURN(out_.root, ParseOr());
      if (tok_.kind == Token::Kind::kRParen) return SyntaxError("unexpected ')'", tok_.pos);
      if (tok_.kind != Token::Kind::kEnd) return SyntaxError("unexpected text", tok_.pos);
    }
    if (!out_.schema && out_.root < 0) {
      return MakeError(ErrorCode::kValidationError,
                       "Invalid SEARCH expression: it must contain a metric schema in braces, "
                       "search terms, or both");
    }
    return std::move(out_);
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  // A double-quoted string starting at pos_ (on the quote); backslash escapes any character.
  Result<std::string> ReadQuoted() {
    size_t open = pos_++;
    std::string s;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return s;
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        c = text_[pos_++];
      }
      s += c;
    }
    return SyntaxError("unterminated double quote", open);
  }

  Result<SearchSchema> ParseSchema() {
    size_t open = pos_++;
    std::vector<std::string> names;
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size()) {
        return SyntaxError("the metric schema '{' is not closed by '}'", open);
      }
      size_t start = pos_;
      std::string name;
      if (text_[pos_] == '"') {
        ASSIGN_OR_RETURN(name, ReadQuoted());
      } else {
        while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
               text_[pos_] != '"' && text_[pos_] != '{') {
          ++pos_;
        }
        std::string_view raw = text_.substr(start, pos_ - start);
        while (!raw.empty() && IsSpace(raw.back())) raw.remove_suffix(1);
        if (std::any_of(raw.begin(), raw.end(), IsSpace)) {
          return SyntaxError("a name with spaces in the metric schema must be double-quoted",
                             start);
        }
        name = std::string(raw);
      }
      if (name.empty()) return SyntaxError("empty name in the metric schema", start);
      names.push_back(std::move(name));
      SkipSpace();
      if (pos_ >= text_.size()) {
        return SyntaxError("the metric schema '{' is not closed by '}'", open);
      }
      char c = text_[pos_];
      if (c == '}') {
        ++pos_;
        break;
      }
      if (c != ',') return SyntaxError("expected ',' or '}' in the metric schema", pos_);
      ++pos_;
    }
    SearchSchema schema;
    schema.namespace_ = std::move(names.front());
    schema.dimension_names.assign(std::make_move_iterator(names.begin() + 1),
                                  std::make_move_iterator(names.end()));
    std::sort(schema.dimension_names.begin(), schema.dimension_names.end());
    schema.dimension_names.erase(
        std::unique(schema.dimension_names.begin(), schema.dimension_names.end()),
        schema.dimension_names.end());
    return schema;
  }

  Status Advance() {
    SkipSpace();
    tok_ = Token{};
    tok_.pos = pos_;
    if (pos_ >= text_.size()) return OkStatus();
    char c = text_[pos_];
    switch (c) {
      case '(':
        ++pos_;
        tok_.kind = Token::Kind::kLParen;
        return OkStatus();
      case ')':
        ++pos_;
        tok_.kind = Token::Kind::kRParen;
        return OkStatus();
      case '=':
        ++pos_;
        tok_.kind = Token::Kind::kEquals;
        return OkStatus();
      case '"': {
        ASSIGN_OR_RETURN(tok_.text, ReadQuoted());
        tok_.kind = Token::Kind::kQuoted;
        return OkStatus();
      }
      case '{':
        return SyntaxError("the metric schema in braces must come first", pos_);
      default:
        break;
    }
    size_t start = pos_;
    while (pos_ < text_.size()) {
      char d = text_[pos_];
      if (IsSpace(d) || d == '(' || d == ')' || d == '"' || d == '=') break;
      ++pos_;
    }
    tok_.kind = Token::Kind::kWord;
    tok_.text = std::string(text_.substr(start, pos_ - start));
    return OkStatus();
  }

  bool IsOperator(std::string_view op) const {
    return tok_.kind == Token::Kind::kWord && tok_.text == op;
  }

  int Add(SearchNode node) {
    out_.nodes.push_back(std::move(node));
    return static_cast<int>(out_.nodes.size()) - 1;
  }

  // Joins `left` and `right` under `kind`, flattening chains of the same operator.
  int Join(SearchNode::Kind kind, int left, int right) {
    if (out_.nodes[left].kind == kind) {
      out_.nodes[left].children.push_back(right);
      return left;
    }
    SearchNode n;
    n.kind = kind;
    n.children = {left, right};
    return Add(std::move(n));
  }

  Result<int> ParseOr() {
    ASSIGN_OR_RETURN(int left, ParseAnd());
    while (IsOperator("OR")) {
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(int right, ParseAnd());
      left = Join(SearchNode::Kind::kOr, left, right);
    }
    return left;
  }

  bool StartsUnary() const {
    switch (tok_.kind) {
      case Token::Kind::kLParen:
      case Token::Kind::kQuoted:
        return true;
      case Token::Kind::kWord:
        return tok_.text != "AND" && tok_.text != "OR";
      default:
        return false;
    }
  }

  Result<int> ParseAnd() {
    ASSIGN_OR_RETURN(int left, ParseUnary());
    while (true) {
      if (IsOperator("AND")) {
        RETURN_IF_ERROR(Advance());
      } else if (!StartsUnary()) {
        break;
      }
      ASSIGN_OR_RETURN(int right, ParseUnary());
      left = Join(SearchNode::Kind::kAnd, left, right);
    }
    return left;
  }

  Result<int> ParseUnary() {
    if (++depth_ > kMaxDepth) return SyntaxError("too deeply nested", tok_.pos);
    auto r = ParseUnaryInner();
    --depth_;
    return r;
  }

  Result<int> ParseUnaryInner() {
    switch (tok_.kind) {
      case Token::Kind::kEnd:
        return SyntaxError("expected a search term", tok_.pos);
      case Token::Kind::kRParen:
        return SyntaxError("unexpected ')'", tok_.pos);
      case Token::Kind::kEquals:
        return SyntaxError("'=' must follow a property name such as MetricName", tok_.pos);
      case Token::Kind::kLParen: {
        size_t open = tok_.pos;
        RETURN_IF_ERROR(Advance());
        if (tok_.kind == Token::Kind::kRParen) return SyntaxError("empty parentheses", open);
        ASSIGN_OR_RETURN(int inner, ParseOr());
        if (tok_.kind != Token::Kind::kRParen) {
          return SyntaxError("'(' is not closed by ')'", open);
        }
        RETURN_IF_ERROR(Advance());
        return inner;
      }
      case Token::Kind::kWord:
        if (tok_.text == "AND" || tok_.text == "OR") {
          std::string m = "'";
          m += tok_.text;
          m += "' needs a search term on each side";
          return SyntaxError(m, tok_.pos);
        }
        if (tok_.text == "NOT") {
          size_t at = tok_.pos;
          RETURN_IF_ERROR(Advance());
          if (tok_.kind == Token::Kind::kEnd) {
            return SyntaxError("'NOT' needs a search term after it", at);
          }
          ASSIGN_OR_RETURN(int operand, ParseUnary());
          SearchNode n;
          n.kind = SearchNode::Kind::kNot;
          n.children = {operand};
          return Add(std::move(n));
        }
        return ParseTerm();
      case Token::Kind::kQuoted:
        return ParseTerm();
    }
    return SyntaxError("expected a search term", tok_.pos);
  }

  Result<int> ParseTerm() {
    Token first = std::move(tok_);
    RETURN_IF_ERROR(Advance());
    SearchNode n;
    if (tok_.kind != Token::Kind::kEquals) {
      n.term.text = std::move(first.text);
      n.term.exact = first.kind == Token::Kind::kQuoted;
      return Add(std::move(n));
    }
    // A property designator: Name=value.
    size_t equals = tok_.pos;
    if (first.text.empty()) return SyntaxError("empty property name before '='", first.pos);
    if (first.kind == Token::Kind::kWord && first.text.front() == ':') {
      std::string m = "cross-account search (";
      m += first.text;
      m += ") is not supported";
      return SyntaxError(m, first.pos);
    }
    if (first.kind == Token::Kind::kWord && first.text == "MetricName") {
      n.term.field = SearchTerm::Field::kMetricName;
    } else if (first.kind == Token::Kind::kWord && first.text == "Namespace") {
      n.term.field = SearchTerm::Field::kNamespace;
    } else {
      n.term.field = SearchTerm::Field::kDimension;
      n.term.dimension = std::move(first.text);
    }
    RETURN_IF_ERROR(Advance());
    if (tok_.kind != Token::Kind::kWord && tok_.kind != Token::Kind::kQuoted) {
      return SyntaxError("expected a value after '='", equals);
    }
    n.term.text = std::move(tok_.text);
    n.term.exact = tok_.kind == Token::Kind::kQuoted;
    RETURN_IF_ERROR(Advance());
    if (tok_.kind == Token::Kind::kEquals) {
      return SyntaxError("unexpected '='", tok_.pos);
    }
    return Add(std::move(n));
  }

  static constexpr int kMaxDepth = 200;
  std::string_view text_;
  size_t pos_ = 0;
  Token tok_;
  int depth_ = 0;
  SearchExpression out_;
};

// A parsed expression prepared for matching many series.
class Matcher {
 public:
  explicit Matcher(const SearchExpression& e) : e_(e), partial_(e.nodes.size()) {
    for (size_t i = 0; i < e.nodes.size(); ++i) {
      const SearchNode& n = e.nodes[i];
      if (n.kind == SearchNode::Kind::kTerm && !n.term.exact) {
        partial_[i] = std::make_unique<internal::PartialTerm>(n.term.text);
      }
    }
  }

  bool Matches(const storage::SeriesKey& s) {
    if (e_.schema) {
      const SearchSchema& sc = *e_.schema;
      if (s.namespace_ != sc.namespace_) return false;
      if (s.dimensions.size() != sc.dimension_names.size()) return false;
      // Both sorted by name; a series has each name at most once.
      for (size_t i = 0; i < s.dimensions.size(); ++i) {
        if (s.dimensions[i].name != sc.dimension_names[i]) return false;
      }
    }
    return e_.root < 0 || Eval(e_.root, s);
  }

 private:
  bool Text(int i, std::string_view name) {
    const SearchTerm& t = e_.nodes[i].term;
    if (t.exact) return name == t.text;
    return partial_[i]->Matches(name, scratch_);
  }

  bool Term(int i, const storage::SeriesKey& s) {
    const SearchTerm& t = e_.nodes[i].term;
    switch (t.field) {
      case SearchTerm::Field::kMetricName:
        return Text(i, s.metric_name);
      case SearchTerm::Field::kNamespace:
        return Text(i, s.namespace_);
      case SearchTerm::Field::kDimension:
        for (const auto& d : s.dimensions) {
          if (d.name == t.dimension) return Text(i, d.value);
        }
        return false;
      case SearchTerm::Field::kAny:
        if (Text(i, s.metric_name) || Text(i, s.namespace_)) return true;
        for (const auto& d : s.dimensions) {
          if (Text(i, d.name) || Text(i, d.value)) return true;
        }
        return false;
    }
    return false;
  }

  bool Eval(int i, const storage::SeriesKey& s) {
    const SearchNode& n = e_.nodes[i];
    switch (n.kind) {
      case SearchNode::Kind::kTerm:
        return Term(i, s);
      case SearchNode::Kind::kNot:
        return !Eval(n.children[0], s);
      case SearchNode::Kind::kAnd:
        for (int c : n.children) {
          if (!Eval(c, s)) return false;
        }
        return true;
      case SearchNode::Kind::kOr:
        for (int c : n.children) {
          if (Eval(c, s)) return true;
        }
        return false;
    }
    return false;
  }

  const SearchExpression& e_;
  std::vector<std::unique_ptr<internal::PartialTerm>> partial_;
  std::vector<internal::NameToken> scratch_;
};

// An exact term the whole expression requires (a term at the root, or a child of a root AND):
// narrows the index scan to one key prefix.
const SearchTerm* RequiredExact(const SearchExpression& e, SearchTerm::Field field) {
  if (e.root < 0) return nullptr;
  auto check = [&](int i) -> const SearchTerm* {
    const SearchNode& n = e.nodes[i];
    if (n.kind == SearchNode::Kind::kTerm && n.term.exact && n.term.field == field) {
      return &n.term;
    }
    return nullptr;
  };
  if (const SearchTerm* t = check(e.root)) return t;
  const SearchNode& root = e.nodes[e.root];
  if (root.kind != SearchNode::Kind::kAnd) return nullptr;
  for (int c : root.children) {
    if (const SearchTerm* t = check(c)) return t;
  }
  return nullptr;
}

}  // namespace

Result<SearchExpression> ParseSearchExpression(std::string_view text) {
  return Parser(text).Parse();
}

bool SearchMatches(const SearchExpression& search, const storage::SeriesKey& series) {
  return Matcher(search).Matches(series);
}

Result<SearchResult> FindSearchSeries(storage::MetricStore& store, std::string_view account,
                                      std::string_view region, const SearchExpression& search,
                                      Timestamp now, size_t limit) {
  limit = std::min(limit, kMaxSearchSeries);
  storage::ListFilter filter;
  filter.account = std::string(account);
  filter.region = std::string(region);
  filter.active_since = Timestamp::FromSeconds(now.seconds() - kSearchLookbackSeconds);
  if (search.schema) {
    filter.namespace_ = search.schema->namespace_;
  } else if (const SearchTerm* ns = RequiredExact(search, SearchTerm::Field::kNamespace)) {
    filter.namespace_ = ns->text;
  }
  if (filter.namespace_) {
    if (const SearchTerm* m = RequiredExact(search, SearchTerm::Field::kMetricName)) {
      filter.metric_name = m->text;
    }
  }
  Matcher matcher(search);
  internal::SmallestKeys kept(limit);
  storage::SeriesKey key;  // decoded into again and again: no allocation per series
  RETURN_IF_ERROR(store.ScanSeries(filter, [&](std::string_view bytes, Timestamp) {
    if (storage::DecodeSeriesKeyInto(bytes, key) && matcher.Matches(key)) kept.Offer(key);
    return true;
  }));
  SearchResult out;
  out.truncated = kept.truncated();
  out.series = kept.Take();
  return out;
}

std::string SearchSeriesLabel(const storage::SeriesKey& series) {
  std::string label;
  for (const auto& d : series.dimensions) {
    label += d.value;
    label += ' ';
  }
  label += series.metric_name;
  return label;
}

Result<SearchData> EvaluateSearch(storage::MetricStore& store, std::string_view account,
                                  std::string_view region, const SearchExpression& search,
                                  const Statistic& statistic, int period_seconds, Timestamp start,
                                  Timestamp end, Timestamp now) {
  ASSIGN_OR_RETURN(SearchResult found,
                   FindSearchSeries(store, account, region, search, now, kMaxSearchSeries));
  SearchData out;
  out.truncated = found.truncated;
  out.series.reserve(found.series.size());
  for (auto& key : found.series) {
    MetricQuery q;
    q.series = key;
    q.statistic = statistic;
    q.period_seconds = period_seconds;
    q.start = start;
    q.end = end;
    ASSIGN_OR_RETURN(MetricSeries values, QueryMetric(store, q, now));
    std::string label = SearchSeriesLabel(key);
    out.series.push_back({std::move(key), std::move(label), std::move(values)});
  }
  return out;
}

}  // namespace vigil::query
