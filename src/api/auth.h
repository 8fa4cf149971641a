// Who is calling: the account and region of a request, from its SigV4 credential.
//
// `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...`
// or a presigned URL's `X-Amz-Credential`. An access key id of exactly 12 digits is the account id
// itself; any other key, or an unsigned request, belongs to the default account. Signatures are
// not verified yet (docs/operations.md); the parsed credential keeps room for it.
#pragma once

#include <string>
#include <string_view>

#include "vigil/common/http.h"

namespace vigil::api {

struct Identity {
  std::string access_key;  // empty when unsigned
  std::string account;
  std::string region;
  std::string service;  // the credential scope's service ("monitoring", "sns")
};

Identity ResolveIdentity(const HttpRequest& request, std::string_view default_account,
                         std::string_view default_region);

}  // namespace vigil::api
