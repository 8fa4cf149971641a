#include "protocol/query_decoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "protocol/decode_error.h"
#include "protocol/text.h"

namespace vigil::protocol::internal {

using model::Kind;
using model::Member;
using model::Shape;

Status FormParams::Parse(std::string_view text) {
  arena_.clear();
  pairs_.clear();
  arena_.reserve(text.size());
  auto malformed = [] {
    return MakeError(ErrorCode::kMalformedQueryString, "The query string contains a syntax error.");
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) {
      if (amp == text.size()) break;
      continue;
    }
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    Pair p;
    p.key_off = static_cast<uint32_t>(arena_.size());
    if (!PercentDecode(k, arena_)) return malformed();
    p.key_len = static_cast<uint32_t>(arena_.size() - p.key_off);
    p.val_off = static_cast<uint32_t>(arena_.size());
    if (!PercentDecode(v, arena_)) return malformed();
    p.val_len = static_cast<uint32_t>(arena_.size() - p.val_off);
    if (!IsValidUtf8(View(p.key_off, p.key_len)) || !IsValidUtf8(View(p.val_off, p.val_len))) {
      return malformed();
    }
    pairs_.push_back(p);
    if (amp == text.size()) break;
  }
  return OkStatus();
}

bool FormParams::Get(std::string_view name, std::string& value) const {
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (key(i) == name) {
      value.assign(this->value(i));
      return true;
    }
  }
  return false;
}

namespace {

// The pairs as a tree of dotted segments.
struct Node {
  std::string_view segment;
  std::string_view value;
  bool has_value = false;
  int32_t first_child = -1;
  int32_t last_child = -1;
  int32_t next = -1;
};

class Tree {
 public:
  explicit Tree(const FormParams& params) {
    nodes_.reserve(params.size() * 2 + 1);
    nodes_.emplace_back();  // root
    index_.reserve(params.size() * 2);
    for (size_t i = 0; i < params.size(); ++i) {
      std::string_view key = params.key(i);
      if (key.empty() || key == "Action" || key == "Version") continue;
      Insert(key, params.value(i));
    }
  }
  const Node& node(int32_t i) const { return nodes_[static_cast<size_t>(i)]; }
  const Node& root() const { return nodes_[0]; }

 private:
  void Insert(std::string_view key, std::string_view value) {
    int32_t parent = 0;
    size_t start = 0;
    while (true) {
      size_t dot = key.find('.', start);
      size_t end = dot == std::string_view::npos ? key.size() : dot;
      std::string_view prefix = key.substr(0, end);
      auto [it, inserted] = index_.try_emplace(prefix, 0);
      if (inserted) {
        it->second = static_cast<int32_t>(nodes_.size());
        Node n;
        n.segment = key.substr(start, end - start);
        nodes_.push_back(n);
        Node& p = nodes_[static_cast<size_t>(parent)];
        if (p.last_child < 0) {
          p.first_child = it->second;
        } else {
          nodes_[static_cast<size_t>(p.last_child)].next = it->second;
        }
        p.last_child = it->second;
      }
      parent = it->second;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    Node& leaf = nodes_[static_cast<size_t>(parent)];
    if (!leaf.has_value) {  // a repeated key keeps its first value
      leaf.has_value = true;
      leaf.value = value;
    }
  }

  std::vector<Node> nodes_;
  std::unordered_map<std::string_view, int32_t> index_;
};

bool ParseIndex(std::string_view s, uint64_t& v) {
  if (s.empty() || s[0] == '0') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

class QueryWalker {
 public:
  explicit QueryWalker(const Tree& tree) : tree_(tree) {}

  Status Run(const Shape& shape, void* out) {
    return Structure(shape, tree_.root(), out) ? OkStatus() : err_.Finish();
  }

 private:
  bool Invalid(std::string_view value) {
    std::string before = "Value ";
    if (value.size() > 1024) {
      before += value.substr(0, 1024);
      before += "...";
    } else {
      before += value;
    }
    before += " for parameter ";
    err_.Set(ErrorCode::kInvalidParameterValue, std::move(before), " is invalid.");
    return false;
  }

  static bool IsScalar(Kind k) {
    return k != Kind::kStructure && k != Kind::kList && k != Kind::kMap;
  }

  bool Structure(const Shape& s, const Node& n, void* out) {
    std::vector<bool> seen(s.member_count, false);
    for (int32_t c = n.first_child; c >= 0; c = tree_.node(c).next) {
      const Node& child = tree_.node(c);
      const Member* m = s.FindMember(child.segment);
      if (!m) continue;
      // A scalar that arrived only as a prefix (`Period.x=1`) is absent.
      if (IsScalar(m->shape->kind) && !child.has_value) continue;
      seen[static_cast<size_t>(m - s.members)] = true;
      if (!Value(*m->shape, child, m->mutable_value(out))) {
        err_.path().PushMember(m);
        return false;
      }
    }
    for (size_t i = 0; i < s.member_count; ++i) {
      if (s.members[i].required && !seen[i]) {
        err_.Set(ErrorCode::kMissingParameter, "The parameter ", " is required.");
        err_.path().PushMember(&s.members[i]);
        return false;
      }
    }
    return true;
  }

  // Children of `n.<container>` (`member` or `entry`) sorted by their 1-based index; others are
  // ignored.
  std::vector<std::pair<uint64_t, int32_t>> Items(const Node& n, std::string_view container) {
    std::vector<std::pair<uint64_t, int32_t>> items;
    for (int32_t c = n.first_child; c >= 0; c = tree_.node(c).next) {
      if (tree_.node(c).segment != container) continue;
      for (int32_t i = tree_.node(c).first_child; i >= 0; i = tree_.node(i).next) {
        uint64_t idx;
        if (ParseIndex(tree_.node(i).segment, idx)) items.emplace_back(idx, i);
      }
    }
    std::sort(items.begin(), items.end());
    return items;
  }

  const Node* Child(const Node& n, std::string_view name) {
    for (int32_t c = n.first_child; c >= 0; c = tree_.node(c).next) {
      if (tree_.node(c).segment == name) return &tree_.node(c);
    }
    return nullptr;
  }

  bool List(const Shape& s, const Node& n, void* out) {
    auto items = Items(n, "member");
    // `Name=` is how the Query protocol sends an empty list.
    if (items.empty() && n.has_value && !n.value.empty()) return Invalid(n.value);
    for (const auto& [idx, node] : items) {
      const Node& item = tree_.node(node);
      if (IsScalar(s.element->kind) && !item.has_value) continue;
      if (!Value(*s.element, item, s.list_append(out))) {
        err_.path().PushIndex(static_cast<size_t>(idx));
        return false;
      }
    }
    return true;
  }

  bool Map(const Shape& s, const Node& n, void* out) {
    auto items = Items(n, "entry");
    if (items.empty() && n.has_value && !n.value.empty()) return Invalid(n.value);
    for (const auto& [idx, node] : items) {
      const Node& entry = tree_.node(node);
      const Node* key = Child(entry, s.map_key_name);
      if (!key || !key->has_value) continue;  // an entry without a key is ignored
      const Node* value = Child(entry, s.map_value_name);
      if (!value || (IsScalar(s.element->kind) && !value->has_value)) {
        err_.Set(ErrorCode::kMissingParameter, "The parameter ", " is required.");
        err_.path().PushMapValue(static_cast<size_t>(idx), err_.Keep(key->value),
                                 s.map_value_name);
        return false;
      }
      size_t before = s.container_size(out);
      void* v = s.map_insert(out, std::string(key->value));
      if (s.container_size(out) == before) continue;  // duplicate key: the first value wins
      if (!Value(*s.element, *value, v)) {
        err_.path().PushMapValue(static_cast<size_t>(idx), err_.Keep(key->value),
                                 s.map_value_name);
        return false;
      }
    }
    return true;
  }

  bool Value(const Shape& s, const Node& n, void* out) {
    std::string_view v = n.value;
    switch (s.kind) {
      case Kind::kStructure:
        return Structure(s, n, out);
      case Kind::kList:
        return List(s, n, out);
      case Kind::kMap:
        return Map(s, n, out);
      case Kind::kString:
        static_cast<std::string*>(out)->assign(v);
        return true;
      case Kind::kBoolean:
        if (v.size() == 4 && (v[0] | 0x20) == 't' && (v[1] | 0x20) == 'r' && (v[2] | 0x20) == 'u' &&
            (v[3] | 0x20) == 'e') {
          *static_cast<bool*>(out) = true;
        } else if (v.size() == 5 && (v[0] | 0x20) == 'f' && (v[1] | 0x20) == 'a' &&
                   (v[2] | 0x20) == 'l' && (v[3] | 0x20) == 's' && (v[4] | 0x20) == 'e') {
          *static_cast<bool*>(out) = false;
        } else {
          return Invalid(v);
        }
        return true;
      case Kind::kInteger:
      case Kind::kLong: {
        int64_t x;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
        if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return Invalid(v);
        if (s.kind == Kind::kInteger) {
          if (x < INT32_MIN || x > INT32_MAX) return Invalid(v);
          *static_cast<int32_t*>(out) = static_cast<int32_t>(x);
        } else {
          *static_cast<int64_t*>(out) = x;
        }
        return true;
      }
      case Kind::kDouble: {
        double x;
        if (v == "Infinity") {
          x = std::numeric_limits<double>::infinity();
        } else if (v == "-Infinity") {
          x = -std::numeric_limits<double>::infinity();
        } else {
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
          if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return Invalid(v);
        }
        *static_cast<double*>(out) = x;
        return true;
      }
      case Kind::kTimestamp: {
        auto ts = ParseTimestamp(v);
        if (!ts || !InWireRange(*ts)) return Invalid(v);
        *static_cast<Timestamp*>(out) = *ts;
        return true;
      }
      case Kind::kBlob: {
        auto* blob = static_cast<std::string*>(out);
        blob->clear();
        if (!DecodeBase64(v, *blob)) return Invalid(v);
        return true;
      }
    }
    return true;
  }

  const Tree& tree_;
  DecodeError err_;
};

}  // namespace

Status DecodeQuery(const FormParams& params, const model::Shape& shape, void* out) {
  Tree tree(params);
  return QueryWalker(tree).Run(shape, out);
}

}  // namespace vigil::protocol::internal
