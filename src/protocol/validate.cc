#include "protocol/validate.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/path.h"
#include "protocol/text.h"

namespace vigil::protocol::internal {
namespace {

using model::Kind;
using model::Member;
using model::Shape;

constexpr size_t kMaxErrors = 10;
// Rendered values longer than this are cut (with "...") so a huge input cannot make a huge
// message.
constexpr size_t kMaxRenderedBytes = 1024;
// libstdc++'s std::regex recurses once per character: patterns are only evaluated on values up
// to this many bytes (every patterned CloudWatch shape has max <= 255 except
// InsightRuleDefinition, 8192, whose pattern is plain ASCII).
constexpr size_t kMaxPatternInput = 1024;

void AppendBound(std::string& out, double v) {
  if (std::trunc(v) == v && std::fabs(v) < 1e15) {
    AppendInt(out, static_cast<long long>(v));
  } else {
    AppendDouble(out, v);
  }
}

// Text of a value the way coral's messages show it (without the quotes).
void Render(std::string& out, const Shape& s, const void* v, int depth);

void RenderScalarOrNested(std::string& out, const Shape& s, const void* v, int depth) {
  if (out.size() > kMaxRenderedBytes) return;
  Render(out, s, v, depth);
}

struct MapRenderContext {
  std::string* out;
  const Shape* value_shape;
  int depth;
  bool first;
};

void Render(std::string& out, const Shape& s, const void* v, int depth) {
  switch (s.kind) {
    case Kind::kString:
    case Kind::kBlob: {
      const auto& str = *static_cast<const std::string*>(v);
      if (s.kind == Kind::kBlob) {
        AppendBase64(out, str);
      } else {
        out += str;
      }
      break;
    }
    case Kind::kBoolean:
      out += *static_cast<const bool*>(v) ? "true" : "false";
      break;
    case Kind::kInteger:
      AppendInt(out, *static_cast<const int32_t*>(v));
      break;
    case Kind::kLong:
      AppendInt(out, *static_cast<const int64_t*>(v));
      break;
    case Kind::kDouble:
      AppendDouble(out, *static_cast<const double*>(v));
      break;
    case Kind::kTimestamp:
      out += FormatIso8601(*static_cast<const Timestamp*>(v));
      break;
    case Kind::kList: {
      out += '[';
      size_t n = s.container_size(v);
      for (size_t i = 0; i < n && out.size() <= kMaxRenderedBytes; ++i) {
        if (i) out += ", ";
        RenderScalarOrNested(out, *s.element, s.list_at(v, i), depth + 1);
      }
      out += ']';
      break;
    }
    case Kind::kMap: {
      out += '{';
      MapRenderContext ctx{&out, s.element, depth, true};
      s.map_for_each(v, &ctx, [](void* c, const std::string& key, const void* value) {
        auto& x = *static_cast<MapRenderContext*>(c);
        if (x.out->size() > kMaxRenderedBytes) return;
        if (!x.first) *x.out += ", ";
        x.first = false;
        *x.out += key;
        *x.out += '=';
        RenderScalarOrNested(*x.out, *x.value_shape, value, x.depth + 1);
      });
      out += '}';
      break;
    }
    case Kind::kStructure: {
      if (depth > 3) {
        out += "{...}";
        break;
      }
      out += '{';
      bool first = true;
      for (size_t i = 0; i < s.member_count; ++i) {
        const Member& m = s.members[i];
        const void* mv = m.value(v);
        if (!mv) continue;
        if (!first) out += ", ";
        first = false;
        out += m.name;
        out += '=';
        RenderScalarOrNested(out, *m.shape, mv, depth + 1);
        if (out.size() > kMaxRenderedBytes) break;
      }
      out += '}';
      break;
    }
  }
}

std::string Quoted(const Shape& s, const void* v) {
  std::string text;
  Render(text, s, v, 0);
  if (text.size() > kMaxRenderedBytes) {
    // Cut on a code point boundary.
    size_t cut = kMaxRenderedBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "...";
  }
  return "'" + text + "'";
}

void LengthViolations(const Shape& s, double length, std::vector<std::string>& out) {
  if (s.has_max && length > s.max) {
    std::string m = "Member must have length less than or equal to ";
    AppendBound(m, s.max);
    out.push_back(std::move(m));
  }
  if (s.has_min && length < s.min) {
    std::string m = "Member must have length greater than or equal to ";
    AppendBound(m, s.min);
    out.push_back(std::move(m));
  }
}

void ValueViolations(const Shape& s, double value, std::vector<std::string>& out) {
  if (s.has_max && value > s.max) {
    std::string m = "Member must have value less than or equal to ";
    AppendBound(m, s.max);
    out.push_back(std::move(m));
  }
  if (s.has_min && value < s.min) {
    std::string m = "Member must have value greater than or equal to ";
    AppendBound(m, s.min);
    out.push_back(std::move(m));
  }
}

bool PatternMatches(const Shape& s, std::string_view v) {
  if (v.size() > kMaxPatternInput) return true;  // see kMaxPatternInput
  try {
    return s.pattern_matches(v);
  } catch (...) {
    return true;  // std::regex gave up (complexity): do not blame the client
  }
}

// Constraint messages of a scalar value (strings, blobs, numbers); none for other kinds.
void ScalarViolations(const Shape& s, const void* v, std::vector<std::string>& out) {
  switch (s.kind) {
    case Kind::kString: {
      const auto& str = *static_cast<const std::string*>(v);
      if (s.has_min || s.has_max) {
        // A UTF-8 string of n bytes has between n/4 and n code points: count them only when
        // the byte length alone cannot settle the check.
        double bytes = static_cast<double>(str.size());
        bool settled = (!s.has_max || bytes <= s.max) && (!s.has_min || bytes >= 4 * s.min);
        if (!settled) LengthViolations(s, static_cast<double>(CountCodePoints(str)), out);
      }
      if (s.pattern_matches && !PatternMatches(s, str)) {
        out.push_back("Member must satisfy regular expression pattern: " + std::string(s.pattern));
      }
      if (s.enum_count > 0) {
        bool found = false;
        for (size_t i = 0; i < s.enum_count && !found; ++i) found = s.enum_values[i] == str;
        if (!found) {
          // Coral lists the set in reverse of the model's order (recorded AWS answer).
          std::string m = "Member must satisfy enum value set: [";
          for (size_t i = s.enum_count; i-- > 0;) {
            m += s.enum_values[i];
            if (i) m += ", ";
          }
          m += ']';
          out.push_back(std::move(m));
        }
      }
      break;
    }
    case Kind::kBlob:
      if (s.has_min || s.has_max) {
        LengthViolations(s, static_cast<double>(static_cast<const std::string*>(v)->size()), out);
      }
      break;
    case Kind::kInteger:
      if (s.has_min || s.has_max) ValueViolations(s, *static_cast<const int32_t*>(v), out);
      break;
    case Kind::kLong:
      if (s.has_min || s.has_max) {
        ValueViolations(s, static_cast<double>(*static_cast<const int64_t*>(v)), out);
      }
      break;
    case Kind::kDouble:
      if (s.has_min || s.has_max) ValueViolations(s, *static_cast<const double*>(v), out);
      break;
    default:
      break;
  }
}

bool IsScalar(Kind k) { return k != Kind::kStructure && k != Kind::kList && k != Kind::kMap; }

bool HasConstraints(const Shape& s) {
  return s.has_min || s.has_max || s.enum_count > 0 || s.pattern_matches != nullptr;
}

// True when `s` or any shape below it carries a constraint. Memoised per thread (shapes are
// static data); most of a PutMetricData (values, timestamps, statistic sets) needs no visit.
bool ComputeNeedsCheck(const Shape& s, int depth) {
  if (HasConstraints(s)) return true;
  if (depth > 32) return true;  // conservative if the model ever has a cycle
  if (s.kind == Kind::kStructure) {
    for (size_t i = 0; i < s.member_count; ++i) {
      if (ComputeNeedsCheck(*s.members[i].shape, depth + 1)) return true;
    }
  } else if (s.kind == Kind::kList || s.kind == Kind::kMap) {
    return ComputeNeedsCheck(*s.element, depth + 1);
  }
  return false;
}

bool NeedsCheck(const Shape& s) {
  // A small direct-mapped cache per thread: a hash map lookup costs more than the walk it saves.
  struct Entry {
    const Shape* shape;
    bool needs;
  };
  thread_local Entry cache[256] = {};
  Entry& e = cache[(reinterpret_cast<uintptr_t>(&s) >> 4) & 255];
  if (e.shape != &s) e = {&s, ComputeNeedsCheck(s, 0)};
  return e.needs;
}

class Validator {
 public:
  Status Run(const Shape& shape, const void* object) {
    if (NeedsCheck(shape)) Value(shape, object);
    if (errors_.empty()) return OkStatus();
    std::string msg = std::to_string(errors_.size());
    msg += errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ";
    for (size_t i = 0; i < errors_.size(); ++i) {
      if (i) msg += "; ";
      msg += errors_[i];
    }
    return MakeError(ErrorCode::kValidationError, std::move(msg));
  }

 private:
  bool Full() const { return errors_.size() >= kMaxErrors; }

  void Add(const std::string& quoted_value, std::string_view constraint) {
    if (Full()) return;
    std::string e = "Value ";
    e += quoted_value;
    e += " at '";
    e += path_.CoralForm();
    e += "' failed to satisfy constraint: ";
    e += constraint;
    errors_.push_back(std::move(e));
  }

  void Value(const Shape& s, const void* v) {
    switch (s.kind) {
      case Kind::kStructure:
        for (size_t i = 0; i < s.member_count && !Full(); ++i) {
          const Member& m = s.members[i];
          if (!NeedsCheck(*m.shape)) continue;
          const void* mv = m.value(v);
          if (!mv) continue;
          path_.PushMember(&m);
          Value(*m.shape, mv);
          path_.Pop();
        }
        break;
      case Kind::kList:
        Collection(s, v, /*is_map=*/false);
        break;
      case Kind::kMap:
        Collection(s, v, /*is_map=*/true);
        break;
      default:
        if (HasConstraints(s)) {
          scratch_.clear();
          ScalarViolations(s, v, scratch_);
          if (!scratch_.empty()) {
            std::string q = Quoted(s, v);
            for (const auto& m : scratch_) Add(q, m);
          }
        }
        break;
    }
  }

  struct MapContext {
    Validator* self;
    const Shape* value_shape;
    size_t position;
    const void* bad;  // first scalar value that violates its constraints
    std::vector<std::string> bad_messages;
  };

  void Collection(const Shape& s, const void* v, bool is_map) {
    size_t n = s.container_size(v);
    scratch_.clear();
    LengthViolations(s, static_cast<double>(n), scratch_);
    if (!scratch_.empty()) {
      std::string q = Quoted(s, v);
      for (const auto& m : scratch_) Add(q, m);
    }
    const Shape& e = *s.element;
    bool scalar = IsScalar(e.kind);
    if (!NeedsCheck(e)) return;
    if (!is_map) {
      for (size_t i = 0; i < n && !Full(); ++i) {
        const void* item = s.list_at(v, i);
        if (scalar) {
          // Coral reports a bad element of a scalar list once, at the list:
          // "Member must satisfy constraint: [<the element's violations>]".
          std::vector<std::string> inner;
          ScalarViolations(e, item, inner);
          if (!inner.empty()) {
            Add(Quoted(s, v), "Member must satisfy constraint: [" + Join(inner) + "]");
            return;
          }
        } else {
          path_.PushIndex(i + 1);
          Value(e, item);
          path_.Pop();
        }
      }
      return;
    }
    MapContext ctx{this, &e, 0, nullptr, {}};
    s.map_for_each(v, &ctx, [](void* c, const std::string& key, const void* value) {
      auto& x = *static_cast<MapContext*>(c);
      ++x.position;
      if (x.self->Full() || x.bad) return;
      if (IsScalar(x.value_shape->kind)) {
        ScalarViolations(*x.value_shape, value, x.bad_messages);
        if (!x.bad_messages.empty()) x.bad = value;
      } else {
        x.self->path_.PushMapValue(x.position, key);
        x.self->Value(*x.value_shape, value);
        x.self->path_.Pop();
      }
    });
    if (ctx.bad) {
      Add(Quoted(s, v), "Map value must satisfy constraint: [" + Join(ctx.bad_messages) + "]");
    }
  }

  static std::string Join(const std::vector<std::string>& parts) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) out += ", ";
      out += parts[i];
    }
    return out;
  }

  Path path_;
  std::vector<std::string> errors_;
  std::vector<std::string> scratch_;
};

}  // namespace

Status ValidateConstraints(const model::Shape& shape, const void* object) {
  return Validator().Run(shape, object);
}

}  // namespace vigil::protocol::internal
