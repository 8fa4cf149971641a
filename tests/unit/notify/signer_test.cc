// The signer: key/cert files, reload, and signatures checked INDEPENDENTLY with the `openssl`
// command line the way an SNS receiver does (public key from the served certificate, SHA1withRSA
// or SHA256withRSA over the string to sign).
#include "vigil/notify/signer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vigil/common/base64.h"
#include "vigil/notify/sns_envelope.h"

namespace vigil::notify {
namespace {

namespace fs = std::filesystem;

const Timestamp kNow = Timestamp::FromSeconds(1795782600);  // 2026-11-27T12:30:00Z

class SignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "vigil-signer-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ / "keys";
  }
  void TearDown() override { fs::remove_all(root_); }

  static void Write(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out << bytes;
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // Runs a shell command; returns its exit status and fills `output` with stdout+stderr.
  static int Run(const std::string& cmd, std::string* output = nullptr) {
    std::string full = cmd + " 2>&1";
    FILE* p = ::popen(full.c_str(), "r");
    if (p == nullptr) return -1;
    std::string out;
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Verifies with openssl exactly as a receiver would; true when openssl says "Verified OK".
  bool OpensslVerifies(const std::string& data, const std::string& signature_b64,
                       const std::string& cert_pem, const char* digest) {
    auto sig = Base64Decode(signature_b64);
    EXPECT_TRUE(sig.has_value());
    if (!sig) return false;
    Write(root_ / "data.txt", data);
    Write(root_ / "sig.bin", *sig);
    Write(root_ / "cert.pem", cert_pem);
    std::string out;
    const std::string q = "'" + root_.string() + "'";
    EXPECT_EQ(Run("openssl x509 -in " + q + "/cert.pem -pubkey -noout > " + q + "/pub.pem", &out),
              0)
        << out;
    int rc = Run(std::string("openssl dgst -") + digest + " -verify " + q + "/pub.pem -signature " +
                     q + "/sig.bin " + q + "/data.txt",
                 &out);
    return rc == 0 && out.find("Verified OK") != std::string::npos;
  }

  fs::path root_;
  fs::path dir_;
};

SnsMessage SampleNotification() {
  SnsMessage m;
  m.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  m.topic_arn = "arn:aws:sns:us-east-1:123456789012:ops";
  m.subject = "ALARM: \"cpu\" in US East (N. Virginia)";
  m.message = R"x({"AlarmName":"cpu","NewStateValue":"ALARM"})x";
  m.timestamp = Timestamp::FromMillis(1795782970456);
  m.unsubscribe_url = "http://localhost:4566/?Action=Unsubscribe&SubscriptionArn=x";
  return m;
}

TEST_F(SignerTest, CreatesKeyAndCertificateFiles) {
  auto signer = Signer::LoadOrCreate(dir_, kNow);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / kSigningKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ / kSigningCertFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ((*signer)->certificate_pem(), Read(dir_ / kSigningCertFile));
  EXPECT_EQ((*signer)->certificate_pem().rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_EQ(Read(dir_ / kSigningKeyFile).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);

  // The certificate as openssl sees it: self-signed, RSA 2048, valid from the injected time.
  std::string out;
  const std::string cert = "'" + (dir_ / kSigningCertFile).string() + "'";
  ASSERT_EQ(Run("openssl x509 -in " + cert + " -noout -startdate -enddate -subject -issuer", &out),
            0)
      << out;
  EXPECT_NE(out.find("notBefore=Nov 27 12:30:00 2026 GMT"), std::string::npos) << out;
  EXPECT_NE(out.find("notAfter=Nov 24 12:30:00 2036 GMT"), std::string::npos) << out;
  EXPECT_NE(out.find("CN = vigil SNS-compatible message signing"), std::string::npos) << out;
  ASSERT_EQ(Run("openssl x509 -in " + cert + " -noout -text", &out), 0);
  EXPECT_NE(out.find("Public-Key: (2048 bit)"), std::string::npos) << out;
  EXPECT_EQ(Run("openssl verify -CAfile " + cert + " " + cert, &out), 0) << out;
}

TEST_F(SignerTest, SignatureVersion2VerifiesWithOpensslSha256) {
  auto signer = Signer::LoadOrCreate(dir_, kNow);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  const std::string data = StringToSign(SampleNotification());
  auto sig = (*signer)->Sign(data, SignatureVersion::kV2);
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_TRUE(OpensslVerifies(data, *sig, (*signer)->certificate_pem(), "sha256"));
  // The same signature must not verify as SHA1, nor over altered bytes.
  EXPECT_FALSE(OpensslVerifies(data, *sig, (*signer)->certificate_pem(), "sha1"));
  EXPECT_FALSE(OpensslVerifies(data + "x", *sig, (*signer)->certificate_pem(), "sha256"));
}

TEST_F(SignerTest, SignatureVersion1VerifiesWithOpensslSha1) {
  auto signer = Signer::LoadOrCreate(dir_, kNow);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  SnsMessage m = SampleNotification();
  m.type = SnsMessageType::kSubscriptionConfirmation;
  m.token = "abcdef0123";
  m.subscribe_url = "http://localhost:4566/?Action=ConfirmSubscription&TopicArn=t&Token=abcdef0123";
  const std::string data = StringToSign(m);
  auto sig = (*signer)->Sign(data, SignatureVersion::kV1);
  ASSERT_TRUE(sig.ok()) << sig.error().message;
  EXPECT_TRUE(OpensslVerifies(data, *sig, (*signer)->certificate_pem(), "sha1"));
  EXPECT_FALSE(OpensslVerifies(data, *sig, (*signer)->certificate_pem(), "sha256"));
}

TEST_F(SignerTest, SignedDeliveryVerifiesFromItsOwnBody) {
  // What a receiver does: parse the POSTed body, rebuild the string to sign, verify.
  auto signer = Signer::LoadOrCreate(dir_, kNow);
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  DeliveryOptions o;
  o.subscription_arn = "arn:aws:sns:us-east-1:123456789012:ops:1";
  auto d = SignAndBuild(SampleNotification(), **signer, SignatureVersion::kV2,
                        "http://localhost:4566/sns-signing-cert.pem", o);
  ASSERT_TRUE(d.ok()) << d.error().message;
  const std::string& body = d->body;
  auto field = [&](const std::string& key) {
    std::string marker = "\"" + key + "\" : \"";
    size_t at = body.find(marker);
    EXPECT_NE(at, std::string::npos) << key;
    at += marker.size();
    return body.substr(at, body.find("\",\n", at) - at);
  };
  EXPECT_EQ(field("SignatureVersion"), "2");
  EXPECT_EQ(field("SigningCertURL"), "http://localhost:4566/sns-signing-cert.pem");
  EXPECT_TRUE(OpensslVerifies(StringToSign(SampleNotification()), field("Signature"),
                              (*signer)->certificate_pem(), "sha256"));
}

TEST_F(SignerTest, ReloadsTheSameIdentity) {
  std::string first_pem;
  std::string sig;
  const std::string data = StringToSign(SampleNotification());
  {
    auto a = Signer::LoadOrCreate(dir_, kNow);
    ASSERT_TRUE(a.ok()) << a.error().message;
    first_pem = (*a)->certificate_pem();
    auto s = (*a)->Sign(data, SignatureVersion::kV2);
    ASSERT_TRUE(s.ok());
    sig = *s;
  }
  const std::string key_before = Read(dir_ / kSigningKeyFile);
  auto b = Signer::LoadOrCreate(dir_, Timestamp::FromSeconds(1900000000));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ((*b)->certificate_pem(), first_pem);
  EXPECT_EQ(Read(dir_ / kSigningKeyFile), key_before);
  EXPECT_TRUE((*b)->Verify(data, sig, SignatureVersion::kV2).ok());
  EXPECT_FALSE((*b)->Verify(data + "!", sig, SignatureVersion::kV2).ok());
  EXPECT_FALSE((*b)->Verify(data, sig, SignatureVersion::kV1).ok());
  EXPECT_FALSE((*b)->Verify(data, "%%%", SignatureVersion::kV2).ok());
}

TEST_F(SignerTest, RefusesHalfAnIdentity) {
  ASSERT_TRUE(Signer::LoadOrCreate(dir_, kNow).ok());
  fs::remove(dir_ / kSigningCertFile);
  auto r = Signer::LoadOrCreate(dir_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("must exist together"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(dir_ / kSigningCertFile));  // nothing was regenerated
}

TEST_F(SignerTest, RefusesAKeyOthersCanRead) {
  ASSERT_TRUE(Signer::LoadOrCreate(dir_, kNow).ok());
  fs::permissions(dir_ / kSigningKeyFile, fs::perms::group_read, fs::perm_options::add);
  auto r = Signer::LoadOrCreate(dir_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos) << r.error().message;
}

TEST_F(SignerTest, RefusesACertificateOfAnotherKey) {
  ASSERT_TRUE(Signer::LoadOrCreate(dir_, kNow).ok());
  const fs::path other = root_ / "other";
  ASSERT_TRUE(Signer::LoadOrCreate(other, kNow).ok());
  fs::copy_file(other / kSigningCertFile, dir_ / kSigningCertFile,
                fs::copy_options::overwrite_existing);
  auto r = Signer::LoadOrCreate(dir_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos) << r.error().message;
}

TEST(SignatureVersionTest, TextForms) {
  EXPECT_EQ(SignatureVersionText(SignatureVersion::kV1), "1");
  EXPECT_EQ(SignatureVersionText(SignatureVersion::kV2), "2");
  EXPECT_EQ(ParseSignatureVersion("2"), SignatureVersion::kV2);
  EXPECT_EQ(ParseSignatureVersion("1"), SignatureVersion::kV1);
  EXPECT_EQ(ParseSignatureVersion("3"), std::nullopt);
}

}  // namespace
}  // namespace vigil::notify
