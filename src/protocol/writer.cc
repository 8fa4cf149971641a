#include "protocol/writer.h"

#include <cbor.h>

#include <cmath>
#include <vector>

#include "protocol/text.h"
#include "vigil/common/text.h"

namespace vigil::protocol::internal {
namespace {

using model::Kind;
using model::Member;
using model::Shape;

bool NeedsSanitizing(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return !IsValidUtf8(s);
  }
  return false;
}

class JsonWriter final : public Writer {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  void BeginStructure(size_t) override { Open('{'); }
  void EndStructure() override { Close('}'); }
  void BeginField(std::string_view name) override { Key(name); }
  void EndField() override {}
  void BeginList(size_t) override { Open('['); }
  void EndList() override { Close(']'); }
  void BeginItem() override { Comma(); }
  void EndItem() override {}
  void BeginMap(size_t) override { Open('{'); }
  void EndMap() override { Close('}'); }
  void BeginEntry(std::string_view key) override { Key(key); }
  void EndEntry() override {}
  void String(std::string_view v) override { AppendJsonString(out_, v); }
  void Bool(bool v) override { out_ += v ? "true" : "false"; }
  void Integer(int64_t v) override { AppendInt(out_, v); }
  void Double(double v) override {
    if (std::isfinite(v)) {
      AppendDouble(out_, v);
    } else {
      out_ += '"';
      AppendDouble(out_, v);
      out_ += '"';
    }
  }
  void Time(Timestamp v) override { AppendDouble(out_, v.as_double_seconds()); }
  void Blob(std::string_view bytes) override {
    out_ += '"';
    AppendBase64(out_, bytes);
    out_ += '"';
  }

 private:
  void Open(char c) {
    out_ += c;
    first_.push_back(true);
  }
  void Close(char c) {
    out_ += c;
    first_.pop_back();
  }
  void Comma() {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  void Key(std::string_view k) {
    Comma();
    AppendJsonString(out_, k);
    out_ += ':';
  }

  std::string& out_;
  std::vector<bool> first_;
};

class CborWriter final : public Writer {
 public:
  explicit CborWriter(std::string& out) : out_(out) {}
  void BeginStructure(size_t n) override { Put(cbor_encode_map_start(n, buf_, sizeof buf_)); }
  void EndStructure() override {}
  void BeginField(std::string_view name) override { String(name); }
  void EndField() override {}
  void BeginList(size_t n) override { Put(cbor_encode_array_start(n, buf_, sizeof buf_)); }
  void EndList() override {}
  void BeginItem() override {}
  void EndItem() override {}
  void BeginMap(size_t n) override { Put(cbor_encode_map_start(n, buf_, sizeof buf_)); }
  void EndMap() override {}
  void BeginEntry(std::string_view key) override { String(key); }
  void EndEntry() override {}
  void String(std::string_view v) override {
    if (NeedsSanitizing(v)) {
      std::string clean;
      AppendSanitizedUtf8(clean, v);
      Put(cbor_encode_string_start(clean.size(), buf_, sizeof buf_));
      out_ += clean;
      return;
    }
    Put(cbor_encode_string_start(v.size(), buf_, sizeof buf_));
    out_ += v;
  }
  void Bool(bool v) override { Put(cbor_encode_bool(v, buf_, sizeof buf_)); }
  void Integer(int64_t v) override {
    if (v >= 0) {
      Put(cbor_encode_uint(static_cast<uint64_t>(v), buf_, sizeof buf_));
    } else {
      Put(cbor_encode_negint(static_cast<uint64_t>(-1 - v), buf_, sizeof buf_));
    }
  }
  void Double(double v) override { Put(cbor_encode_double(v, buf_, sizeof buf_)); }
  void Time(Timestamp v) override {
    Put(cbor_encode_tag(1, buf_, sizeof buf_));
    Double(v.as_double_seconds());
  }
  void Blob(std::string_view bytes) override {
    Put(cbor_encode_bytestring_start(bytes.size(), buf_, sizeof buf_));
    out_ += bytes;
  }

 private:
  void Put(size_t n) { out_.append(reinterpret_cast<const char*>(buf_), n); }

  std::string& out_;
  unsigned char buf_[16];
};

class XmlWriter final : public Writer {
 public:
  explicit XmlWriter(std::string& out) : out_(out) {}
  void BeginStructure(size_t) override {}
  void EndStructure() override {}
  void BeginField(std::string_view name) override { OpenElement(name); }
  void EndField() override { CloseElement(); }
  void BeginList(size_t) override {}
  void EndList() override {}
  void BeginItem() override { OpenElement("member"); }
  void EndItem() override { CloseElement(); }
  void BeginMap(size_t) override {}
  void EndMap() override {}
  void BeginEntry(std::string_view key) override {
    out_ += "<entry><key>";
    AppendXmlEscaped(out_, key);
    out_ += "</key>";
    OpenElement("value");
  }
  void EndEntry() override {
    CloseElement();
    out_ += "</entry>";
  }
  void String(std::string_view v) override { AppendXmlEscaped(out_, v); }
  void Bool(bool v) override { out_ += v ? "true" : "false"; }
  void Integer(int64_t v) override { AppendInt(out_, v); }
  void Double(double v) override { AppendDouble(out_, v); }
  void Time(Timestamp v) override { out_ += FormatIso8601(v); }
  void Blob(std::string_view bytes) override { AppendBase64(out_, bytes); }

 private:
  void OpenElement(std::string_view name) {
    out_ += '<';
    out_ += name;
    out_ += '>';
    open_.push_back({name, out_.size()});
  }
  // An element with nothing inside is written `<Name/>`.
  void CloseElement() {
    auto [name, content_start] = open_.back();
    open_.pop_back();
    if (out_.size() == content_start) {
      out_.back() = '/';
      out_ += '>';
      return;
    }
    out_ += "</";
    out_ += name;
    out_ += '>';
  }

  std::string& out_;
  std::vector<std::pair<std::string_view, size_t>> open_;
};

struct EntryContext {
  Writer* w;
  const Shape* value_shape;
};

}  // namespace

std::unique_ptr<Writer> MakeJsonWriter(std::string& out) {
  return std::make_unique<JsonWriter>(out);
}
std::unique_ptr<Writer> MakeCborWriter(std::string& out) {
  return std::make_unique<CborWriter>(out);
}
std::unique_ptr<Writer> MakeXmlWriter(std::string& out) { return std::make_unique<XmlWriter>(out); }

void WriteValue(Writer& w, const Shape& s, const void* v) {
  switch (s.kind) {
    case Kind::kStructure: {
      size_t present = 0;
      for (size_t i = 0; i < s.member_count; ++i) present += s.members[i].value(v) != nullptr;
      w.BeginStructure(present);
      for (size_t i = 0; i < s.member_count; ++i) {
        const Member& m = s.members[i];
        const void* mv = m.value(v);
        if (!mv) continue;
        w.BeginField(m.name);
        WriteValue(w, *m.shape, mv);
        w.EndField();
      }
      w.EndStructure();
      break;
    }
    case Kind::kList: {
      size_t n = s.container_size(v);
      w.BeginList(n);
      for (size_t i = 0; i < n; ++i) {
        w.BeginItem();
        WriteValue(w, *s.element, s.list_at(v, i));
        w.EndItem();
      }
      w.EndList();
      break;
    }
    case Kind::kMap: {
      w.BeginMap(s.container_size(v));
      EntryContext ctx{&w, s.element};
      s.map_for_each(v, &ctx, [](void* c, const std::string& key, const void* value) {
        auto& x = *static_cast<EntryContext*>(c);
        x.w->BeginEntry(key);
        WriteValue(*x.w, *x.value_shape, value);
        x.w->EndEntry();
      });
      w.EndMap();
      break;
    }
    case Kind::kString:
      w.String(*static_cast<const std::string*>(v));
      break;
    case Kind::kBlob:
      w.Blob(*static_cast<const std::string*>(v));
      break;
    case Kind::kBoolean:
      w.Bool(*static_cast<const bool*>(v));
      break;
    case Kind::kInteger:
      w.Integer(*static_cast<const int32_t*>(v));
      break;
    case Kind::kLong:
      w.Integer(*static_cast<const int64_t*>(v));
      break;
    case Kind::kDouble:
      w.Double(*static_cast<const double*>(v));
      break;
    case Kind::kTimestamp:
      w.Time(*static_cast<const Timestamp*>(v));
      break;
  }
}

void AppendJsonString(std::string& out, std::string_view s) {
  std::string clean;
  if (NeedsSanitizing(s)) {
    AppendSanitizedUtf8(clean, s);
    s = clean;
  }
  AppendJsonQuoted(out, s);
}

void AppendXmlEscaped(std::string& out, std::string_view s) {
  std::string clean;
  if (NeedsSanitizing(s)) {
    AppendSanitizedUtf8(clean, s);
    s = clean;
  }
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      case '\n':
      case '\t':
        out += ch;
        break;
      default:
        if (c < 0x20) {
          out += "\xEF\xBF\xBD";  // not representable in XML 1.0
        } else {
          out += ch;
        }
    }
  }
}

}  // namespace vigil::protocol::internal
