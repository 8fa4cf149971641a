// Message ids and subscription confirmation tokens, behind an injectable random source.
//
// SNS's MessageId is a UUID (the delivery loop keeps it across retries so receivers can
// de-duplicate); a confirmation Token is a long lower-case hex string. Production uses
// SecureRandom (OpenSSL's CSPRNG); tests pass a deterministic source and get fixed bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace vigil::notify {

// Fills buffers with random bytes. Implementations must be thread-safe.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
};

// OpenSSL RAND_bytes; aborts if the CSPRNG cannot be seeded (nothing sensible to do then).
class SecureRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override;
};

// A random (version 4, RFC 9562) UUID in lower-case 8-4-4-4-12 form.
std::string NewMessageId(RandomSource& random);

// Bytes of randomness in a confirmation token; the token is twice as many hex characters.
inline constexpr size_t kTokenBytes = 128;

// A subscription confirmation token: kTokenBytes random bytes as lower-case hex.
std::string NewConfirmationToken(RandomSource& random);

}  // namespace vigil::notify
