// What an operation handler receives besides its input.
#pragma once

#include <string>

#include "vigil/api/frontend.h"
#include "vigil/common/time.h"

namespace vigil::api {

struct RequestContext {
  std::string account;
  std::string region;
  std::string request_id;
  Timestamp now;  // read once per request from the injected clock
  Services* services;
};

}  // namespace vigil::api
