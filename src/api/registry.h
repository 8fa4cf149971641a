// The operation registry: the one list of what vigil answers (registry.cc).
//
// Every operation of the model is known (model::cw::kOperations); those with a handler are
// registered here with their typed function. Handlers take the decoded input struct and fill the
// output struct; they never see the wire (style.md §2, §3).
#pragma once

#include <functional>
#include <string_view>
#include <unordered_map>

#include "api/context.h"
#include "vigil/common/result.h"
#include "vigil/model/shape.h"

namespace vigil::api {

class Registry {
 public:
  using Invoke = std::function<Status(RequestContext&, const void* input, void* output)>;

  struct Entry {
    const model::Operation* operation = nullptr;
    Invoke invoke;  // empty when vigil does not build this operation yet
  };

  // Every operation of the CloudWatch model, with handlers for those vigil builds.
  static const Registry& CloudWatch();
  // Every operation of the SNS model (2010-03-31), with handlers for those vigil builds.
  static const Registry& Sns();

  // nullptr for an operation that is not in the model.
  const Entry* Find(std::string_view name) const;

  template <typename In, typename Out>
  void Add(std::string_view name, Status (*fn)(RequestContext&, const In&, Out&)) {
    Entry& e = Slot(name, &model::ShapeOf<In>(), &model::ShapeOf<Out>());
    e.invoke = [fn](RequestContext& ctx, const void* in, void* out) {
      return fn(ctx, *static_cast<const In*>(in), *static_cast<Out*>(out));
    };
  }
  template <typename In>
  void Add(std::string_view name, Status (*fn)(RequestContext&, const In&)) {
    Entry& e = Slot(name, &model::ShapeOf<In>(), nullptr);
    e.invoke = [fn](RequestContext& ctx, const void* in, void*) {
      return fn(ctx, *static_cast<const In*>(in));
    };
  }

  size_t size() const { return entries_.size(); }
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [name, e] : entries_) f(name, e);
  }

 private:
  Registry(const model::Operation* ops, size_t count);
  // The entry for `name`; aborts at start-up if the shapes do not match the model.
  Entry& Slot(std::string_view name, const model::Shape* in, const model::Shape* out);

  std::unordered_map<std::string_view, Entry> entries_;
};

}  // namespace vigil::api
