// vigil's SNS message signer: an RSA-2048 key and a self-signed X.509 certificate.
//
// Receivers written for AWS verify a notification by fetching the PEM certificate at
// SigningCertURL and checking `Signature` (base64) over the string to sign (sns_envelope.h) with
// SHA1withRSA (SignatureVersion 1) or SHA256withRSA (2), PKCS#1 v1.5. vigil serves
// certificate_pem() at its SigningCertURL so those receivers work unchanged (they must be
// configured to trust vigil's host instead of `sns.<region>.amazonaws.com`).
//
// Files, in the directory given to LoadOrCreate (docs/notifications.md):
//   sns-signing-key.pem   PKCS#8 private key, mode 0600 (refused when group/other can access it)
//   sns-signing-cert.pem  the certificate, mode 0644
// Both are created together on first use (written to a temporary name, fsynced, renamed) and
// loaded on later starts; one without the other is an error rather than a silent new identity.
//
// Thread safety: a Signer is immutable after LoadOrCreate; Sign/Verify may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/common/result.h"
#include "vigil/common/time.h"

namespace vigil::notify {

enum class SignatureVersion : uint8_t { kV1 = 1, kV2 = 2 };
std::string_view SignatureVersionText(SignatureVersion v);  // "1", "2"
std::optional<SignatureVersion> ParseSignatureVersion(std::string_view text);

inline constexpr std::string_view kSigningKeyFile = "sns-signing-key.pem";
inline constexpr std::string_view kSigningCertFile = "sns-signing-cert.pem";

class Signer {
 public:
  // Loads the key and certificate from `dir`, or creates both (and `dir`, mode 0700) when
  // neither exists. `now` is the certificate's notBefore; it is valid for ten years.
  static Result<std::unique_ptr<Signer>> LoadOrCreate(const std::filesystem::path& dir,
                                                      Timestamp now);
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // The base64 signature of `data` (the string to sign) for `version`.
  Result<std::string> Sign(std::string_view data, SignatureVersion version) const;
  // Checks a base64 signature made by this key; an error names what did not match.
  Status Verify(std::string_view data, std::string_view signature_base64,
                SignatureVersion version) const;
  // The certificate, PEM, as served at SigningCertURL.
  const std::string& certificate_pem() const;

 private:
  struct Impl;
  explicit Signer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::notify
