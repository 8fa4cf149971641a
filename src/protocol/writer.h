// Encoding through Shapes: one walker (WriteValue) drives a small Writer interface with JSON,
// CBOR and XML implementations. Absent optionals are omitted; present lists and maps are always
// written, empty ones too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/common/time.h"
#include "vigil/model/shape.h"

namespace vigil::protocol::internal {

class Writer {
 public:
  virtual ~Writer() = default;
  virtual void BeginStructure(size_t present_members) = 0;
  virtual void EndStructure() = 0;
  virtual void BeginField(std::string_view name) = 0;
  virtual void EndField() = 0;
  virtual void BeginList(size_t size) = 0;
  virtual void EndList() = 0;
  virtual void BeginItem() = 0;
  virtual void EndItem() = 0;
  virtual void BeginMap(size_t size) = 0;
  virtual void EndMap() = 0;
  virtual void BeginEntry(std::string_view key) = 0;
  virtual void EndEntry() = 0;
  virtual void String(std::string_view v) = 0;
  virtual void Bool(bool v) = 0;
  virtual void Integer(int64_t v) = 0;
  virtual void Double(double v) = 0;
  virtual void Time(Timestamp v) = 0;
  virtual void Blob(std::string_view bytes) = 0;
};

// JSON 1.0: doubles shortest round-trip with ".0" for integral values, non-finite as the strings
// "NaN"/"Infinity"/"-Infinity", timestamps as epoch seconds, blobs base64.
std::unique_ptr<Writer> MakeJsonWriter(std::string& out);
// RPC v2 CBOR: definite lengths, float64 doubles, smallest ints, tag 1 + float64 timestamps.
std::unique_ptr<Writer> MakeCborWriter(std::string& out);
// Query XML: a structure writes only its fields (the caller writes the wrapper element), list
// items as <member>, map entries as <entry><key/><value/></entry>, ISO-8601 timestamps.
std::unique_ptr<Writer> MakeXmlWriter(std::string& out);

// Writes `value`, an object of `shape`.
void WriteValue(Writer& w, const model::Shape& shape, const void* value);

// Helpers shared with the error encoders.
void AppendJsonString(std::string& out, std::string_view s);
void AppendXmlEscaped(std::string& out, std::string_view s);

}  // namespace vigil::protocol::internal
