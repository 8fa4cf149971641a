#include "vigil/notify/signer.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "vigil/common/base64.h"

namespace vigil::notify {
namespace {

namespace fs = std::filesystem;

constexpr int kRsaBits = 2048;
constexpr int64_t kValiditySeconds = 10LL * 365 * 24 * 3600;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// An internal error carrying OpenSSL's own reason (the queue is drained).
ApiError CryptoError(std::string what) {
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    what += ": ";
    what += buf;
  }
  ERR_clear_error();
  return MakeError(ErrorCode::kInternalFailure, std::move(what));
}

ApiError IoError(const std::string& what, const fs::path& path, int err) {
  std::string m = what;
  m += " ";
  m += path.string();
  m += ": ";
  m += std::strerror(err);
  return MakeError(ErrorCode::kInternalFailure, std::move(m));
}

const EVP_MD* Digest(SignatureVersion v) {
  return v == SignatureVersion::kV1 ? EVP_sha1() : EVP_sha256();
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read", path, errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `text` to `path` with `mode` via a temporary file, fsync and rename, so a crash never
// leaves a truncated key behind.
Status WriteFileAtomic(const fs::path& path, const std::string& text, mode_t mode) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return IoError("cannot create", tmp, errno);
  if (::fchmod(fd, mode) != 0) {
    int err = errno;
    ::close(fd);
    return IoError("cannot chmod", tmp, err);
  }
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return IoError("cannot write", tmp, err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return IoError("cannot fsync", tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IoError("cannot rename", tmp, errno);
  return OkStatus();
}

Result<X509Ptr> MakeCertificate(EVP_PKEY* key, Timestamp now) {
  X509Ptr cert(X509_new());
  if (!cert) return CryptoError("X509_new");
  if (X509_set_version(cert.get(), 2) != 1) return CryptoError("X509_set_version");
  // A random positive 127-bit serial number (RFC 5280 §4.1.2.2).
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return CryptoError("RAND_bytes");
  serial[0] &= 0x7f;
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) {
    return CryptoError("serial number");
  }
  const time_t not_before = static_cast<time_t>(now.seconds());
  if (!ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                     static_cast<time_t>(not_before + kValiditySeconds))) {
    return CryptoError("certificate validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add = [&](const char* field, const char* value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                      reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
  };
  if (!add("O", "vigil") || !add("CN", "vigil SNS-compatible message signing")) {
    return CryptoError("certificate name");
  }
  if (X509_set_issuer_name(cert.get(), name) != 1) return CryptoError("X509_set_issuer_name");
  if (X509_set_pubkey(cert.get(), key) != 1) return CryptoError("X509_set_pubkey");
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) return CryptoError("X509_sign");
  return cert;
}

}  // namespace

struct Signer::Impl {
  PkeyPtr key;
  std::string cert_pem;
};

Signer::Signer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Signer::~Signer() = default;

std::string_view SignatureVersionText(SignatureVersion v) {
  return v == SignatureVersion::kV1 ? "1" : "2";
}

std::optional<SignatureVersion> ParseSignatureVersion(std::string_view text) {
  if (text == "1") return SignatureVersion::kV1;
  if (text == "2") return SignatureVersion::kV2;
  return std::nullopt;
}

Result<std::unique_ptr<Signer>> Signer::LoadOrCreate(const fs::path& dir, Timestamp now) {
  const fs::path key_path = dir / kSigningKeyFile;
  const fs::path cert_path = dir / kSigningCertFile;
  std::error_code ec;
  const bool have_key = fs::exists(key_path, ec);
  const bool have_cert = fs::exists(cert_path, ec);
  auto impl = std::make_unique<Impl>();

  if (have_key || have_cert) {
    if (!have_key || !have_cert) {
      std::string m = "signing key and certificate must exist together in ";
      m += dir.string();
      m += " (found only ";
      m += have_key ? kSigningKeyFile : kSigningCertFile;
      m += ")";
      return MakeError(ErrorCode::kInternalFailure, std::move(m));
    }
    struct stat st {};
    if (::stat(key_path.c_str(), &st) != 0) return IoError("cannot stat", key_path, errno);
    if ((st.st_mode & 077) != 0) {
      std::string m = "signing key ";
      m += key_path.string();
      m += " is accessible by group or others; chmod 600 it";
      return MakeError(ErrorCode::kInternalFailure, std::move(m));
    }
    ASSIGN_OR_RETURN(std::string key_pem, ReadFile(key_path));
    ASSIGN_OR_RETURN(std::string cert_pem, ReadFile(cert_path));
    BioPtr kb(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    impl->key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!impl->key) return CryptoError("cannot parse " + key_path.string());
    if (EVP_PKEY_get_base_id(impl->key.get()) != EVP_PKEY_RSA ||
        EVP_PKEY_get_bits(impl->key.get()) < kRsaBits) {
      return MakeError(ErrorCode::kInternalFailure,
                       key_path.string() + " is not an RSA key of at least 2048 bits");
    }
    BioPtr cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    X509Ptr cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    if (!cert) return CryptoError("cannot parse " + cert_path.string());
    if (X509_check_private_key(cert.get(), impl->key.get()) != 1) {
      return CryptoError(cert_path.string() + " does not match " + key_path.string());
    }
    impl->cert_pem = std::move(cert_pem);
    return std::unique_ptr<Signer>(new Signer(std::move(impl)));
  }

  fs::create_directories(dir, ec);
  if (ec) return IoError("cannot create directory", dir, ec.value());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  impl->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(kRsaBits)));
  if (!impl->key) return CryptoError("RSA key generation");
  ASSIGN_OR_RETURN(X509Ptr cert, MakeCertificate(impl->key.get(), now));

  BioPtr kb(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(kb.get(), impl->key.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    return CryptoError("PEM_write_bio_PrivateKey");
  }
  BioPtr cb(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(cb.get(), cert.get())) return CryptoError("PEM_write_bio_X509");
  impl->cert_pem = BioText(cb.get());
  // Key first: a crash between the two leaves "key without certificate", which LoadOrCreate
  // reports instead of silently replacing.
  RETURN_IF_ERROR(WriteFileAtomic(key_path, BioText(kb.get()), 0600));
  RETURN_IF_ERROR(WriteFileAtomic(cert_path, impl->cert_pem, 0644));
  return std::unique_ptr<Signer>(new Signer(std::move(impl)));
}

Result<std::string> Signer::Sign(std::string_view data, SignatureVersion version) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, Digest(version), nullptr, impl_->key.get()) != 1) {
    return CryptoError("EVP_DigestSignInit");
  }
  size_t len = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, p, data.size()) != 1) {
    return CryptoError("EVP_DigestSign (size)");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, p,
                     data.size()) != 1) {
    return CryptoError("EVP_DigestSign");
  }
  sig.resize(len);
  return Base64Encode(sig);
}

Status Signer::Verify(std::string_view data, std::string_view signature_base64,
                      SignatureVersion version) const {
  auto sig = Base64Decode(signature_base64);
  if (!sig) return MakeError(ErrorCode::kInvalidParameterValue, "signature is not base64");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, Digest(version), nullptr, impl_->key.get()) != 1) {
    return CryptoError("EVP_DigestVerifyInit");
  }
  int rc =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size());
  ERR_clear_error();
  if (rc != 1) return MakeError(ErrorCode::kInvalidParameterValue, "signature does not match");
  return OkStatus();
}

const std::string& Signer::certificate_pem() const { return impl_->cert_pem; }

}  // namespace vigil::notify
