// The block encoding: bit-exact round trips of every column mode, merging, corrupt input.
#include "storage/encoding/block.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "storage/encoding/columns.h"
#include "storage/encoding/huffman.h"
#include "storage/encoding/range_coder.h"

namespace vigil::storage::encoding {
namespace {

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

std::string RoundTripDoubles(const std::vector<double>& values) {
  std::string bytes, bit_bytes;
  {
    RangeEncoder rc(bytes);
    BitWriter bits(bit_bytes);
    EncodeDoubles(rc, bits, values.data(), values.size());
    rc.Finish();
    bits.Finish();
  }
  RangeDecoder rd(bytes);
  BitReader br(bit_bytes);
  std::vector<double> back(values.size());
  EXPECT_TRUE(DecodeDoubles(rd, br, values.size(), back.data()));
  EXPECT_TRUE(rd.ok());
  EXPECT_TRUE(br.ok());
  bytes += bit_bytes;
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_TRUE(SameBits(values[i], back[i])) << i << ": " << values[i] << " != " << back[i];
  }
  return bytes;
}

TEST(RangeCoderTest, BitsAndDirectBitsRoundTrip) {
  std::mt19937_64 rng(7);
  std::string bytes;
  std::vector<std::pair<int, uint64_t>> script;
  {
    RangeEncoder rc(bytes);
    Prob p[4] = {kProbInit, kProbInit, kProbInit, kProbInit};
    for (int i = 0; i < 20000; ++i) {
      int kind = static_cast<int>(rng() % 5);
      uint64_t v = rng();
      if (kind < 4) {
        v = (v % 10) < 8 ? 0 : 1;  // skewed: the model learns it
        rc.Bit(p[kind], static_cast<uint32_t>(v));
      } else {
        int bits = static_cast<int>(rng() % 64) + 1;
        v &= bits == 64 ? ~0ULL : ((1ULL << bits) - 1);
        rc.Direct(v, bits);
        kind = 4 + bits;
      }
      script.push_back({kind, v});
    }
    rc.Finish();
  }
  RangeDecoder rd(bytes);
  Prob p[4] = {kProbInit, kProbInit, kProbInit, kProbInit};
  for (auto [kind, v] : script) {
    if (kind < 4) {
      ASSERT_EQ(rd.Bit(p[kind]), v);
    } else {
      ASSERT_EQ(rd.Direct(kind - 4), v);
    }
  }
  EXPECT_TRUE(rd.ok());
}

TEST(HuffmanTest, IntegersRoundTrip) {
  std::mt19937_64 rng(17);
  for (int round = 0; round < 50; ++round) {
    std::vector<uint64_t> values;
    int spread = 1 + round % 60;
    size_t n = 1 + rng() % 3000;
    for (size_t i = 0; i < n; ++i) {
      uint64_t v = rng() >> (64 - spread);
      if (round % 7 == 0) v = ~0ULL - (rng() % 3);  // 64-bit values
      if (round % 11 == 0) v = 5;                   // one symbol only
      values.push_back(v);
    }
    std::string bytes;
    BitWriter w(bytes);
    EncodeIntegers(w, values.data(), values.size());
    w.Finish();
    BitReader r(bytes);
    std::vector<uint64_t> back(n);
    ASSERT_TRUE(DecodeIntegers(r, n, back.data())) << round;
    ASSERT_EQ(back, values) << round;
  }
}

TEST(HuffmanTest, CodesStayWithinTheirLengthLimit) {
  // Fibonacci-like counts make the deepest unlimited Huffman trees.
  std::vector<uint64_t> values;
  uint64_t a = 1, b = 1;
  for (int len = 2; len < 40; ++len) {
    for (uint64_t k = 0; k < a && values.size() < 200000; ++k) values.push_back(uint64_t{1} << len);
    uint64_t c = a + b;
    a = b;
    b = c;
  }
  std::string bytes;
  BitWriter w(bytes);
  EncodeIntegers(w, values.data(), values.size());
  w.Finish();
  BitReader r(bytes);
  std::vector<uint64_t> back(values.size());
  ASSERT_TRUE(DecodeIntegers(r, values.size(), back.data()));
  EXPECT_EQ(back, values);
}

TEST(ColumnsTest, EveryModeIsBitExact) {
  RoundTripDoubles({5, 5, 5, 5});                                   // const
  RoundTripDoubles({0.132, 0.134, 0.134, 0.066, 0.202, 41.362});   // decimal
  RoundTripDoubles({41.361999999999995, 0.20199999999999999, 6.4479999999999995, 1.762});  // ulps
  RoundTripDoubles({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});         // dod
  RoundTripDoubles({-0.0, 0.0, -0.0, 1e-300, -1e300, 5e-324});       // signs, extremes
  RoundTripDoubles({std::numeric_limits<double>::infinity(), 1.0,
                    -std::numeric_limits<double>::infinity(), std::nan("")});
  RoundTripDoubles({9007199254740993.0, 1e17, -1e17, 123456789012345678.0});
  std::mt19937_64 rng(3);
  std::normal_distribution<double> step(0, 1);
  std::vector<double> walk;
  double x = 100;
  for (int i = 0; i < 1000; ++i) walk.push_back(x += step(rng));
  RoundTripDoubles(walk);                                            // xor
  std::vector<double> bits;
  for (int i = 0; i < 1000; ++i) bits.push_back(std::bit_cast<double>(rng() & ~(0x7ffULL << 52)));
  RoundTripDoubles(bits);
}

TEST(ColumnsTest, DecimalsCostFewBits) {
  std::vector<double> counts;
  std::mt19937_64 rng(5);
  std::poisson_distribution<int> requests(100);
  for (int i = 0; i < 720; ++i) counts.push_back(requests(rng));
  // ~ log2 of the spread of the deltas: far below 8 bytes a value.
  EXPECT_LT(RoundTripDoubles(counts).size(), 720u * 1);
  std::vector<double> cents;
  for (int i = 0; i < 720; ++i) cents.push_back(static_cast<double>(1000 + i % 7) / 100);
  EXPECT_LT(RoundTripDoubles(cents).size(), 720u / 2);
}

Aggregate One(double v) {
  Aggregate a;
  a.Add(v, 1);
  return a;
}

void ExpectSame(const Aggregate& a, const Aggregate& b) {
  EXPECT_TRUE(SameBits(a.sample_count, b.sample_count));
  EXPECT_TRUE(SameBits(a.sum, b.sum));
  EXPECT_TRUE(SameBits(a.minimum, b.minimum));
  EXPECT_TRUE(SameBits(a.maximum, b.maximum));
  EXPECT_EQ(a.values_complete, b.values_complete);
  EXPECT_TRUE(a.values == b.values);
}

void ExpectRoundTrip(const std::vector<BlockBucket>& buckets, uint32_t max_index = 1440) {
  std::string bytes;
  EncodeBlock(buckets, bytes);
  std::vector<BlockBucket> back;
  ASSERT_TRUE(DecodeBlock(bytes, max_index, back));
  ASSERT_EQ(back.size(), buckets.size());
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].index, buckets[i].index);
    ExpectSame(back[i].stats, buckets[i].stats);
  }
}

TEST(BlockTest, RegularSingleSamplesCostAboutTheirValues) {
  std::vector<BlockBucket> b;
  for (uint32_t i = 0; i < 360; ++i) b.push_back({i, One(static_cast<double>(i % 5))});
  ExpectRoundTrip(b);
  std::string bytes;
  EncodeBlock(b, bytes);
  EXPECT_LT(bytes.size(), 360u / 2);  // no timestamps, counts, sums or distributions stored
}

TEST(BlockTest, MixedBucketsRoundTrip) {
  std::vector<BlockBucket> b;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-50, 50);
  uint32_t index = 3;
  for (int i = 0; i < 300; ++i) {
    Aggregate a;
    switch (i % 6) {
      case 0:
        a = One(u(rng));
        break;
      case 1:  // many values: an exact distribution
        for (int k = 0; k < 10; ++k) a.Add(std::round(u(rng)), 1 + k % 3);
        break;
      case 2:  // beyond 64 distinct values: a sketch
        for (int k = 0; k < 200; ++k) a.Add(u(rng), 1);
        break;
      case 3:  // a statistic set that cannot be expanded
        a.AddStatisticSet(10, 55, 1, 10);
        break;
      case 4:  // a statistic set of one repeated value
        a.AddStatisticSet(4, 8, 2, 2);
        break;
      case 5:  // expandable plus not: incomplete with values
        a.Add(3, 2);
        a.AddStatisticSet(3, 10, 1, 5);
        break;
    }
    b.push_back({index, a});
    index += 1 + static_cast<uint32_t>(rng() % 4);
  }
  ExpectRoundTrip(b, index + 1);
}

TEST(BlockTest, MergeAddsStatisticsPerIndex) {
  std::vector<BlockBucket> a = {{1, One(1)}, {5, One(5)}};
  std::vector<BlockBucket> b = {{0, One(0)}, {5, One(7)}, {9, One(9)}};
  MergeBuckets(a, std::move(b));
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].index, 0u);
  EXPECT_EQ(a[2].index, 5u);
  EXPECT_EQ(a[2].stats.sample_count, 2);
  EXPECT_EQ(a[2].stats.sum, 12);
  EXPECT_EQ(a[2].stats.maximum, 7);
  EXPECT_EQ(a[2].stats.values.Points().size(), 2u);
  EXPECT_EQ(a[3].index, 9u);
}

TEST(BlockTest, RejectsCorruptInputWithoutCrashing) {
  std::vector<BlockBucket> b;
  for (uint32_t i = 0; i < 100; ++i) {
    Aggregate a;
    a.Add(i * 1.5, 1);
    a.Add(i * 2.5, 2);
    b.push_back({i * 2, a});
  }
  std::string bytes;
  EncodeBlock(b, bytes);
  std::vector<BlockBucket> back;
  EXPECT_FALSE(DecodeBlock(bytes, 100, back));  // an index past the span
  std::mt19937_64 rng(13);
  for (int round = 0; round < 2000; ++round) {
    std::string c = bytes;
    if (round % 2) {
      c.resize(rng() % c.size());
    } else {
      for (int k = 0; k < 3; ++k) c[rng() % c.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    (void)DecodeBlock(c, 1440, back);  // must not crash; may or may not notice
  }
  EXPECT_FALSE(DecodeBlock("", 1440, back));
}

}  // namespace
}  // namespace vigil::storage::encoding
