// The tokens of a metric-math expression (math.h). Internal to the parser and its tests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/result.h"

namespace vigil::query::math::internal {

struct Token {
  enum class Kind {
    kNumber,    // 1, 2.5, .5, 1e3
    kString,    // 'text' or "text" (text holds the contents, escapes resolved)
    kId,        // starts with a lowercase letter: a query id
    kName,      // starts with an uppercase letter: a function (before '(') or a keyword
    kOperator,  // + - * / ^ < <= > >= == != AND OR (&& and || are spelled AND and OR)
    kLParen,
    kRParen,
    kLBracket,
    kRBracket,
    kComma,
    kEnd,
  };
  Kind kind = Kind::kEnd;
  size_t position = 1;  // 1-based
  std::string text;     // as written, except kString (contents) and kOperator (normalised)
  double number = 0;
};

// How a token is named in an error message: "'+'", "m1", "the end of the expression".
std::string Describe(const Token& t);

// Splits an expression into tokens, ending with kEnd. Errors: ValidationError
// "syntax error at position N: ...".
Result<std::vector<Token>> Tokenize(std::string_view text);

// A ValidationError "syntax error at position N: <what>".
ApiError SyntaxError(size_t position, std::string_view what);

}  // namespace vigil::query::math::internal
