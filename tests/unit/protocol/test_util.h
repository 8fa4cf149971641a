// Helpers for the protocol tests: request builders, wire-capture loading (with gzip inflating,
// which is the net layer's job in production), and decode/encode shortcuts.
#pragma once

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "vigil/model/cloudwatch.h"
#include "vigil/protocol/protocol.h"

namespace vigil::protocol::testing {

namespace cw = vigil::model::cw;

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Gunzip(const std::string& data) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return {};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[16384];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Loads a `.http` capture (see /work/shared/wire/README.md): the request line, the headers and
// the body; the body comes from the matching `.req.bin` when there is one. gzip bodies are
// inflated here, as net does.
inline HttpRequest LoadCapture(const std::filesystem::path& http_file) {
  std::string text = ReadFile(http_file);
  HttpRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // ### REQUEST (N body bytes)
  size_t body_bytes = std::stoul(line.substr(line.find('(') + 1));
  std::getline(in, line);  // POST /path HTTP/1.1
  r.method = line.substr(0, line.find(' '));
  r.target = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    auto colon = line.find(':');
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(Lower(line.substr(0, colon)), value);
  }
  auto bin = http_file;
  bin.replace_extension(".req.bin");
  if (std::filesystem::exists(bin)) {
    r.body = ReadFile(bin);
  } else {
    auto pos = static_cast<size_t>(in.tellg());
    r.body = text.substr(pos, body_bytes);
  }
  r.wire_body_bytes = r.body.size();
  if (r.Header("content-encoding") == "gzip") r.body = Gunzip(r.body);
  return r;
}

inline HttpRequest JsonRequest(std::string_view op, std::string body, bool query_mode = true) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers.emplace_back("x-amz-target", "GraniteServiceVersion20100801." + std::string(op));
  r.headers.emplace_back("content-type", "application/x-amz-json-1.0");
  if (query_mode) r.headers.emplace_back("x-amzn-query-mode", "true");
  r.body = std::move(body);
  return r;
}

inline HttpRequest CborRequest(std::string_view op, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/service/GraniteServiceVersion20100801/operation/" + std::string(op);
  r.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
  r.headers.emplace_back("content-type", "application/cbor");
  r.headers.emplace_back("x-amzn-query-mode", "true");
  r.body = std::move(body);
  return r;
}

inline HttpRequest QueryRequest(std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  r.body = std::move(body);
  return r;
}

// Parses and decodes `r` into a T.
template <typename T>
Status Decode(const HttpRequest& r, T& out) {
  auto call = Parse(r, kCloudWatchService);
  if (!call.ok()) return call.error();
  return (*call)->DecodeInput(model::ShapeOf<T>(), &out);
}

inline std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

inline std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (Lower(k) == Lower(std::string(name))) return v;
  }
  return {};
}

// Every capture from ../shared/wire is copied here, so CI needs nothing outside the repo.
inline std::filesystem::path TestDataDir() {
  return std::filesystem::path(VIGIL_PROTOCOL_TESTDATA);
}

}  // namespace vigil::protocol::testing
