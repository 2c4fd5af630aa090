// html_escape: text made safe to put between tags or inside a double- or single-quoted attribute
// of the HTML report and the SVG plots (& < > " ' become entities; everything else, UTF-8 included,
// is left as it is).
#pragma once

#include <string>
#include <string_view>

namespace shmlab {

std::string html_escape(std::string_view s);

}  // namespace shmlab
