// Recursive-descent parser for metric math (math.h; grammar in docs/metric-math.md):
//
//   expr    := or
//   or      := and (OR and)*               OR is also spelled ||
//   and     := compare (AND compare)*      AND is also spelled &&
//   compare := sum ((< | <= | > | >= | == | !=) sum)*
//   sum     := product ((+ | -) product)*
//   product := unary ((* | /) unary)*
//   unary   := - unary | power
//   power   := primary (^ unary)?          right-associative, binds tighter than unary minus
//   primary := number | string | id | NAME | NAME ( [expr (, expr)*] ) | ( expr )
//            | [ expr (, expr)* ]
#include <algorithm>
#include <cctype>

#include "query/math/lexer.h"
#include "vigil/query/math.h"

namespace vigil::query::math {
namespace {

using internal::Describe;
using internal::SyntaxError;
using internal::Token;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<Node> Whole() {
    if (Peek().kind == Token::Kind::kEnd) return SyntaxError(1, "the expression is empty");
    ASSIGN_OR_RETURN(Node n, Expr());
    if (Peek().kind != Token::Kind::kEnd) {
      std::string what = "unexpected ";
      what += Describe(Peek());
      what += " after a complete expression";
      if (Peek().kind == Token::Kind::kRParen) what = "')' without a matching '('";
      if (Peek().kind == Token::Kind::kRBracket) what = "']' without a matching '['";
      return SyntaxError(Peek().position, what);
    }
    return n;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }
  bool AtOperator(std::initializer_list<std::string_view> ops) const {
    const Token& t = Peek();
    return t.kind == Token::Kind::kOperator &&
           std::find(ops.begin(), ops.end(), t.text) != ops.end();
  }

  static Node Binary(const Token& op, Node lhs, Node rhs) {
    Node n;
    n.kind = Node::Kind::kBinary;
    n.position = op.position;
    n.text = op.text;
    n.children.push_back(std::move(lhs));
    n.children.push_back(std::move(rhs));
    return n;
  }

  // One level of left-associative binary operators.
  template <typename Sub>
  Result<Node> LeftAssoc(std::initializer_list<std::string_view> ops, Sub sub) {
    ASSIGN_OR_RETURN(Node lhs, (this->*sub)());
    while (AtOperator(ops)) {
      const Token& op = Next();
      ASSIGN_OR_RETURN(Node rhs, Operand(op, sub));
      lhs = Binary(op, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  // The operand after a binary operator: a clearer message when there is none.
  template <typename Sub>
  Result<Node> Operand(const Token& op, Sub sub) {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kEnd || t.kind == Token::Kind::kRParen ||
        t.kind == Token::Kind::kRBracket || t.kind == Token::Kind::kComma ||
        (t.kind == Token::Kind::kOperator && t.text != "-")) {
      std::string what = "expected an operand after '";
      what += op.text;
      what += "' but found ";
      what += Describe(t);
      return SyntaxError(t.position, what);
    }
    return (this->*sub)();
  }

  Result<Node> Expr() {
    if (++depth_ > kMaxExpressionDepth) {
      std::string what = "the expression is nested more than ";
      what += std::to_string(kMaxExpressionDepth);
      what += " levels deep";
      return SyntaxError(Peek().position, what);
    }
    auto r = Or();
    --depth_;
    return r;
  }
  Result<Node> Or() { return LeftAssoc({"OR"}, &Parser::And); }
  Result<Node> And() { return LeftAssoc({"AND"}, &Parser::Compare); }
  Result<Node> Compare() { return LeftAssoc({"<", "<=", ">", ">=", "==", "!="}, &Parser::Sum); }
  Result<Node> Sum() { return LeftAssoc({"+", "-"}, &Parser::Product); }
  Result<Node> Product() { return LeftAssoc({"*", "/"}, &Parser::Unary); }

  Result<Node> Unary() {
    if (AtOperator({"-"})) {
      const Token& op = Next();
      if (++depth_ > kMaxExpressionDepth) {
        return SyntaxError(op.position, "too many unary minus signs in a row");
      }
      ASSIGN_OR_RETURN(Node operand, Operand(op, &Parser::Unary));
      --depth_;
      Node n;
      n.kind = Node::Kind::kUnary;
      n.position = op.position;
      n.text = "-";
      n.children.push_back(std::move(operand));
      return n;
    }
    return Power();
  }

  Result<Node> Power() {
    ASSIGN_OR_RETURN(Node base, Primary());
    if (!AtOperator({"^"})) return base;
    const Token& op = Next();
    if (++depth_ > kMaxExpressionDepth) {
      return SyntaxError(op.position, "too many '^' in a row");
    }
    ASSIGN_OR_RETURN(Node exponent, Operand(op, &Parser::Unary));
    --depth_;
    return Binary(op, std::move(base), std::move(exponent));
  }

  // Comma-separated expressions up to `close`; `open` is the opening token.
  Result<std::vector<Node>> List(const Token& open, Token::Kind close, bool allow_empty) {
    std::vector<Node> items;
    const char* close_text = close == Token::Kind::kRParen ? "')'" : "']'";
    if (Peek().kind == close) {
      if (!allow_empty) return SyntaxError(Peek().position, "an array needs at least one element");
      Next();
      return items;
    }
    while (true) {
      if (Peek().kind == Token::Kind::kComma || Peek().kind == close) {
        std::string what = "expected an argument but found ";
        what += Describe(Peek());
        return SyntaxError(Peek().position, what);
      }
      ASSIGN_OR_RETURN(Node item, Expr());
      items.push_back(std::move(item));
      if (Peek().kind == Token::Kind::kComma) {
        Next();
        continue;
      }
      if (Peek().kind == close) {
        Next();
        return items;
      }
      std::string what = "expected ',' or ";
      what += close_text;
      what += " but found ";
      what += Describe(Peek());
      if (Peek().kind == Token::Kind::kEnd) {
        what = "the ";
        what += open.text == "(" ? "'('" : "'['";
        what += " at position ";
        what += std::to_string(open.position);
        what += " is not closed";
      }
      return SyntaxError(Peek().position, what);
    }
  }

  Result<Node> Primary() {
    const Token& t = Next();
    Node n;
    n.position = t.position;
    switch (t.kind) {
      case Token::Kind::kNumber:
        n.kind = Node::Kind::kNumber;
        n.number = t.number;
        return n;
      case Token::Kind::kString:
        n.kind = Node::Kind::kString;
        n.text = t.text;
        return n;
      case Token::Kind::kId:
        if (Peek().kind == Token::Kind::kLParen) {
          std::string what = "unknown function ";
          what += t.text;
          what += " (function names are uppercase";
          std::string upper = t.text;
          for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          what += ", e.g. ";
          what += upper;
          what += ')';
          return SyntaxError(t.position, what);
        }
        n.kind = Node::Kind::kId;
        n.text = t.text;
        return n;
      case Token::Kind::kName: {
        n.text = t.text;
        if (Peek().kind != Token::Kind::kLParen) {
          n.kind = Node::Kind::kKeyword;
          return n;
        }
        const Token& open = Next();
        n.kind = Node::Kind::kCall;
        ASSIGN_OR_RETURN(n.children, List(open, Token::Kind::kRParen, true));
        return n;
      }
      case Token::Kind::kLParen: {
        if (Peek().kind == Token::Kind::kRParen) {
          return SyntaxError(Peek().position, "empty parentheses");
        }
        ASSIGN_OR_RETURN(Node inner, Expr());
        if (Peek().kind != Token::Kind::kRParen) {
          std::string what;
          if (Peek().kind == Token::Kind::kEnd) {
            what = "the '(' at position ";
            what += std::to_string(t.position);
            what += " is not closed";
          } else {
            what = "expected ')' but found ";
            what += Describe(Peek());
          }
          return SyntaxError(Peek().position, what);
        }
        Next();
        return inner;
      }
      case Token::Kind::kLBracket: {
        n.kind = Node::Kind::kArray;
        ASSIGN_OR_RETURN(n.children, List(t, Token::Kind::kRBracket, false));
        return n;
      }
      default: {
        std::string what = "expected a number, an id, a function or '(' but found ";
        what += Describe(t);
        return SyntaxError(t.position, what);
      }
    }
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t depth_ = 0;
};

void Collect(const Node& n, References& r) {
  if (n.kind == Node::Kind::kId && std::find(r.ids.begin(), r.ids.end(), n.text) == r.ids.end()) {
    r.ids.push_back(n.text);
  }
  if (n.kind == Node::Kind::kCall && n.text == "METRICS") r.metrics = true;
  for (const Node& c : n.children) Collect(c, r);
}

}  // namespace

Result<Node> Parse(std::string_view expression) {
  ASSIGN_OR_RETURN(auto tokens, internal::Tokenize(expression));
  Parser p(std::move(tokens));
  return p.Whole();
}

References CollectReferences(const Node& root) {
  References r;
  Collect(root, r);
  return r;
}

}  // namespace vigil::query::math
