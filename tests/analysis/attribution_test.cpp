#include "shmlab/analysis/attribution.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace shmlab {
namespace {

// Builds write logs from a list of (worker, op, based_on, read, wrote, t) writes, N ops each.
struct Logs {
  Logs(std::uint32_t workers, std::uint64_t ops)
      : n(ops), logs(workers, std::vector<WriteEntry>(ops)) {}
  std::uint64_t add(std::uint32_t worker, std::uint64_t op, std::uint64_t based_on,
                    std::int64_t read, std::int64_t t) {
    logs[worker - 1][op - 1] = WriteEntry{based_on, read, read + 1, t};
    return write_id(worker - 1, op - 1, n);
  }
  std::uint64_t n;
  std::vector<std::vector<WriteEntry>> logs;
};

TEST(Attribution, ClassicLostUpdateNamesTheEraser) {
  // 1R 2R 1W 2W: both read 0, worker 2's write erases worker 1's.
  Logs l(2, 1);
  const auto w1 = l.add(1, 1, 0, 0, 100);
  const auto w2 = l.add(2, 1, 0, 0, 200);
  const Attribution sut = attribute(l.logs, 1, w2);
  EXPECT_TRUE(sut.consistent);
  EXPECT_EQ(sut.chain_length, 1u);
  ASSERT_EQ(sut.lost.size(), 1u);
  EXPECT_EQ(sut.lost[0].lost.id, w1);
  EXPECT_EQ(sut.lost[0].erased_by.id, w2);
  EXPECT_EQ(sut.lost[0].erased_by.worker, 2u);
}

TEST(Attribution, EraserIsTheChainWriteThatCameAfterTheLostOne) {
  // w1 (0→1) survives; w2 read 0, wrote 1 after w1; w3 read w1's 1 and wrote 2 after w2.
  Logs l(3, 1);
  const auto w1 = l.add(1, 1, 0, 0, 100);
  const auto w2 = l.add(2, 1, 0, 0, 200);
  const auto w3 = l.add(3, 1, w1, 1, 300);
  const Attribution sut = attribute(l.logs, 1, w3);
  ASSERT_EQ(sut.lost.size(), 1u);
  EXPECT_EQ(sut.lost[0].lost.id, w2);
  EXPECT_EQ(sut.lost[0].erased_by.id, w3);
  EXPECT_EQ(sut.chain_length, 2u);
  // The eraser read worker 1's record, not the one the lost write read.
  EXPECT_EQ(sut.lost[0].erased_by.based_on, w1);
  EXPECT_EQ(sut.lost[0].erased_by.based_on_worker, 1u);
  EXPECT_EQ(sut.lost[0].lost.based_on_worker, 0u);
}

TEST(Attribution, WriteBuiltOnALostWriteIsLostToTheFirstLaterChainWrite) {
  // Worker 2 reads 0, writes 1 (lost), reads its own 1, writes 2 (lost too): both branch off the
  // chain at the initial record; worker 1's chain writes come after each of them.
  Logs l(2, 2);
  const auto b1 = l.add(2, 1, 0, 0, 10);
  const auto a1 = l.add(1, 1, 0, 0, 20);
  const auto b2 = l.add(2, 2, b1, 1, 30);
  const auto a2 = l.add(1, 2, a1, 1, 40);
  const Attribution sut = attribute(l.logs, 2, a2);
  ASSERT_EQ(sut.lost.size(), 2u);
  EXPECT_EQ(sut.lost[0].lost.id, b1);
  EXPECT_EQ(sut.lost[0].erased_by.id, a1);
  EXPECT_EQ(sut.lost[1].lost.id, b2);
  EXPECT_EQ(sut.lost[1].erased_by.id, a2);
}

TEST(Attribution, NoLossWhenEveryWriteIsOnTheChain) {
  Logs l(2, 2);
  const auto a = l.add(1, 1, 0, 0, 1);
  const auto b = l.add(2, 1, a, 1, 2);
  const auto c = l.add(1, 2, b, 2, 3);
  const auto d = l.add(2, 2, c, 3, 4);
  const Attribution sut = attribute(l.logs, 2, d);
  EXPECT_TRUE(sut.lost.empty());
  EXPECT_EQ(sut.chain_length, 4u);
}

TEST(Attribution, LostCountEqualsWritesOffTheChain) {
  // 2 workers x 3: the classic minimum — final value 2 after 6 writes.
  Logs l(2, 3);
  // Chain: b3 -> a3 -> a2 -> a1 -> initial; b1 and b2 are off it.
  const auto a1 = l.add(1, 1, 0, 0, 10);
  const auto b1 = l.add(2, 1, 0, 0, 60);
  const auto a2 = l.add(1, 2, a1, 1, 20);
  const auto a3 = l.add(1, 3, a2, 2, 30);
  const auto b2 = l.add(2, 2, b1, 1, 70);
  const auto b3 = l.add(2, 3, a3, 3, 80);  // read worker 1's 3, wrote 4
  (void)b2;
  const Attribution sut = attribute(l.logs, 3, b3);
  EXPECT_EQ(sut.chain_length, 4u);
  EXPECT_EQ(sut.lost.size(), 6u - 4u);
}

TEST(Attribution, UnwrittenEntriesAreNotCounted) {
  Logs l(2, 1);
  const auto w1 = l.add(1, 1, 0, 0, 100);
  // worker 2 died before writing: its entry has t_write_ns == 0 and is not on the chain
  l.logs[1][0] = WriteEntry{0, 0, 1, 0};
  const Attribution sut = attribute(l.logs, 1, w1);
  EXPECT_TRUE(sut.lost.empty());
}

TEST(Attribution, BrokenLineageIsReportedInconsistent) {
  Logs l(1, 1);
  const Attribution sut = attribute(l.logs, 1, 99);
  EXPECT_FALSE(sut.consistent);
}

// The method of attribution.hpp, written the obvious quadratic way: walk up to the chain for every
// lost write, scan the chain for the first write after it.
std::map<std::uint64_t, std::uint64_t> reference_attribution(const Logs& l,
                                                             std::uint64_t final_id) {
  auto entry = [&](std::uint64_t id) -> const WriteEntry& {
    return l.logs[(id - 1) / l.n][(id - 1) % l.n];
  };
  std::vector<std::uint64_t> chain;  // initial first
  for (std::uint64_t id = final_id; id != 0; id = entry(id).based_on)
    chain.insert(chain.begin(), id);
  auto pos_of = [&](std::uint64_t id) -> std::int64_t {  // 1-based, 0 = initial, -1 = off chain
    if (id == 0) return 0;
    for (std::size_t i = 0; i < chain.size(); ++i) {
      if (chain[i] == id) return static_cast<std::int64_t>(i + 1);
    }
    return -1;
  };
  std::map<std::uint64_t, std::uint64_t> lost;
  for (std::uint64_t id = 1; id <= l.logs.size() * l.n; ++id) {
    if (entry(id).t_write_ns == 0 || pos_of(id) >= 0) continue;
    std::uint64_t a = entry(id).based_on;
    while (pos_of(a) < 0) a = entry(a).based_on;
    const auto from = static_cast<std::size_t>(pos_of(a));
    std::uint64_t eraser = chain[from];
    for (std::size_t p = from; p < chain.size(); ++p) {
      if (entry(chain[p]).t_write_ns > entry(id).t_write_ns) {
        eraser = chain[p];
        break;
      }
    }
    lost[id] = eraser;
  }
  return lost;
}

TEST(Attribution, MatchesTheQuadraticReferenceOnRandomInterleavings) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    const std::uint32_t workers = 2 + seed % 4;
    const std::uint64_t ops = 3 + seed % 30;
    Logs l(workers, ops);
    // Simulate R/W steps of every worker in a random order on one record {value, id}.
    std::int64_t value = 0;
    std::uint64_t record_id = 0;
    std::vector<std::uint64_t> done(workers, 0);
    std::vector<bool> has_read(workers, false);
    std::vector<std::pair<std::int64_t, std::uint64_t>> seen(workers);
    std::int64_t clock = 0;
    std::uint64_t remaining = workers * ops;
    while (remaining > 0) {
      const auto w = static_cast<std::uint32_t>(rng() % workers);
      if (done[w] == ops) continue;
      clock += 10;
      if (!has_read[w]) {
        seen[w] = {value, record_id};
        has_read[w] = true;
        continue;
      }
      // The time is taken just after the write, so neighbours may invert by a little.
      const std::int64_t t = clock + static_cast<std::int64_t>(rng() % 25);
      record_id = l.add(w + 1, done[w] + 1, seen[w].second, seen[w].first, t);
      value = seen[w].first + 1;
      has_read[w] = false;
      ++done[w];
      --remaining;
    }
    const Attribution sut = attribute(l.logs, ops, record_id);
    std::map<std::uint64_t, std::uint64_t> got;
    for (const LostUpdate& u : sut.lost) got[u.lost.id] = u.erased_by.id;
    EXPECT_TRUE(sut.consistent) << "seed " << seed;
    EXPECT_EQ(got, reference_attribution(l, record_id)) << "seed " << seed;
    EXPECT_EQ(static_cast<std::int64_t>(sut.lost.size()),
              static_cast<std::int64_t>(workers * ops) - value)
        << "seed " << seed;
  }
}

}  // namespace
}  // namespace shmlab
