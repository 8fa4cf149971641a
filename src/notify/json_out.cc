#include "notify/json_out.h"

#include "vigil/common/text.h"

namespace vigil::notify::json {

void AppendString(std::string& out, std::string_view s) { AppendJsonQuoted(out, s); }

}  // namespace vigil::notify::json
