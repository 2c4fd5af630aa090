// `shmlab generate bash|zsh|man`: internal (hidden from --help), run by the build to write the
// completion scripts and man pages that `make install` and the .deb carry, from the option tables
// of this very binary. bash and zsh print to stdout or -o FILE; man writes one page per command
// into -o DIR.
#include <fcntl.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/option_tables.hpp"
#include "cli/version.hpp"
#include "shmlab/usage_error.hpp"

namespace shmlab::cli {
namespace {

struct GenerateOptions {
  std::string what;    // bash, zsh or man
  std::string output;  // a file (bash, zsh; stdout when empty) or a directory (man)
};

void write_text(const std::string& path, const std::string& text) {
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "we"), &std::fclose);
  if (!f)
    throw std::system_error(errno, std::generic_category(), fmt::format("open(\"{}\")", path));
  if (std::fwrite(text.data(), 1, text.size(), f.get()) != text.size() ||
      std::fflush(f.get()) != 0) {
    throw std::system_error(errno, std::generic_category(), fmt::format("write(\"{}\")", path));
  }
}

int execute(const CLI::App& root, const GenerateOptions& o) {
  const CommandTable tables = read_option_tables(root);
  if (o.what == "bash") {
    write_text(o.output, bash_completion(tables));
  } else if (o.what == "zsh") {
    write_text(o.output, zsh_completion(tables));
  } else {
    if (o.output.empty()) throw UsageError("generate man needs -o DIR");
    std::vector<std::string> pages = {"shmlab"};
    for (const CommandTable& c : tables.commands) pages.push_back("shmlab-" + c.name);
    auto others = [&](const std::string& page) {
      std::vector<std::string> out;
      for (const std::string& p : pages) {
        if (p != page) out.push_back(p);
      }
      return out;
    };
    const std::string version = version_line();
    write_text(o.output + "/shmlab.1", man_page(tables, version, others("shmlab")));
    for (const CommandTable& c : tables.commands) {
      const std::string page = "shmlab-" + c.name;
      write_text(o.output + "/" + page + ".1", man_page(c, version, others(page)));
    }
  }
  return kExitOk;
}

}  // namespace

Command add_generate(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* sub = app.add_subcommand(
      "generate", "internal: completion scripts and man pages from the option tables");
  sub->group("");  // hidden from --help: the build runs it, users get the installed files
  sub->add_option("what", o->what, "bash, zsh or man")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "man"}));
  sub->add_option("-o,--output", o->output, "FILE (bash, zsh; default stdout) or DIR (man)");
  const CLI::App* root = &app;
  return {sub, [root, o] { return execute(*root, *o); }};
}

}  // namespace shmlab::cli
