// The litmus outputs on results made by hand: a forbidden outcome that was observed is named as
// one (exit 3 comes from forbidden_observed), the witnesses add up, the HTML is self-contained.
#include "shmlab/litmus/litmus_output.hpp"

#include <gtest/gtest.h>

#include "shmlab/litmus/litmus_html.hpp"

namespace shmlab::litmus {
namespace {

LitmusResult sb_result(AccessOrder order, std::uint64_t marked, std::uint64_t other) {
  LitmusResult r;
  r.test = LitmusTest::kSB;
  r.order = order;
  r.histogram[state_index({0, 0, 0, 0})] = marked;
  r.histogram[state_index({1, 0, 0, 0})] = other;
  r.iterations = marked + other;
  r.batches = 1;
  r.elapsed_s = 0.5;
  r.placement.cpus = {0, 1};
  r.placement.cpus_available = 2;
  return r;
}

TEST(LitmusOutput, AnObservedForbiddenOutcomeIsReportedAsOne) {
  const LitmusResult sut = sb_result(AccessOrder::kSeqCst, 3, 997);
  EXPECT_TRUE(forbidden_observed(sut, Arch::kX86Tso));
  EXPECT_FALSE(forbidden_observed(sut, std::nullopt));  // no model, no verdict
  EXPECT_NE(litmus_text(sut, Arch::kX86Tso).find("FORBIDDEN on x86-TSO yet OBSERVED 3 times"),
            std::string::npos);
  const std::vector<LitmusResult> results = {sut};
  const nlohmann::json j = litmus_json(results, Arch::kX86Tso, 3);
  EXPECT_EQ(j["forbidden_observed"], true);
  EXPECT_EQ(j["results"][0]["verdict"], "forbidden");
  EXPECT_EQ(j["results"][0]["positive"], 3);
  EXPECT_EQ(j["results"][0]["negative"], 997);
  EXPECT_EQ(j["exit_code"], 3);
}

TEST(LitmusOutput, AnAllowedOutcomeIsNeverAnError) {
  const LitmusResult sut = sb_result(AccessOrder::kRelaxed, 10, 990);
  EXPECT_FALSE(forbidden_observed(sut, Arch::kX86Tso));
  const std::string text = litmus_text(sut, Arch::kX86Tso);
  EXPECT_NE(text.find("        10 *>0:r0=0; 1:r0=0;"), std::string::npos) << text;
  EXPECT_NE(text.find("       990 :>0:r0=1; 1:r0=0;"), std::string::npos) << text;
  EXPECT_NE(text.find("Witnesses: Positive 10, Negative 990"), std::string::npos) << text;
  EXPECT_NE(text.find("Observation SB Sometimes 10 990"), std::string::npos) << text;
}

TEST(LitmusOutput, HtmlHasAChartPerRunAndNothingExternal) {
  const std::vector<LitmusResult> results = {sb_result(AccessOrder::kRelaxed, 1, 9),
                                             sb_result(AccessOrder::kFence, 0, 10)};
  const std::string html = litmus_html(results, Arch::kX86Tso);
  std::size_t svgs = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 2u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_NE(html.find("0:r0=0 /\\ 1:r0=0"), std::string::npos);
}

}  // namespace
}  // namespace shmlab::litmus
