// StateStore: the memory twin and the RocksDB store behave alike (puts, deletes, prefix deletes,
// ordered prefix scans, reset), and the RocksDB store keeps everything across a reopen.
#include "vigil/alarms/state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

namespace vigil::alarms {
namespace {

// a + b without operator+ on a temporary (g++ 12 warns falsely about it at -O2).
std::string Cat(std::string a, std::string_view b) {
  a += b;
  return a;
}

std::map<std::string, std::string> ScanAll(StateStore& s, std::string_view prefix = "") {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(s.Scan(prefix, [&](std::string_view k, std::string_view v) {
                 out.emplace(std::string(k), std::string(v));
                 return true;
               }).ok());
  return out;
}

class StateStoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      std::string name = Cat("vigil-state-test-", std::to_string(::getpid()));
      name = Cat(Cat(name, "-"), ::testing::UnitTest::GetInstance()->current_test_info()->name());
      std::replace(name.begin(), name.end(), '/', '_');
      dir_ = std::filesystem::temp_directory_path() / name;
      std::filesystem::remove_all(dir_);
      Open();
    } else {
      store_ = NewMemoryStateStore();
    }
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto s = OpenRocksStateStore({dir_.string(), false});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_P(StateStoreTest, PutsDeletesAndScansInKeyOrder) {
  WriteBatch b;
  const std::string scope("a\0x\0", 4);
  b.puts = {{Cat(scope, "2"), "two"}, {Cat(scope, "1"), "one"}, {"b", "other"}};
  ASSERT_TRUE(store_->Write(b).ok());
  auto a = ScanAll(*store_, scope);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a.begin()->second, "one");
  WriteBatch d;
  d.deletes = {"b"};
  ASSERT_TRUE(store_->Write(d).ok());
  EXPECT_EQ(ScanAll(*store_).size(), 2u);
  WriteBatch p;
  p.delete_prefixes = {"a"};
  p.puts = {{"c", "after"}};
  ASSERT_TRUE(store_->Write(p).ok());
  auto all = ScanAll(*store_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all.at("c"), "after");
}

TEST_P(StateStoreTest, RangeDeletesAreHalfOpen) {
  WriteBatch b;
  for (const char* k : {"h1", "h2", "h3", "h4"}) b.puts.emplace_back(k, "v");
  ASSERT_TRUE(store_->Write(b).ok());
  WriteBatch d;
  d.delete_ranges = {{"h2", "h4"}};
  ASSERT_TRUE(store_->Write(d).ok());
  auto left = ScanAll(*store_);
  EXPECT_EQ(left.size(), 2u);
  EXPECT_TRUE(left.contains("h1") && left.contains("h4"));
}

TEST_P(StateStoreTest, ScanStopsWhenTold) {
  WriteBatch b;
  for (int i = 0; i < 5; ++i) b.puts.emplace_back(Cat("k", std::to_string(i)), "v");
  ASSERT_TRUE(store_->Write(b).ok());
  int seen = 0;
  ASSERT_TRUE(
      store_->Scan("k", [&](std::string_view, std::string_view) { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
}

TEST_P(StateStoreTest, ResetRemovesEverything) {
  WriteBatch b;
  b.puts = {{"x", "1"}, {"y", "2"}};
  ASSERT_TRUE(store_->Write(b).ok());
  ASSERT_TRUE(store_->Reset().ok());
  EXPECT_TRUE(ScanAll(*store_).empty());
}

INSTANTIATE_TEST_SUITE_P(Stores, StateStoreTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Rocks" : "Memory"; });

TEST(RocksStateStore, KeepsDataAcrossReopen) {
  auto dir = std::filesystem::temp_directory_path() /
             Cat("vigil-state-reopen-", std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto s = OpenRocksStateStore({dir.string(), false});
    ASSERT_TRUE(s.ok()) << s.error().message;
    WriteBatch b;
    b.puts = {{"alarm", "{}"}};
    ASSERT_TRUE((*s)->Write(b).ok());
  }
  {
    auto s = OpenRocksStateStore({dir.string(), false});
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(ScanAll(**s).at("alarm"), "{}");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::alarms
