#include "net/body_decoder.h"

#include <gtest/gtest.h>

#include <string>

#include "net_test_util.h"

namespace vigil::net {
namespace {

using testing::Gzip;
using testing::GzipZeros;

TEST(ClassifyContentEncodingTest, KnownAndUnknownCodings) {
  EXPECT_EQ(ClassifyContentEncoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ClassifyContentEncoding("identity"), ContentCoding::kIdentity);
  EXPECT_EQ(ClassifyContentEncoding(" Identity "), ContentCoding::kIdentity);
  EXPECT_EQ(ClassifyContentEncoding("gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ClassifyContentEncoding("GZip"), ContentCoding::kGzip);
  EXPECT_EQ(ClassifyContentEncoding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ClassifyContentEncoding("\tX-GZIP "), ContentCoding::kGzip);
  EXPECT_EQ(ClassifyContentEncoding("br"), ContentCoding::kUnsupported);
  EXPECT_EQ(ClassifyContentEncoding("deflate"), ContentCoding::kUnsupported);
  EXPECT_EQ(ClassifyContentEncoding("gzip, gzip"), ContentCoding::kUnsupported);
}

TEST(GunzipTest, RoundTrips) {
  std::string original;
  for (int i = 0; i < 10000; ++i) original += "line " + std::to_string(i) + "\n";
  std::string out;
  ASSERT_EQ(Gunzip(Gzip(original), original.size(), out), GunzipResult::kOk);
  EXPECT_EQ(out, original);
}

TEST(GunzipTest, EmptyContentAndConcatenatedMembers) {
  std::string out;
  ASSERT_EQ(Gunzip(Gzip(""), 0, out), GunzipResult::kOk);
  EXPECT_EQ(out, "");
  ASSERT_EQ(Gunzip(Gzip("hello ") + Gzip("world"), 100, out), GunzipResult::kOk);
  EXPECT_EQ(out, "hello world");
}

TEST(GunzipTest, LimitIsInclusive) {
  const std::string data(1000, 'x');
  std::string out;
  EXPECT_EQ(Gunzip(Gzip(data), 1000, out), GunzipResult::kOk);
  EXPECT_EQ(Gunzip(Gzip(data), 999, out), GunzipResult::kTooLarge);
}

TEST(GunzipTest, BombStopsAtTheCapWithoutAllocatingTheInflatedSize) {
  const std::string bomb = GzipZeros(size_t{64} << 20);  // 64 MiB of zeros
  ASSERT_LT(bomb.size(), size_t{1} << 20);
  std::string out;
  EXPECT_EQ(Gunzip(bomb, size_t{1} << 20, out), GunzipResult::kTooLarge);
  EXPECT_LE(out.capacity(), size_t{3} << 20);
}

TEST(GunzipTest, TruncatedCorruptAndTrailingGarbage) {
  const std::string good = Gzip(std::string(5000, 'a') + "tail");
  std::string out;
  for (size_t cut : {size_t{1}, size_t{10}, good.size() / 2, good.size() - 1}) {
    EXPECT_EQ(Gunzip(good.substr(0, cut), 1 << 20, out), GunzipResult::kCorrupt) << cut;
  }
  std::string flipped = good;
  flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x55);
  EXPECT_EQ(Gunzip(flipped, 1 << 20, out), GunzipResult::kCorrupt);
  EXPECT_EQ(Gunzip(good + "junk", 1 << 20, out), GunzipResult::kCorrupt);
  EXPECT_EQ(Gunzip("definitely not gzip", 1 << 20, out), GunzipResult::kCorrupt);
}

TEST(DecodeBodyTest, StatusesAndBodies) {
  std::string body = Gzip("payload");
  EXPECT_EQ(DecodeBody("gzip", 100, body), BodyStatus::kOk);
  EXPECT_EQ(body, "payload");

  body = "plain";
  EXPECT_EQ(DecodeBody("identity", 1, body), BodyStatus::kOk);
  EXPECT_EQ(body, "plain");

  body = "whatever";
  EXPECT_EQ(DecodeBody("br", 100, body), BodyStatus::kUnsupportedEncoding);
  EXPECT_EQ(body, "");

  body = Gzip(std::string(101, 'z'));
  EXPECT_EQ(DecodeBody("x-gzip", 100, body), BodyStatus::kInflatedTooLarge);
  EXPECT_EQ(body, "");

  body = Gzip("payload").substr(0, 12);
  EXPECT_EQ(DecodeBody("gzip", 100, body), BodyStatus::kBadEncoding);
  EXPECT_EQ(body, "");

  body.clear();
  EXPECT_EQ(DecodeBody("gzip", 100, body), BodyStatus::kOk);
}

}  // namespace
}  // namespace vigil::net
