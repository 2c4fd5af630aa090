// --report through the real binary, rendered by a real browser: headless Chromium (Debian's
// `chromium`, installed by scripts/install-deps.sh) takes a screenshot that must not be blank and
// dumps the rendered DOM, which must hold one timeline mark per read and per write of the run.
#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/shmlab_process.hpp"

namespace shmlab::test {
namespace {

using nlohmann::json;

constexpr const char* kChromium = "/usr/bin/chromium";

// Headless Chromium with a profile of its own in `tmp`, no network, no shell between.
Outcome chromium(const TempDir& tmp, const std::string& mode, const std::string& html) {
  static int profile = 0;
  return run_program({kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                      "--no-first-run", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                      "--user-data-dir=" + tmp.path() + "/profile-" + std::to_string(++profile),
                      "--window-size=1280,1400", mode, "file://" + html},
                     tmp, 90, /*own_group=*/true);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

struct Pixels {
  std::size_t distinct_colors = 0;
  double non_background = 0;  // share of pixels unlike the most common colour
};

// Decodes the PNG fully (libpng's simplified API) and measures how much is drawn on it.
Pixels measure_png(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_file(&image, path.c_str())) << image.message;
  image.format = PNG_FORMAT_RGB;
  std::vector<png_byte> rgb(PNG_IMAGE_SIZE(image));
  EXPECT_TRUE(png_image_finish_read(&image, nullptr, rgb.data(), 0, nullptr)) << image.message;
  std::map<std::uint32_t, std::size_t> colors;
  for (std::size_t i = 0; i + 2 < rgb.size(); i += 3)
    ++colors[std::uint32_t{rgb[i]} << 16 | std::uint32_t{rgb[i + 1]} << 8 | rgb[i + 2]];
  std::size_t most = 0;
  for (const auto& [c, n] : colors) most = std::max(most, n);
  const double pixels = static_cast<double>(rgb.size() / 3);
  return {colors.size(), pixels == 0 ? 0 : 1.0 - static_cast<double>(most) / pixels};
}

// Renders the report of `shmlab run run_args` and checks it; `dom` (when given) gets the page as
// the browser rendered it, for the caller's own checks.
void check_report(const std::vector<std::string>& run_args, std::string* dom = nullptr) {
  if (::access(kChromium, X_OK) != 0)
    GTEST_SKIP() << kChromium << " is missing: run scripts/install-deps.sh to render the report";
  TempDir tmp;
  TempDir out;
  const std::string html = out.path() + "/report.html";
  std::vector<std::string> args = {"run", "--json", "-q", "--report", html};
  args.insert(args.end(), run_args.begin(), run_args.end());
  const Outcome o = run_shmlab(args, tmp);
  ASSERT_TRUE(o.exit_code == 0 || o.exit_code == 3) << o.err;
  EXPECT_TRUE(tmp.entries().empty());
  const json r = json::parse(o.out);

  const std::string png = out.path() + "/shot.png";
  const Outcome shot = chromium(out, "--screenshot=" + png, html);
  ASSERT_TRUE(std::filesystem::exists(png)) << shot.err;
  const Pixels px = measure_png(png);
  // A blank page is one colour; the report has text, cards, lanes and marks in many.
  EXPECT_GT(px.distinct_colors, 50u);
  EXPECT_GT(px.non_background, 0.05);

  const Outcome rendered = chromium(out, "--dump-dom", html);
  ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  const std::string& page = rendered.out;
  if (dom != nullptr) *dom = page;
  std::size_t ops = 0;
  for (const json& w : r["per_worker"]) ops += w["ops"].get<std::size_t>();
  EXPECT_EQ(count(page, "data-step=\"R\""), ops);
  EXPECT_EQ(count(page, "data-step=\"W\""), ops);
  EXPECT_EQ(count(page, "data-lost=\"1\""), r["lost_updates"].get<std::size_t>());
  EXPECT_EQ(count(page, "class=\"link\""), r["lost_updates"].get<std::size_t>());
  // Self-contained: nothing fetched from elsewhere.
  for (const char* external : {"<script src", "<link ", "@import", "url(http", "src=\"http"})
    EXPECT_EQ(page.find(external), std::string::npos) << external;
}

TEST(ReportCli, SeedDemoReportRendersEveryReadAndWrite) { check_report({"--delay", "0-8:0-5:1"}); }

TEST(ReportCli, SixteenWorkersTimesHundredReportRenders) {
  check_report({"-w", "16", "-n", "100", "--delay", "0-1:0-1:0"});
}

// The seed's diagram from 5: the header says where the counter started, the verdict counts the 2
// increments (not the 7 expected), the configuration has the value and the command repeats it.
TEST(ReportCli, InitialValueIsInTheHeaderTheVerdictAndTheCommand) {
  std::string dom;
  check_report({"-w", "2", "-n", "1", "--initial", "5", "--schedule", "1R 2R 1W 2W"}, &dom);
  if (dom.empty()) return;  // skipped or failed above
  EXPECT_NE(dom.find("2 worker processes × 1 increment of one shared counter starting at 5 "
                     "(--initial) · schedule 1R 2R 1W 2W"),
            std::string::npos)
      << dom;
  EXPECT_NE(dom.find("Race: 1 of 2 increments were lost — expected 7, the counter ended at 6"),
            std::string::npos);
  EXPECT_NE(dom.find("initial value (--initial)</th><td class=\"mono\">5</td>"), std::string::npos);
  EXPECT_NE(dom.find("shmlab run -w 2 -n 1 --initial 5 --backend file --strategy none --schedule "
                     "\"1R 2R 1W 2W\""),
            std::string::npos);
}

}  // namespace
}  // namespace shmlab::test
