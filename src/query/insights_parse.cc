// Metrics Insights query parser (insights.h; docs/search-and-insights.md "Metrics Insights").
#include <algorithm>
#include <array>
#include <charconv>

#include "vigil/query/insights.h"

namespace vigil::query {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsIdentChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool EqualsKeyword(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (Upper(word[i]) != keyword[i]) return false;
  }
  return true;
}

// The words of this grammar. Names spelled like them must be double-quoted (AWS reserves many
// more words; vigil reserves only the ones its grammar uses, so it accepts a superset).
constexpr std::array<std::string_view, 20> kKeywords = {
    "SELECT", "FROM", "WHERE", "GROUP", "BY",  "ORDER", "LIMIT", "AND", "OR",    "NOT",
    "IN",     "LIKE", "ASC",   "DESC",  "AVG", "COUNT", "MAX",   "MIN", "SUM",   "SCHEMA"};

bool IsReservedWord(std::string_view word) {
  return std::any_of(kKeywords.begin(), kKeywords.end(),
                     [&](std::string_view k) { return EqualsKeyword(word, k); });
}

ApiError SyntaxError(std::string_view what, size_t pos) {
  std::string m = "Invalid Metrics Insights query: ";
  m += what;
  m += " at character ";
  m += std::to_string(pos + 1);
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

struct Token {
  enum class Kind { kEnd, kWord, kQuotedName, kString, kLParen, kRParen, kComma, kEq, kNe };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t pos = 0;
};

std::optional<InsightsFunction> FunctionFromWord(std::string_view w) {
  if (EqualsKeyword(w, "AVG")) return InsightsFunction::kAvg;
  if (EqualsKeyword(w, "COUNT")) return InsightsFunction::kCount;
  if (EqualsKeyword(w, "MAX")) return InsightsFunction::kMax;
  if (EqualsKeyword(w, "MIN")) return InsightsFunction::kMin;
  if (EqualsKeyword(w, "SUM")) return InsightsFunction::kSum;
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<InsightsQuery> Parse() {
    RETURN_IF_ERROR(Advance());
    RETURN_IF_ERROR(ExpectKeyword("SELECT"));
    ASSIGN_OR_RETURN(q_.function, ParseFunction("after SELECT"));
    RETURN_IF_ERROR(Expect(Token::Kind::kLParen, "'('"));
    ASSIGN_OR_RETURN(q_.metric_name, ParseName("a metric name"));
    RETURN_IF_ERROR(Expect(Token::Kind::kRParen, "')'"));
    RETURN_IF_ERROR(ExpectKeyword("FROM"));
    RETURN_IF_ERROR(ParseFrom());
    if (IsKeyword("WHERE")) {
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(q_.where_root, ParseOr());
    }
    if (IsKeyword("GROUP")) {
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(ExpectKeyword("BY"));
      while (true) {
        ASSIGN_OR_RETURN(std::string key, ParseName("a label key"));
        q_.group_by.push_back(std::move(key));
        if (tok_.kind != Token::Kind::kComma) break;
        RETURN_IF_ERROR(Advance());
      }
    }
    if (IsKeyword("ORDER")) {
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(ExpectKeyword("BY"));
      ASSIGN_OR_RETURN(q_.order_by, ParseFunction("after ORDER BY"));
      RETURN_IF_ERROR(Expect(Token::Kind::kLParen, "'('"));
      RETURN_IF_ERROR(Expect(Token::Kind::kRParen, "')' (ORDER BY functions take no argument)"));
      if (IsKeyword("DESC") || IsKeyword("ASC")) {
        q_.descending = IsKeyword("DESC");
        RETURN_IF_ERROR(Advance());
      }
    }
    if (IsKeyword("LIMIT")) {
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(ParseLimit());
    }
    if (tok_.kind != Token::Kind::kEnd) {
      std::string m = "unexpected ";
      m += Describe();
      return SyntaxError(m, tok_.pos);
    }
    return std::move(q_);
  }

 private:
  std::string Describe() const {
    switch (tok_.kind) {
      case Token::Kind::kEnd:
        return "end of query";
      case Token::Kind::kString: {
        std::string s = "'";
        s += tok_.text;
        s += "'";
        return s;
      }
      case Token::Kind::kQuotedName: {
        std::string s = "\"";
        s += tok_.text;
        s += "\"";
        return s;
      }
      default: {
        std::string s = "'";
        s += text_.substr(tok_.pos, std::max<size_t>(pos_ - tok_.pos, 1));
        s += "'";
        return s;
      }
    }
  }

  Result<std::string> ReadQuoted(char quote) {
    size_t open = pos_++;
    std::string s;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == quote) return s;
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        c = text_[pos_++];
      }
      s += c;
    }
    return SyntaxError(quote == '"' ? "unterminated double quote" : "unterminated single quote",
                       open);
  }

  Status Advance() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
    tok_ = Token{};
    tok_.pos = pos_;
    if (pos_ >= text_.size()) return OkStatus();
    char c = text_[pos_];
    switch (c) {
      case '(':
        tok_.kind = Token::Kind::kLParen;
        ++pos_;
        return OkStatus();
      case ')':
        tok_.kind = Token::Kind::kRParen;
        ++pos_;
        return OkStatus();
      case ',':
        tok_.kind = Token::Kind::kComma;
        ++pos_;
        return OkStatus();
      case '=':
        tok_.kind = Token::Kind::kEq;
        ++pos_;
        return OkStatus();
      case '!':
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') {
          tok_.kind = Token::Kind::kNe;
          pos_ += 2;
          return OkStatus();
        }
        break;
      case '"': {
        ASSIGN_OR_RETURN(tok_.text, ReadQuoted('"'));
        tok_.kind = Token::Kind::kQuotedName;
        return OkStatus();
      }
      case '\'': {
        ASSIGN_OR_RETURN(tok_.text, ReadQuoted('\''));
        tok_.kind = Token::Kind::kString;
        return OkStatus();
      }
      default:
        break;
    }
    if (!IsIdentChar(c)) {
      std::string m = "unexpected character '";
      m += c;
      m += "' (names with characters other than letters, digits and '_' must be double-quoted)";
      return SyntaxError(m, pos_);
    }
    size_t start = pos_;
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    tok_.kind = Token::Kind::kWord;
    tok_.text = std::string(text_.substr(start, pos_ - start));
    return OkStatus();
  }

  bool IsKeyword(std::string_view k) const {
    return tok_.kind == Token::Kind::kWord && EqualsKeyword(tok_.text, k);
  }

  Status ExpectKeyword(std::string_view k) {
    if (!IsKeyword(k)) {
      std::string m = "expected ";
      m += k;
      m += ", found ";
      m += Describe();
      return SyntaxError(m, tok_.pos);
    }
    return Advance();
  }

  Status Expect(Token::Kind kind, std::string_view what) {
    if (tok_.kind != kind) {
      std::string m = "expected ";
      m += what;
      m += ", found ";
      m += Describe();
      return SyntaxError(m, tok_.pos);
    }
    return Advance();
  }

  Result<InsightsFunction> ParseFunction(std::string_view where) {
    std::optional<InsightsFunction> f;
    if (tok_.kind == Token::Kind::kWord) f = FunctionFromWord(tok_.text);
    if (!f) {
      std::string m = "expected AVG, COUNT, MAX, MIN or SUM ";
      m += where;
      m += ", found ";
      m += Describe();
      return SyntaxError(m, tok_.pos);
    }
    RETURN_IF_ERROR(Advance());
    return *f;
  }

  // An identifier: bare (not a keyword) or double-quoted (not empty).
  Result<std::string> ParseName(std::string_view what) {
    if (tok_.kind == Token::Kind::kQuotedName) {
      if (tok_.text.empty()) return SyntaxError("empty double-quoted name", tok_.pos);
    } else if (tok_.kind == Token::Kind::kWord) {
      if (IsReservedWord(tok_.text)) {
        std::string m = "'";
        m += tok_.text;
        m += "' is a reserved keyword: enclose the name in double quotes";
        return SyntaxError(m, tok_.pos);
      }
    } else if (tok_.kind == Token::Kind::kString) {
      std::string m = "names are double-quoted; single quotes are for label values (found '";
      m += tok_.text;
      m += "')";
      return SyntaxError(m, tok_.pos);
    } else {
      std::string m = "expected ";
      m += what;
      m += ", found ";
      m += Describe();
      return SyntaxError(m, tok_.pos);
    }
    std::string name = std::move(tok_.text);
    RETURN_IF_ERROR(Advance());
    return name;
  }

  Status ParseFrom() {
    if (IsKeyword("SCHEMA")) {
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(Expect(Token::Kind::kLParen, "'(' after SCHEMA"));
      ASSIGN_OR_RETURN(q_.namespace_, ParseName("a namespace"));
      std::vector<std::string> keys;
      while (tok_.kind == Token::Kind::kComma) {
        RETURN_IF_ERROR(Advance());
        ASSIGN_OR_RETURN(std::string key, ParseName("a label key"));
        keys.push_back(std::move(key));
      }
      RETURN_IF_ERROR(Expect(Token::Kind::kRParen, "',' or ')' in SCHEMA"));
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      q_.schema = std::move(keys);
      return OkStatus();
    }
    ASSIGN_OR_RETURN(q_.namespace_, ParseName("a namespace or SCHEMA(...)"));
    return OkStatus();
  }

  Status ParseLimit() {
    size_t at = tok_.pos;
    if (tok_.kind != Token::Kind::kWord) {
      return SyntaxError("LIMIT needs a whole number from 1 to 500", at);
    }
    const std::string& t = tok_.text;
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || ptr != t.data() + t.size() || n < 1 || n > kInsightsMaxSeries) {
      return SyntaxError("LIMIT needs a whole number from 1 to 500", at);
    }
    q_.limit = static_cast<size_t>(n);
    return Advance();
  }

  int Add(InsightsCondition c) {
    q_.where.push_back(std::move(c));
    return static_cast<int>(q_.where.size()) - 1;
  }

  int Join(InsightsCondition::Kind kind, int left, int right) {
    InsightsCondition c;
    c.kind = kind;
    c.children = {left, right};
    return Add(std::move(c));
  }

  Result<int> ParseOr() {
    ASSIGN_OR_RETURN(int left, ParseAnd());
    while (IsKeyword("OR")) {
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(int right, ParseAnd());
      left = Join(InsightsCondition::Kind::kOr, left, right);
    }
    return left;
  }

  Result<int> ParseAnd() {
    ASSIGN_OR_RETURN(int left, ParseUnary());
    while (IsKeyword("AND")) {
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(int right, ParseUnary());
      left = Join(InsightsCondition::Kind::kAnd, left, right);
    }
    return left;
  }

  Result<int> ParseUnary() {
    if (++depth_ > kMaxDepth) return SyntaxError("WHERE is too deeply nested", tok_.pos);
    auto r = ParseUnaryInner();
    --depth_;
    return r;
  }

  Result<int> ParseUnaryInner() {
    if (IsKeyword("NOT")) {
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(int operand, ParseUnary());
      InsightsCondition c;
      c.kind = InsightsCondition::Kind::kNot;
      c.children = {operand};
      return Add(std::move(c));
    }
    if (tok_.kind == Token::Kind::kLParen) {
      size_t open = tok_.pos;
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(int inner, ParseOr());
      if (tok_.kind != Token::Kind::kRParen) {
        return SyntaxError("'(' is not closed by ')'", open);
      }
      RETURN_IF_ERROR(Advance());
      return inner;
    }
    return ParseComparison();
  }

  Result<std::string> ParseValue() {
    if (tok_.kind != Token::Kind::kString) {
      std::string m = "label values must be enclosed in single quotes, found ";
      m += Describe();
      return SyntaxError(m, tok_.pos);
    }
    std::string v = std::move(tok_.text);
    RETURN_IF_ERROR(Advance());
    return v;
  }

  Result<int> ParseComparison() {
    InsightsCondition c;
    ASSIGN_OR_RETURN(c.key, ParseName("a label key"));
    bool negated = false;
    if (IsKeyword("NOT")) {
      negated = true;
      RETURN_IF_ERROR(Advance());
      if (!IsKeyword("IN") && !IsKeyword("LIKE")) {
        std::string m = "expected IN or LIKE after NOT, found ";
        m += Describe();
        return SyntaxError(m, tok_.pos);
      }
    }
    if (tok_.kind == Token::Kind::kEq || tok_.kind == Token::Kind::kNe) {
      c.kind = tok_.kind == Token::Kind::kEq ? InsightsCondition::Kind::kEquals
                                              : InsightsCondition::Kind::kNotEquals;
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(std::string v, ParseValue());
      c.values.push_back(std::move(v));
    } else if (IsKeyword("IN")) {
      c.kind = negated ? InsightsCondition::Kind::kNotIn : InsightsCondition::Kind::kIn;
      RETURN_IF_ERROR(Advance());
      RETURN_IF_ERROR(Expect(Token::Kind::kLParen, "'(' after IN"));
      while (true) {
        ASSIGN_OR_RETURN(std::string v, ParseValue());
        c.values.push_back(std::move(v));
        if (tok_.kind != Token::Kind::kComma) break;
        RETURN_IF_ERROR(Advance());
      }
      RETURN_IF_ERROR(Expect(Token::Kind::kRParen, "',' or ')' in the IN list"));
    } else if (IsKeyword("LIKE")) {
      c.kind = negated ? InsightsCondition::Kind::kNotLike : InsightsCondition::Kind::kLike;
      RETURN_IF_ERROR(Advance());
      ASSIGN_OR_RETURN(std::string v, ParseValue());
      c.values.push_back(std::move(v));
    } else {
      std::string m = "expected =, !=, IN, NOT IN, LIKE or NOT LIKE after '";
      m += c.key;
      m += "', found ";
      m += Describe();
      return SyntaxError(m, tok_.pos);
    }
    return Add(std::move(c));
  }

  static constexpr int kMaxDepth = 200;
  std::string_view text_;
  size_t pos_ = 0;
  Token tok_;
  int depth_ = 0;
  InsightsQuery q_;
};

}  // namespace

std::string_view InsightsFunctionName(InsightsFunction f) {
  switch (f) {
    case InsightsFunction::kAvg:
      return "AVG";
    case InsightsFunction::kCount:
      return "COUNT";
    case InsightsFunction::kMax:
      return "MAX";
    case InsightsFunction::kMin:
      return "MIN";
    case InsightsFunction::kSum:
      return "SUM";
  }
  return "";
}

bool IsInsightsQuery(std::string_view expression) {
  size_t i = 0;
  while (i < expression.size() && IsSpace(expression[i])) ++i;
  std::string_view rest = expression.substr(i);
  if (rest.size() < 6 || !EqualsKeyword(rest.substr(0, 6), "SELECT")) return false;
  return rest.size() == 6 || !IsIdentChar(rest[6]);
}

Result<InsightsQuery> ParseInsightsQuery(std::string_view text) { return Parser(text).Parse(); }

}  // namespace vigil::query
