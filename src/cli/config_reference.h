// One table of options, three ways to set each: the command line, the
// configuration file (--config, TOML) and the environment.
//
// The CLI11 definitions in main.cc are that table. These helpers derive the
// rest from it, so nothing is written twice:
// - every option gets an environment variable (an explicit envname, or
//   SWITCHBOARD_<SUBCOMMAND>_<OPTION>, e.g. SWITCHBOARD_TOKEN_CREATE_ROLE);
// - `switchboard config-reference` prints docs/configuration.md from it, and
//   the lint.configuration_reference test fails when the document differs;
// - a configuration file's mistakes (an unknown key, a bad value) are told
//   with the key, its section and the file's name.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace switchboard::cli {

// The environment variable an option without an explicit one gets.
std::string derived_env_name(const CLI::App& command, const CLI::Option& option);

// Gives every named option of `app` and its subcommands (recursively) that has
// no environment variable the derived one.
void give_every_option_an_env_name(CLI::App& app);

// docs/configuration.md: every command's options with their config key, environment variable and default.
std::string configuration_reference(const CLI::App& app);

// The message for a parse error when options came from `config_file` (may be
// empty): config mistakes name the file, the section and the key.
std::string explain_parse_error(const CLI::ParseError& error, const std::string& config_file,
                                const std::vector<std::string>& command_line);

}  // namespace switchboard::cli
