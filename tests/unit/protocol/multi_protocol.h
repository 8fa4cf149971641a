// Builds the same request in all three protocols from one JSON description, so tests can assert
// that every protocol gives the same answer.
#pragma once

#include <nlohmann/json.hpp>

#include "unit/protocol/test_util.h"

namespace vigil::protocol::testing {

inline std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Flattens `j`, a value of `shape`, into Query form pairs.
inline void Flatten(const nlohmann::json& j, const model::Shape& s, const std::string& name,
                    std::string& out) {
  auto pair = [&](const std::string& v) {
    out += '&';
    out += UrlEncode(name);
    out += '=';
    out += UrlEncode(v);
  };
  switch (s.kind) {
    case model::Kind::kStructure:
      for (const auto& [k, v] : j.items()) {
        const model::Member* m = s.FindMember(k);
        if (!m || v.is_null()) continue;
        Flatten(v, *m->shape, name.empty() ? k : name + "." + k, out);
      }
      break;
    case model::Kind::kList:
      if (j.empty()) pair("");
      for (size_t i = 0; i < j.size(); ++i) {
        Flatten(j[i], *s.element, name + ".member." + std::to_string(i + 1), out);
      }
      break;
    case model::Kind::kMap: {
      size_t i = 0;
      for (const auto& [k, v] : j.items()) {
        ++i;
        std::string e = name + ".entry." + std::to_string(i);
        out += "&" + UrlEncode(e + ".key") + "=" + UrlEncode(k);
        Flatten(v, *s.element, e + ".value", out);
      }
      break;
    }
    default:
      pair(j.is_string() ? j.get<std::string>() : j.dump());
  }
}

inline HttpRequest MakeRequest(Protocol p, std::string_view op, const model::Shape& shape,
                               const nlohmann::json& j) {
  switch (p) {
    case Protocol::kJson10:
      return JsonRequest(op, j.dump());
    case Protocol::kRpcV2Cbor: {
      auto v = nlohmann::json::to_cbor(j);
      return CborRequest(op, std::string(v.begin(), v.end()));
    }
    case Protocol::kQuery:
      break;
  }
  std::string body = "Action=" + std::string(op) + "&Version=2010-08-01";
  Flatten(j, shape, "", body);
  return QueryRequest(body);
}

template <typename T>
Status DecodeIn(Protocol p, std::string_view op, const nlohmann::json& j, T& out) {
  return Decode(MakeRequest(p, op, model::ShapeOf<T>(), j), out);
}

class AllProtocols : public ::testing::TestWithParam<Protocol> {};

inline std::string ProtocolParamName(const ::testing::TestParamInfo<Protocol>& info) {
  return std::string(ProtocolName(info.param));
}

}  // namespace vigil::protocol::testing
