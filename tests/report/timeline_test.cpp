#include "shmlab/report/timeline.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "shmlab/control/control_block.hpp"
#include "shmlab/report/summary.hpp"

namespace shmlab {
namespace {

// 1R 2R 1W 2W with one increment each: worker 2's write erases worker 1's.
RunResult classic_lost_update() {
  RunRecord rec;
  rec.params.workers = 2;
  rec.params.increments = 1;
  rec.go_ns = 1'000'000;
  rec.writes_logged = true;
  const std::uint64_t w1 = write_id(0, 0, 1);
  const std::uint64_t w2 = write_id(1, 0, 1);
  auto step = [](char s, std::int64_t t, std::int64_t before, std::int64_t after, std::uint64_t id,
                 std::uint64_t based_on) {
    TraceEvent e;
    e.t_begin_ns = t;
    e.t_end_ns = t + 1000;
    e.step = s;
    e.before = before;
    e.after = after;
    e.id = id;
    e.based_on = based_on;
    return e;
  };
  for (std::uint32_t n = 1; n <= 2; ++n) {
    WorkerRecord w;
    w.number = n;
    w.pid = 100 + static_cast<std::int32_t>(n);
    w.ops = 1;
    rec.workers.push_back(w);
  }
  rec.workers[0].trace = {step('R', 1'100'000, 0, 0, 0, 0), step('W', 1'300'000, 0, 1, w1, 0)};
  rec.workers[1].trace = {step('R', 1'200'000, 0, 0, 0, 0), step('W', 1'400'000, 0, 1, w2, 0)};
  rec.workers[0].writes = {WriteEntry{0, 0, 1, 1'301'000}};
  rec.workers[1].writes = {WriteEntry{0, 0, 1, 1'401'000}};
  rec.final_record = CounterRecord{1, 2, 0, w2};
  rec.final_total = 1;
  return analyse(std::move(rec));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Timeline, RowsAreStepsInTimeOrderWithTheLostWriteMarked) {
  const RunResult result = classic_lost_update();
  ASSERT_EQ(result.attribution.lost.size(), 1u);
  const std::vector<std::string> lines = lines_of(render_timeline(result));
  // Title, header, rule, then the four steps.
  ASSERT_GE(lines.size(), 7u);
  EXPECT_NE(lines[3].find("R 0"), std::string::npos) << lines[3];
  EXPECT_NE(lines[5].find("W 0→1 ✗ lost (w2)"), std::string::npos) << lines[5];
  EXPECT_NE(lines[6].find("W 0→1 » erased w1"), std::string::npos) << lines[6];
  // Worker 2's steps sit in the second lane, right of worker 1's.
  EXPECT_GT(lines[6].find("W 0→1"), lines[5].find("W 0→1"));
}

TEST(Timeline, FitsEightyColumnsForThreeWorkers) {
  RunResult result = classic_lost_update();
  WorkerRecord third;
  third.number = 3;
  result.record.workers.push_back(third);
  for (const std::string& line : lines_of(render_timeline(result, {.width = 80}))) {
    std::size_t columns = 0;
    for (char c : line) columns += (c & 0xc0) != 0x80;
    EXPECT_LE(columns, 80u) << line;
  }
}

TEST(Timeline, NarrowLanesCutCellsOnACharacterBoundary) {
  const RunResult result = classic_lost_update();
  // 14-column lanes are too narrow for "W 0→1 ✗ lost (w2)": the cell is cut with an ellipsis.
  const std::string text = render_timeline(result, {.width = 20, .min_lane = 14});
  EXPECT_NE(text.find("W 0→1 ✗ lost…"), std::string::npos) << text;
  // Every byte sequence is still valid UTF-8: no lead byte without its continuation bytes.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    for (std::size_t k = 1; k <= extra; ++k) {
      ASSERT_LT(i + k, text.size());
      EXPECT_EQ(static_cast<unsigned char>(text[i + k]) & 0xc0, 0x80) << "at byte " << i;
    }
    i += extra;
  }
}

TEST(LostUpdateSentence, NamesWhoseRecordTheEraserReadWhenItDiffers) {
  LostUpdate l;
  l.lost = {3, 4, 14, 8, 2, 4, 5};
  l.erased_by = {2, 3, 8, 5, 1, 5, 6};
  EXPECT_EQ(lost_update_sentence(l),
            "worker 2 wrote 6 from its read of worker 1's 5, erasing worker 3's 4 → 5 (its op 4)");
  l.erased_by.based_on = l.lost.based_on;
  EXPECT_EQ(lost_update_sentence(l),
            "worker 2 wrote 6 from its read of 5, erasing worker 3's 4 → 5 (its op 4)");
}

TEST(LostUpdateSentence, PointsOutACounterGoingBackwards) {
  LostUpdate l;
  l.lost = {1, 8, 14, 8, 2, 7, 8};      // worker 1 wrote 8
  l.erased_by = {2, 3, 9, 5, 1, 6, 7};  // worker 2 then wrote 7 over it
  EXPECT_EQ(lost_update_sentence(l),
            "worker 2 wrote 7 from its read of worker 1's 6, erasing worker 1's 7 → 8 (its op 8): "
            "the counter went backwards");
}

TEST(Timeline, AsciiKeepsTheColumnsAndSpellsEverySymbol) {
  const RunResult result = classic_lost_update();
  const std::string utf8 = render_timeline(result);
  const std::string ascii = render_timeline(result, {.ascii = true});
  for (unsigned char c : ascii) ASSERT_LT(c, 0x80) << ascii;
  EXPECT_NE(ascii.find("W 0->1 x lost (w2)"), std::string::npos) << ascii;
  EXPECT_NE(ascii.find("W 0->1 >> erased w1"), std::string::npos) << ascii;
  // Lanes start at the same column as in UTF-8: worker 2's header is where it was.
  const auto header = [](const std::string& t) { return lines_of(t)[1]; };
  EXPECT_EQ(header(ascii).find("worker 2"), header(utf8).find("worker 2") - 2 * 2)
      << "│ is 3 bytes, | is 1: two separators before worker 2";
}

}  // namespace
}  // namespace shmlab
