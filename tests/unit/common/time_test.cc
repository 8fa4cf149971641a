#include "vigil/common/time.h"

#include <gtest/gtest.h>

#include "vigil/common/base64.h"
#include "vigil/common/text.h"

namespace vigil {
namespace {

TEST(TimeTest, FormatsIso8601WithAndWithoutMillis) {
  EXPECT_EQ(FormatIso8601(Timestamp::FromSeconds(1765979580)), "2025-12-17T13:53:00Z");
  EXPECT_EQ(FormatIso8601(Timestamp{1765979580123}), "2025-12-17T13:53:00.123Z");
  EXPECT_EQ(FormatIso8601(Timestamp{0}), "1970-01-01T00:00:00Z");
}

TEST(TimeTest, FormatsAwsForms) {
  Timestamp t = *ParseTimestamp("2026-11-27T12:35:00Z");
  EXPECT_EQ(FormatAwsMillis(t), "2026-11-27T12:35:00.000+0000");
  EXPECT_EQ(FormatReasonDate(t), "27/11/26 12:35:00");
}

TEST(TimeTest, ParsesTheFormsClientsSend) {
  EXPECT_EQ(ParseTimestamp("2026-11-27T11:37:00Z")->millis, 1795779420000);
  EXPECT_EQ(ParseTimestamp("2026-11-27T11:37:00.5Z")->millis, 1795779420500);
  EXPECT_EQ(ParseTimestamp("2026-11-27T12:37:00+01:00")->millis, 1795779420000);
  EXPECT_EQ(ParseTimestamp("2026-11-27T11:37:00")->millis, 1795779420000);
  EXPECT_EQ(ParseTimestamp("1795779420")->millis, 1795779420000);
  EXPECT_EQ(ParseTimestamp("1795779420.25")->millis, 1795779420250);
  EXPECT_EQ(ParseTimestamp("2026-11-27")->millis, 1795737600000);
}

TEST(TimeTest, RejectsGarbage) {
  for (const char* bad : {"", "yesterday", "2026-13-01T00:00:00Z", "2026-11-27T25:00:00Z",
                          "2026-11-27T11:37:00Q", "1e400", "nan"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(TimeTest, EpochSecondsRange) {
  EXPECT_FALSE(FromEpochSeconds(1e300).has_value());
  EXPECT_EQ(FromEpochSeconds(1765977780.0)->millis, 1765977780000);
  EXPECT_EQ(Timestamp{-1}.seconds(), -1);
  EXPECT_EQ(Timestamp{-1000}.seconds(), -1);
  EXPECT_EQ(Timestamp{1999}.seconds(), 1);
}

TEST(Base64Test, RoundTripsEveryLength) {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
    s.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Decode("Zm9v"), "foo");
  EXPECT_EQ(Base64Decode("Zm8"), "fo");  // unpadded
  EXPECT_FALSE(Base64Decode("Zm9vY").has_value());
  EXPECT_FALSE(Base64Decode("Zm=v").has_value());
  EXPECT_FALSE(Base64Decode("Z!9v").has_value());
}

TEST(TextTest, JavaDoubleMatchesJavasDoubleToString) {
  EXPECT_EQ(JavaDouble(21.5), "21.5");
  EXPECT_EQ(JavaDouble(21.0), "21.0");
  EXPECT_EQ(JavaDouble(0.0), "0.0");
  EXPECT_EQ(JavaDouble(-3.0), "-3.0");
  EXPECT_EQ(JavaDouble(1e7), "1.0E7");
  EXPECT_EQ(JavaDouble(12345678.9), "1.23456789E7");
  EXPECT_EQ(JavaDouble(0.001), "0.001");
  EXPECT_EQ(JavaDouble(0.0001), "1.0E-4");
  EXPECT_EQ(JavaDouble(9.18241509182415), "9.18241509182415");
  EXPECT_EQ(FormatDouble(30), "30.0");
  EXPECT_EQ(FormatDouble(1e200), "1e+200");
}

TEST(TextTest, PercentDecode) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%2Fb+c", out));
  EXPECT_EQ(out, "a/b c");
  std::string bad;
  EXPECT_FALSE(PercentDecode("%zz", bad));
  EXPECT_FALSE(PercentDecode("%4", bad));
}

}  // namespace
}  // namespace vigil
