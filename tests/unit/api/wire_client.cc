#include "unit/api/wire_client.h"

#include <nlohmann/json.hpp>

#include <cbor.h>

#include <cstring>
#include <functional>
#include <stdexcept>

namespace vigil::testing {
namespace {

using protocol::Protocol;


std::string FormatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Flattens a struct into Query parameters the way botocore's query serializer does.
void Flatten(const model::Shape& shape, const void* value, const std::string& prefix,
             std::string& out) {
  auto add = [&](const std::string& k, const std::string& v) {
    out += '&';
    out += UrlEncode(k);
    out += '=';
    out += UrlEncode(v);
  };
  switch (shape.kind) {
    case model::Kind::kString:
    case model::Kind::kBlob:
      add(prefix, *static_cast<const std::string*>(value));
      break;
    case model::Kind::kBoolean:
      add(prefix, *static_cast<const bool*>(value) ? "true" : "false");
      break;
    case model::Kind::kInteger:
      add(prefix, std::to_string(*static_cast<const int32_t*>(value)));
      break;
    case model::Kind::kLong:
      add(prefix, std::to_string(*static_cast<const int64_t*>(value)));
      break;
    case model::Kind::kDouble:
      add(prefix, FormatDouble(*static_cast<const double*>(value)));
      break;
    case model::Kind::kTimestamp:
      add(prefix, FormatIso8601(*static_cast<const Timestamp*>(value)));
      break;
    case model::Kind::kList: {
      size_t n = shape.container_size(value);
      if (n == 0) add(prefix, "");
      for (size_t i = 0; i < n; ++i) {
        Flatten(*shape.element, shape.list_at(value, i), prefix + ".member." + std::to_string(i + 1),
                out);
      }
      break;
    }
    case model::Kind::kMap: {
      struct Ctx {
        const model::Shape* shape;
        const std::string* prefix;
        std::string* out;
        size_t i = 0;
      } ctx{&shape, &prefix, &out};
      shape.map_for_each(value, &ctx, [](void* c, const std::string& k, const void* v) {
        auto* x = static_cast<Ctx*>(c);
        std::string p = *x->prefix + ".entry." + std::to_string(++x->i);
        *x->out += "&" + UrlEncode(p + ".key") + "=" + UrlEncode(k);
        Flatten(*x->shape->element, v, p + ".value", *x->out);
      });
      break;
    }
    case model::Kind::kStructure:
      for (size_t i = 0; i < shape.member_count; ++i) {
        const auto& m = shape.members[i];
        const void* v = m.value(value);
        if (v == nullptr) continue;
        Flatten(*m.shape, v, prefix.empty() ? std::string(m.name) : prefix + "." + std::string(m.name),
                out);
      }
      break;
  }
}

// A minimal XML reader for responses: turns elements into Query-style parameters, so the
// production Query decoder can decode an XML answer into the output struct.
class XmlToForm {
 public:
  explicit XmlToForm(std::string_view xml) : s_(xml) {}

  // Returns the form for the children of the element named `root_child` (e.g. "...Result").
  std::string Convert(std::string_view result_element) {
    size_t start = s_.find("<" + std::string(result_element) + ">");
    if (start == std::string_view::npos) return "";
    pos_ = start;
    std::string out;
    ParseElement("", out, true);
    return out;
  }

 private:
  static std::string Unescape(std::string_view t) {
    std::string out;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] != '&') {
        out.push_back(t[i]);
        continue;
      }
      size_t semi = t.find(';', i);
      std::string_view ent = t.substr(i + 1, semi - i - 1);
      if (ent == "lt") out.push_back('<');
      else if (ent == "gt") out.push_back('>');
      else if (ent == "amp") out.push_back('&');
      else if (ent == "quot") out.push_back('"');
      else if (ent == "apos") out.push_back('\'');
      else if (!ent.empty() && ent[0] == '#') {
        unsigned long cp = ent.size() > 1 && ent[1] == 'x' ? std::stoul(std::string(ent.substr(2)), nullptr, 16)
                                                           : std::stoul(std::string(ent.substr(1)));
        if (cp < 0x80) out.push_back(static_cast<char>(cp));
        else if (cp < 0x800) { out.push_back(static_cast<char>(0xC0 | (cp >> 6))); out.push_back(static_cast<char>(0x80 | (cp & 0x3F))); }
        else { out.push_back(static_cast<char>(0xE0 | (cp >> 12))); out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F))); out.push_back(static_cast<char>(0x80 | (cp & 0x3F))); }
      }
      i = semi;
    }
    return out;
  }

  // At '<name>' : parses the element and its children.
  void ParseElement(const std::string& path, std::string& out, bool is_root) {
    size_t gt = s_.find('>', pos_);
    std::string_view tag = s_.substr(pos_ + 1, gt - pos_ - 1);
    bool self_closing = !tag.empty() && tag.back() == '/';
    if (self_closing) tag.remove_suffix(1);
    std::string name(tag.substr(0, tag.find(' ')));
    pos_ = gt + 1;
    std::string my_path;
    if (is_root) {
      my_path = "";
    } else if (name == "member") {
      my_path = path + ".member." + std::to_string(++counters_[path]);
    } else if (name == "entry") {
      my_path = path + ".entry." + std::to_string(++counters_[path]);
    } else {
      my_path = path.empty() ? name : path + "." + name;
    }
    if (self_closing) {
      out += "&" + UrlEncode(my_path) + "=";
      return;
    }
    size_t text_start = pos_;
    bool has_children = false;
    while (true) {
      size_t lt = s_.find('<', pos_);
      if (s_.compare(lt, 2, "</") == 0) {
        if (!has_children && !is_root) {
          out += "&" + UrlEncode(my_path) + "=" + UrlEncode(Unescape(s_.substr(text_start, lt - text_start)));
        }
        pos_ = s_.find('>', lt) + 1;
        return;
      }
      has_children = true;
      pos_ = lt;
      ParseElement(my_path, out, false);
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::map<std::string, int> counters_;
};

nlohmann::json CborToJson(cbor_item_t* item) {
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT:
      return cbor_get_int(item);
    case CBOR_TYPE_NEGINT:
      return -1 - static_cast<int64_t>(cbor_get_int(item));
    case CBOR_TYPE_STRING:
      return std::string(reinterpret_cast<const char*>(cbor_string_handle(item)), cbor_string_length(item));
    case CBOR_TYPE_MAP: {
      nlohmann::json j = nlohmann::json::object();
      auto* pairs = cbor_map_handle(item);
      for (size_t i = 0; i < cbor_map_size(item); ++i) {
        j[CborToJson(pairs[i].key).get<std::string>()] = CborToJson(pairs[i].value);
      }
      return j;
    }
    case CBOR_TYPE_ARRAY: {
      nlohmann::json j = nlohmann::json::array();
      for (size_t i = 0; i < cbor_array_size(item); ++i) j.push_back(CborToJson(cbor_array_get(item, i)));
      return j;
    }
    case CBOR_TYPE_FLOAT_CTRL:
      if (cbor_float_ctrl_is_ctrl(item)) {
        if (cbor_is_bool(item)) return cbor_get_bool(item);
        return nullptr;
      }
      return cbor_float_get_float(item);
    case CBOR_TYPE_TAG:
      return CborToJson(cbor_tag_item(item));
    default:
      return nullptr;
  }
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

HttpRequest BuildRequest(Protocol protocol, std::string_view operation, const model::Shape& shape,
                         const void* input, std::string_view access_key, std::string_view region) {
  HttpRequest req;
  req.method = "POST";
  req.remote = "test";
  req.headers.emplace_back(
      "authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(access_key) + "/20261127/" +
                           std::string(region) +
                           "/monitoring/aws4_request, SignedHeaders=host, Signature=0");
  switch (protocol) {
    case Protocol::kQuery: {
      req.target = "/";
      req.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
      std::string form = "Action=" + std::string(operation) + "&Version=2010-08-01";
      Flatten(shape, input, "", form);
      req.body = form;
      break;
    }
    case Protocol::kJson10:
    case Protocol::kRpcV2Cbor: {
      // The production encoder writes exactly what the SDKs send for a struct.
      HttpResponse encoded =
          protocol::EncodeResult(protocol, protocol::kCloudWatchService, operation, &shape, input, "x");
      req.body = encoded.body;
      if (protocol == Protocol::kJson10) {
        req.target = "/";
        req.headers.emplace_back("content-type", "application/x-amz-json-1.0");
        req.headers.emplace_back("x-amz-target", "GraniteServiceVersion20100801." + std::string(operation));
      } else {
        req.target = "/service/GraniteServiceVersion20100801/operation/" + std::string(operation);
        req.headers.emplace_back("content-type", "application/cbor");
        req.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
        req.headers.emplace_back("accept", "application/cbor");
      }
      req.headers.emplace_back("x-amzn-query-mode", "true");
      break;
    }
  }
  req.wire_body_bytes = req.body.size();
  return req;
}

WireError ParseError(Protocol protocol, const HttpResponse& response) {
  WireError e;
  e.status = response.status;
  if (protocol == Protocol::kQuery) {
    auto tag = [&](const std::string& name) -> std::optional<std::string> {
      size_t a = response.body.find("<" + name + ">");
      if (a == std::string::npos) return std::nullopt;
      a += name.size() + 2;
      size_t b = response.body.find("</" + name + ">", a);
      return response.body.substr(a, b - a);
    };
    e.code = tag("Code").value_or("");
    auto m = tag("Message");
    e.has_message = m.has_value();
    e.message = m.value_or("");
    // Undo the XML escaping of the message.
    for (auto [from, to] : {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}}) {
      for (size_t p; (p = e.message.find(from)) != std::string::npos;) e.message.replace(p, std::strlen(from), to);
    }
    return e;
  }
  nlohmann::json body;
  if (protocol == Protocol::kJson10) {
    body = nlohmann::json::parse(response.body, nullptr, false);
  } else {
    cbor_load_result r;
    cbor_item_t* item = cbor_load(reinterpret_cast<const unsigned char*>(response.body.data()),
                                  response.body.size(), &r);
    if (item != nullptr) {
      body = CborToJson(item);
      cbor_decref(&item);
    }
  }
  for (const auto& [k, v] : response.headers) {
    if (k == "x-amzn-query-error") e.code = v.substr(0, v.find(';'));
  }
  if (body.is_object() && body.contains("message")) {
    e.has_message = true;
    e.message = body["message"].get<std::string>();
  }
  return e;
}

RawCall Send(api::Frontend& frontend, Protocol protocol, std::string_view operation,
             const model::Shape& in_shape, const void* input, const model::Shape* out_shape,
             void* output, std::string_view access_key) {
  RawCall call;
  call.response = frontend.Handle(BuildRequest(protocol, operation, in_shape, input, access_key));
  if (call.response.status != 200) {
    call.error = ParseError(protocol, call.response);
    return call;
  }
  if (out_shape == nullptr) return call;
  HttpRequest fake;
  fake.method = "POST";
  if (protocol == Protocol::kQuery) {
    fake.target = "/";
    fake.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    fake.body = "Action=" + std::string(operation) + "&Version=2010-08-01" +
                XmlToForm(call.response.body).Convert(std::string(operation) + "Result");
  } else {
    fake.body = call.response.body;
    if (protocol == Protocol::kJson10) {
      fake.target = "/";
      fake.headers.emplace_back("content-type", "application/x-amz-json-1.0");
      fake.headers.emplace_back("x-amz-target", "GraniteServiceVersion20100801." + std::string(operation));
    } else {
      fake.target = "/service/GraniteServiceVersion20100801/operation/" + std::string(operation);
      fake.headers.emplace_back("content-type", "application/cbor");
      fake.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
    }
  }
  auto parsed = protocol::Parse(fake, protocol::kCloudWatchService);
  if (!parsed.ok()) throw std::runtime_error("cannot parse the response: " + parsed.error().message);
  auto st = (*parsed)->DecodeInput(*out_shape, output);
  if (!st.ok()) throw std::runtime_error("cannot decode the response: " + st.error().message + "\n" + call.response.body);
  return call;
}

}  // namespace vigil::testing
