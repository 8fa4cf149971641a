// Shapes: the one description of every request and response that all three wire codecs walk.
//
// Each model struct (generated from botocore's CloudWatch model by tools/codegen/gen_model.py)
// has a Shape: its members with wire names, their shapes, required flags and accessors that work
// on type-erased pointers. The JSON, CBOR and Query decoders and the JSON, CBOR and XML encoders
// are generic walkers over Shapes; adding a field is one line in the generated table, never three
// serializers. Handlers only ever see the plain structs.
//
// C++ types by Kind: kString/kBlob -> std::string, kBoolean -> bool, kInteger -> int32_t,
// kLong -> int64_t, kDouble -> double, kTimestamp -> vigil::Timestamp, kList -> std::vector<E>,
// kMap -> std::map<std::string, V>, kStructure -> the generated struct. A member that the model
// does not mark required is std::optional<T>; a required one is a plain T.
//
// Thread safety: shapes are immutable static data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/common/time.h"

namespace vigil::model {

enum class Kind : uint8_t {
  kString,
  kBoolean,
  kInteger,
  kLong,
  kDouble,
  kTimestamp,
  kBlob,
  kList,
  kMap,
  kStructure,
};

struct Shape;

struct Member {
  std::string_view name;       // wire name: "MetricName"
  std::string_view path_name;  // lower-camel name used in validation messages: "metricName"
  const Shape* shape;
  bool required;
  // Pointer to the member's T, emplacing an absent optional first. Never null.
  void* (*mutable_value)(void* object);
  // Pointer to the member's T, or nullptr when an optional member is absent.
  const void* (*value)(const void* object);
};

// Visits one map entry during Shape::map_for_each.
using MapVisitor = void (*)(void* context, const std::string& key, const void* value);

struct Shape {
  std::string_view name;  // the model's shape name: "MetricDatum", "Namespace"
  Kind kind;

  // kStructure.
  const Member* members = nullptr;
  size_t member_count = 0;
  void* (*create)() = nullptr;        // new T()
  void (*destroy)(void*) = nullptr;   // delete static_cast<T*>

  // kList (element shape) and kMap (value shape; keys are strings).
  const Shape* element = nullptr;
  size_t (*container_size)(const void* container) = nullptr;
  const void* (*list_at)(const void* list, size_t index) = nullptr;
  void* (*list_append)(void* list) = nullptr;  // emplace_back(), returns the new element
  void* (*map_insert)(void* map, const std::string& key) = nullptr;  // operator[]
  void (*map_for_each)(const void* map, void* context, MapVisitor visit) = nullptr;
  // kMap: the Query protocol's names of an entry's key and value (`Name.entry.N.key`/`.value`;
  // SNS's MessageAttributes use `Name`/`Value`, the model's locationName).
  std::string_view map_key_name = "key";
  std::string_view map_value_name = "value";

  // Constraints from the model, checked by Validate() after decoding.
  bool has_min = false;
  bool has_max = false;
  double min = 0;  // length for strings, lists and maps; value for numbers
  double max = 0;
  const std::string_view* enum_values = nullptr;
  size_t enum_count = 0;
  std::string_view pattern;                         // the model's regex, for the message
  bool (*pattern_matches)(std::string_view) = nullptr;  // full match

  const Member* FindMember(std::string_view wire_name) const {
    for (size_t i = 0; i < member_count; ++i) {
      if (members[i].name == wire_name) return &members[i];
    }
    return nullptr;
  }
};

// One CloudWatch (or, later, SNS) operation: its name and its input/output structures. `output`
// is null for operations whose response has no body members (PutMetricData).
struct Operation {
  std::string_view name;
  const Shape* input;
  const Shape* output;
};

// The Shape of a generated struct; specialised in the generated code.
template <typename T>
const Shape& ShapeOf();

// Helpers the generated tables use to build type-erased accessors.
namespace shape_detail {

template <typename M>
struct MemberTraits;
template <typename C, typename T>
struct MemberTraits<T C::*> {
  using Class = C;
  using Type = T;
};

template <typename T>
T& Emplace(T& v) {
  return v;
}
template <typename T>
T& Emplace(std::optional<T>& v) {
  if (!v) v.emplace();
  return *v;
}
template <typename T>
const T* Get(const T& v) {
  return &v;
}
template <typename T>
const T* Get(const std::optional<T>& v) {
  return v ? &*v : nullptr;
}

template <auto M>
void* MutableMember(void* object) {
  using C = typename MemberTraits<decltype(M)>::Class;
  return static_cast<void*>(&Emplace(static_cast<C*>(object)->*M));
}
template <auto M>
const void* ConstMember(const void* object) {
  using C = typename MemberTraits<decltype(M)>::Class;
  return static_cast<const void*>(Get(static_cast<const C*>(object)->*M));
}

template <typename T>
void* Create() {
  return new T();
}
template <typename T>
void Destroy(void* p) {
  delete static_cast<T*>(p);
}

template <typename V>
size_t ContainerSize(const void* c) {
  return static_cast<const V*>(c)->size();
}
template <typename V>
const void* ListAt(const void* c, size_t i) {
  return &(*static_cast<const V*>(c))[i];
}
template <typename V>
void* ListAppend(void* c) {
  return &static_cast<V*>(c)->emplace_back();
}
template <typename M>
void* MapInsert(void* c, const std::string& key) {
  return &(*static_cast<M*>(c))[key];
}
template <typename M>
void MapForEach(const void* c, void* context, MapVisitor visit) {
  for (const auto& [k, v] : *static_cast<const M*>(c)) visit(context, k, &v);
}

}  // namespace shape_detail

// Scalar shapes without constraints, shared by every member that needs nothing more.
extern const Shape kStringShape;
extern const Shape kBooleanShape;
extern const Shape kIntegerShape;
extern const Shape kLongShape;
extern const Shape kDoubleShape;
extern const Shape kTimestampShape;
extern const Shape kBlobShape;

}  // namespace vigil::model
