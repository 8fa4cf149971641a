#include "api/auth.h"

#include <algorithm>

#include "vigil/common/text.h"

namespace vigil::api {
namespace {

// "<key>/<date>/<region>/<service>/aws4_request"
void ParseCredential(std::string_view cred, Identity& id) {
  std::string_view parts[5];
  size_t n = 0;
  while (n < 5) {
    size_t slash = cred.find('/');
    parts[n++] = cred.substr(0, slash);
    if (slash == std::string_view::npos) break;
    cred.remove_prefix(slash + 1);
  }
  if (n < 4 || parts[0].empty()) return;
  id.access_key = std::string(parts[0]);
  if (!parts[2].empty()) id.region = std::string(parts[2]);
  id.service = std::string(parts[3]);
}

std::string_view QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) return pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

bool IsAccountId(std::string_view key) {
  return key.size() == 12 &&
         std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Identity ResolveIdentity(const HttpRequest& request, std::string_view default_account,
                         std::string_view default_region) {
  Identity id;
  id.region = std::string(default_region);
  std::string_view auth = request.Header("authorization");
  size_t pos = auth.find("Credential=");
  if (pos != std::string_view::npos) {
    std::string_view cred = auth.substr(pos + 11);
    size_t end = cred.find_first_of(", ");
    ParseCredential(cred.substr(0, end), id);
  } else {
    std::string_view cred = QueryParam(request.QueryString(), "X-Amz-Credential");
    if (!cred.empty()) {
      std::string decoded;
      if (PercentDecode(cred, decoded)) ParseCredential(decoded, id);
    }
  }
  id.account = IsAccountId(id.access_key) ? id.access_key : std::string(default_account);
  return id;
}

}  // namespace vigil::api
