// Reads the option tables out of the CLI11 app (see option_tables.hpp).
#include "cli/option_tables.hpp"

namespace shmlab::cli {
namespace {

// CLI11 describes a set check (IsMember) as "{a,b,c}" inside the option's type name.
std::vector<std::string> values_of(const std::string& type_name) {
  std::vector<std::string> out;
  const std::size_t open = type_name.find('{');
  const std::size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string item;
  for (const char c : type_name.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      out.push_back(item);
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  out.push_back(item);
  return out;
}

OptionTable option_table(const CLI::Option& opt) {
  OptionTable t;
  for (const std::string& s : opt.get_snames()) t.names.push_back("-" + s);
  for (const std::string& l : opt.get_lnames()) t.names.push_back("--" + l);
  if (!opt.nonpositional()) t.positional = opt.get_name();
  const std::string type_name = opt.get_type_name();
  // --help and --version are flags with a nonzero type size but no type name.
  if (opt.get_type_size() != 0 && !type_name.empty()) {
    t.metavar = type_name.substr(0, type_name.find(':'));
    if (t.metavar.empty()) t.metavar = "VALUE";
    t.values = values_of(type_name);
    t.default_value = opt.get_default_str();
  }
  t.description = opt.get_description();
  return t;
}

CommandTable command_table(const CLI::App& app) {
  CommandTable t;
  t.name = app.get_parent() == nullptr ? std::string() : app.get_name();
  t.description = app.get_description();
  t.footer = app.get_footer();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    t.options.push_back(option_table(*opt));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // internal: worker, bench-worker, generate
    t.commands.push_back(command_table(*sub));
  }
  return t;
}

}  // namespace

CommandTable read_option_tables(const CLI::App& app) { return command_table(app); }

}  // namespace shmlab::cli
