#include "vigil/notify/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace vigil::notify {
namespace {

// Bytes 0, 1, 2, ... continuing across calls.
class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  uint8_t next_ = 0;
};

class ConstantRandom final : public RandomSource {
 public:
  explicit ConstantRandom(uint8_t v) : v_(v) {}
  void Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = v_;
  }

 private:
  uint8_t v_;
};

TEST(IdsTest, MessageIdIsUuidV4FromTheInjectedBytes) {
  CountingRandom r;
  EXPECT_EQ(NewMessageId(r), "00010203-0405-4607-8809-0a0b0c0d0e0f");
  EXPECT_EQ(NewMessageId(r), "10111213-1415-4617-9819-1a1b1c1d1e1f");
  ConstantRandom ff(0xff);
  EXPECT_EQ(NewMessageId(ff), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  ConstantRandom zero(0);
  EXPECT_EQ(NewMessageId(zero), "00000000-0000-4000-8000-000000000000");
}

TEST(IdsTest, ConfirmationTokenIsLongLowerCaseHex) {
  CountingRandom r;
  std::string t = NewConfirmationToken(r);
  ASSERT_EQ(t.size(), 2 * kTokenBytes);
  EXPECT_EQ(t.substr(0, 12), "000102030405");
  EXPECT_EQ(t.substr(t.size() - 4), "7e7f");
}

TEST(IdsTest, SecureRandomIdsAreWellFormedAndDistinct) {
  SecureRandom r;
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    std::string id = NewMessageId(r);
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 64u);
  EXPECT_NE(NewConfirmationToken(r), NewConfirmationToken(r));
}

}  // namespace
}  // namespace vigil::notify
