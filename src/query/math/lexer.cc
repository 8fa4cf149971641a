#include "query/math/lexer.h"

#include <charconv>
#include <cmath>

namespace vigil::query::math::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
}

}  // namespace

ApiError SyntaxError(size_t position, std::string_view what) {
  std::string m = "syntax error at position ";
  m += std::to_string(position);
  m += ": ";
  m += what;
  return MakeError(ErrorCode::kValidationError, std::move(m));
}

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Token::Kind::kEnd:
      return "the end of the expression";
    case Token::Kind::kString: {
      std::string s = "the string '";
      s += t.text;
      s += '\'';
      return s;
    }
    case Token::Kind::kNumber: {
      std::string s = "the number ";
      s += t.text;
      return s;
    }
    case Token::Kind::kId: {
      std::string s = "the id ";
      s += t.text;
      return s;
    }
    case Token::Kind::kName:
      return t.text;
    default: {
      std::string s = "'";
      s += t.text;
      s += '\'';
      return s;
    }
  }
}

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto push = [&](Token::Kind k, size_t at, std::string text) {
    Token t;
    t.kind = k;
    t.position = at + 1;
    t.text = std::move(text);
    out.push_back(std::move(t));
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    const size_t at = i;
    if (IsDigit(c) || (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < s.size() && IsDigit(s[j])) {
          i = j;
          while (i < s.size() && IsDigit(s[i])) ++i;
        }
      }
      std::string text(s.substr(at, i - at));
      double v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) {
        std::string what = "the number ";
        what += text;
        what += " is out of range";
        return SyntaxError(at + 1, what);
      }
      push(Token::Kind::kNumber, at, std::move(text));
      out.back().number = v;
      continue;
    }
    if (c == '\'' || c == '"') {
      std::string text;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          text += s[i + 1];
          i += 2;
          continue;
        }
        if (s[i] == c) {
          closed = true;
          ++i;
          break;
        }
        text += s[i++];
      }
      if (!closed) return SyntaxError(at + 1, "the string that starts here is not closed");
      push(Token::Kind::kString, at, std::move(text));
      continue;
    }
    if (IsNameChar(c)) {
      while (i < s.size() && IsNameChar(s[i])) ++i;
      std::string text(s.substr(at, i - at));
      if (text == "AND" || text == "OR") {
        push(Token::Kind::kOperator, at, std::move(text));
      } else if (c >= 'a' && c <= 'z') {
        push(Token::Kind::kId, at, std::move(text));
      } else if (c >= 'A' && c <= 'Z') {
        push(Token::Kind::kName, at, std::move(text));
      } else {
        std::string what = "'";
        what += text;
        what += "' is neither an id (ids start with a lowercase letter) nor a function";
        return SyntaxError(at + 1, what);
      }
      continue;
    }
    auto two = s.substr(i, 2);
    if (two == "<=" || two == ">=" || two == "==" || two == "!=") {
      push(Token::Kind::kOperator, at, std::string(two));
      i += 2;
      continue;
    }
    if (two == "&&" || two == "||") {
      push(Token::Kind::kOperator, at, two == "&&" ? "AND" : "OR");
      i += 2;
      continue;
    }
    ++i;
    switch (c) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '^':
      case '<':
      case '>':
        push(Token::Kind::kOperator, at, std::string(1, c));
        break;
      case '(':
        push(Token::Kind::kLParen, at, "(");
        break;
      case ')':
        push(Token::Kind::kRParen, at, ")");
        break;
      case '[':
        push(Token::Kind::kLBracket, at, "[");
        break;
      case ']':
        push(Token::Kind::kRBracket, at, "]");
        break;
      case ',':
        push(Token::Kind::kComma, at, ",");
        break;
      default: {
        std::string what = "unexpected character '";
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
          what = "unexpected byte 0x";
          const char* hex = "0123456789abcdef";
          what += hex[(static_cast<unsigned char>(c) >> 4) & 0xf];
          what += hex[static_cast<unsigned char>(c) & 0xf];
        } else {
          what += c;
          what += '\'';
        }
        if (c == '=') what += " (use == to compare)";
        if (c == '!') what += " (use != to compare)";
        return SyntaxError(at + 1, what);
      }
    }
  }
  Token end;
  end.kind = Token::Kind::kEnd;
  end.position = s.size() + 1;
  out.push_back(std::move(end));
  return out;
}

}  // namespace vigil::query::math::internal
