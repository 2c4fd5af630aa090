#include "shmlab/report/html_escape.hpp"

#include <gtest/gtest.h>

#include <string>

namespace shmlab {
namespace {

TEST(HtmlEscape, EachMarkupCharacterBecomesItsEntity) {
  EXPECT_EQ(html_escape("&"), "&amp;");
  EXPECT_EQ(html_escape("<"), "&lt;");
  EXPECT_EQ(html_escape(">"), "&gt;");
  EXPECT_EQ(html_escape("\""), "&quot;");
  EXPECT_EQ(html_escape("'"), "&#39;");
  EXPECT_EQ(html_escape("<script>alert(\"x&y\")</script>"),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;");
}

TEST(HtmlEscape, AnEntityIsEscapedAgainNotKept) {
  // Escaping is not idempotent on purpose: a label that says "&lt;" must show "&lt;".
  EXPECT_EQ(html_escape("&lt;"), "&amp;lt;");
}

TEST(HtmlEscape, OtherTextIsUnchangedUtf8Included) {
  EXPECT_EQ(html_escape(""), "");
  const std::string text = "Worker 1 wrote 3 → 4 (mutex, shm) — ✓ 100%";
  EXPECT_EQ(html_escape(text), text);
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(html_escape(with_nul), with_nul);
}

}  // namespace
}  // namespace shmlab
