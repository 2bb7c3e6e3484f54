// The ocamljit-doc command line: mdx's `test` and `deps` subcommands (so that
// the program installed as `ocaml-mdx` serves dune's (mdx) stanza), and the
// original form: check, --output, --promote.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <regex>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

constexpr const char* usage_text =
    "Usage: ocamljit-doc [options] FILE...\n"
    "       ocamljit-doc test [options] FILE     (as `ocaml-mdx test')\n"
    "       ocamljit-doc deps FILE               (as `ocaml-mdx deps')\n"
    "Checks the OCaml code blocks of Markdown files (.md and others) and of doc\n"
    "comments (.mli, .ml, .mld): runs every phrase in the native toplevel and\n"
    "compares its output with the one recorded below it; shell blocks (sh, bash)\n"
    "run their `$ ' commands; file=/part= blocks are synced from their files.\n"
    "Without a subcommand: exit 0 when everything matches; else prints a unified\n"
    "diff, writes FILE.corrected and exits 1. Exit 2 on bad usage or bad input.\n"
    "`test': writes FILE.corrected when it differs (or --output), exit 0; exit 1\n"
    "on bad input, as ocaml-mdx.\n"
    "Options:\n"
    "  -o, --output FILE   write the corrected document to FILE (- : stdout) instead\n"
    "                      (one input FILE only)\n"
    "  --promote           rewrite each FILE with its corrected outputs\n"
    "  -I DIR, --directory DIR  add DIR to the load path\n"
    "  --load FILE         load FILE (.cmxs) before evaluation (repeatable)\n"
    "  --prelude [ENV:]FILE     evaluate FILE silently first, in every environment\n"
    "                      or in ENV (repeatable)\n"
    "  --prelude-str [ENV:]TEXT like --prelude, with the text itself\n"
    "  --syntax SYNTAX     markdown (normal), cram, mli or mld instead of the file's extension\n"
    "  --root DIR          run the blocks in DIR\n"
    "  -s, --section RE    only the blocks under a heading matching RE\n"
    "  --non-deterministic also run and check the blocks labelled non-deterministic\n"
    "                      (also when MDX_RUN_NON_DETERMINISTIC is set)\n"
    "  --silent-eval       do not record the toplevel's answers\n"
    "  --silent            record no toplevel output at all\n"
    "  --force-output      write FILE.corrected even when it is FILE (test)\n"
    "  --verbose-findlib   record what #require prints\n"
    "  --version           show the OCaml version\n"
    "  --help              show this help\n";

enum class Command { check, test, deps };

struct Options {
  Command command = Command::check;
  std::vector<std::string> files;
  std::vector<std::string> include_dirs;
  std::vector<std::string> loads;
  std::optional<std::string> output;
  std::vector<std::string> prelude_files;
  std::vector<std::string> prelude_strings;
  std::optional<std::string> syntax;
  std::optional<std::string> root;
  std::optional<std::string> section;
  bool promote = false;
  bool non_deterministic = false;
  bool silent = false;
  bool silent_eval = false;
  bool force_output = false;
  bool verbose_findlib = false;
  // For tests against the bytecode toplevel (see tests/doc/run.sh).
  std::optional<std::string> replay;
  std::optional<std::string> phrases_script_env;
  bool list_envs = false;
};

// Bad usage: exit 2, or 124 under `test`/`deps` (mdx's command-line errors).
bool mdx_command_line = false;

int usage_error(const std::string& message) {
  std::cerr << "ocamljit-doc: " << message << "\n" << "Try `ocamljit-doc --help'.\n";
  return mdx_command_line ? 124 : 2;
}

// Reads the options; returns an exit status when the program must stop.
std::optional<int> parse_options(const std::vector<std::string>& args, const std::string& version, Options& o) {
  bool only_files = false;
  std::size_t first = 1;
  mdx_command_line = false;
  if (args.size() > 1 && (args[1] == "test" || args[1] == "deps")) {
    o.command = args[1] == "test" ? Command::test : Command::deps;
    mdx_command_line = true;
    first = 2;
  }
  static const std::pair<const char*, bool Options::*> flags[] = {
      {"--promote", &Options::promote},
      {"--non-deterministic", &Options::non_deterministic},
      {"--silent", &Options::silent},
      {"--silent-eval", &Options::silent_eval},
      {"--force-output", &Options::force_output},
      {"--verbose-findlib", &Options::verbose_findlib},
      {"--envs", &Options::list_envs},
  };
  // mdx options that change nothing here.
  static const char* ignored_flags[] = {"--record-backtrace", "-v", "--verbose", "-q", "--quiet"};
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_files || a == "-" || a.empty() || a[0] != '-') {
      o.files.push_back(a);
      continue;
    }
    if (a == "--") {
      only_files = true;
      continue;
    }
    if (a == "--help" || a == "-help" || a == "-h") {
      std::cout << usage_text;
      return 0;
    }
    if (a == "--version" || a == "-version") {
      std::cout << "ocamljit-doc for OCaml " << version << "\n";
      return 0;
    }
    bool matched = false;
    for (const auto& [name, field] : flags)
      if (a == name) {
        o.*field = true;
        matched = true;
      }
    for (const char* name : ignored_flags) matched = matched || a == name;
    if (a.starts_with("--color=") || a.starts_with("--verbosity=")) matched = true;
    if (matched) continue;
    // Options with an argument: "--opt ARG" or "--opt=ARG" (and "-IDIR").
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    } else if (a.starts_with("-I") && a.size() > 2) {
      name = "-I";
      value = a.substr(2);
      has_value = true;
    }
    static const char* with_arg[] = {"-I",     "--directory", "--load", "--prelude",        "--prelude-str",
                                     "--output", "-o",        "--syntax", "--root",         "--section",
                                     "-s",     "--replay",    "--phrases-script", "--color", "--verbosity"};
    bool known = false;
    for (const char* w : with_arg) known = known || name == w;
    if (!known) return usage_error("unknown option `" + a + "'");
    if (!has_value) {
      if (i + 1 >= args.size()) return usage_error("option `" + name + "' needs an argument");
      value = args[++i];
    }
    if (name == "-I" || name == "--directory") o.include_dirs.push_back(value);
    else if (name == "--load") o.loads.push_back(value);
    else if (name == "--prelude") o.prelude_files.push_back(value);
    else if (name == "--prelude-str") o.prelude_strings.push_back(value);
    else if (name == "--output" || name == "-o") o.output = value;
    else if (name == "--syntax") o.syntax = value;
    else if (name == "--root") o.root = value;
    else if (name == "--section" || name == "-s") o.section = value;
    else if (name == "--replay") o.replay = value;
    else if (name == "--phrases-script") o.phrases_script_env = value;
  }
  // mdx reads --non-deterministic from the environment too.
  if (const char* nd = std::getenv("MDX_RUN_NON_DETERMINISTIC")) {
    std::string v = nd;
    if (!v.empty() && v != "0" && v != "false" && v != "no" && v != "n" && v != "f") o.non_deterministic = true;
  }
  if (o.files.empty()) return usage_error("no input file");
  if (o.command != Command::check && o.files.size() != 1)
    return usage_error(std::string(o.command == Command::test ? "test" : "deps") + " takes exactly one FILE");
  if (o.output && o.promote) return usage_error("--output and --promote exclude each other");
  if (o.output && o.files.size() != 1) return usage_error("--output needs exactly one input file");
  if ((o.phrases_script_env || o.list_envs) && o.files.size() != 1)
    return usage_error("--phrases-script and --envs need exactly one input file");
  if (!o.prelude_files.empty() && !o.prelude_strings.empty()) {
    std::cerr << "only one of --prelude or --prelude-str shoud be used\n";
    return o.command == Command::check ? 2 : 1;
  }
  if (o.syntax && *o.syntax != "markdown" && *o.syntax != "normal" && *o.syntax != "mli" && *o.syntax != "mld" &&
      *o.syntax != "cram") {
    return usage_error("unknown syntax `" + *o.syntax + "' (markdown, normal, cram, mli, mld)");
  }
  if (o.section) {
    try {
      std::regex check(*o.section);
    } catch (const std::regex_error&) {
      return usage_error("--section: bad regular expression `" + *o.section + "'");
    }
  }
  return std::nullopt;
}

// "[ENV:]X": mdx's prelude argument (no environment when ENV has a space).
std::pair<std::optional<std::string>, std::string> env_and_value(const std::string& arg) {
  auto colon = arg.find(':');
  if (colon == std::string::npos || arg.substr(0, colon).find(' ') != std::string::npos) return {std::nullopt, arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

struct Input {
  std::string path;
  std::string text;
  Document doc;
};

// "LINE: message" from the parser or the checker, as the mode reports it.
// "LINE: message" or "FIRST-LAST: message" (a block's lines).
void report(const Options& o, const std::string& path, const std::string& error, bool parsing) {
  auto colon = error.find(": ");
  std::string lines = error.substr(0, colon);
  std::string message = colon == std::string::npos ? error : error.substr(colon + 2);
  auto dash = lines.find('-');
  if (o.command == Command::check) {
    std::cerr << path << ":" << lines.substr(0, dash) << ": " << message << "\n";
    return;
  }
  std::cerr << (parsing ? "[mdx] Fatal error: " : "") << "File \"" << path << "\", ";
  if (dash == std::string::npos) std::cerr << "line " << lines << ", column 0: ";
  else if (lines.substr(0, dash) == lines.substr(dash + 1)) std::cerr << "line " << lines.substr(0, dash) << ": ";
  else std::cerr << "lines " << lines << ": ";
  std::cerr << message << "\n";
}

}  // namespace

int run_cli(const std::vector<std::string>& args, const std::string& version, EvaluatorFactory& factory) {
  Options o;
  if (auto stop = parse_options(args, version, o)) return *stop;
  const bool mdx = o.command != Command::check;
  const int bad_input = mdx ? 1 : 2;
  std::optional<Syntax> syntax;
  if (o.syntax)
    syntax = *o.syntax == "mli"    ? Syntax::odoc
             : *o.syntax == "mld"  ? Syntax::mld
             : *o.syntax == "cram" ? Syntax::cram
                                   : Syntax::markdown;

  // Every input is read and parsed before anything is evaluated or written.
  std::vector<Input> inputs;
  for (const auto& path : o.files) {
    auto text = read_file(path);
    if (!text) {
      std::cerr << "ocamljit-doc: " << text.error().message << "\n";
      return bad_input;
    }
    auto doc = parse_document(*text, syntax.value_or(syntax_of_path(path)));
    if (!doc) {
      report(o, path, doc.error().message, true);
      return bad_input;
    }
    inputs.push_back({path, std::move(*text), std::move(*doc)});
  }
  if (o.command == Command::deps) {
    std::cout << document_deps(inputs[0].doc) << std::flush;
    return 0;
  }
  CheckOptions check;
  check.version = version;
  check.non_deterministic = o.non_deterministic;
  check.root = o.root;
  check.section = o.section;
  check.silent = o.silent;
  check.silent_eval = o.silent_eval;
  check.verbose_findlib = o.verbose_findlib;
  check.syntax = syntax;
  check.prelude_failure_stops = mdx;
  for (const auto& p : o.prelude_files) {
    auto [env, file] = env_and_value(p);
    auto text = read_file(file);
    if (!text) {
      std::cerr << "ocamljit-doc: " << text.error().message << "\n";
      return bad_input;
    }
    check.preludes.push_back({env, std::move(*text), file});
  }
  for (const auto& p : o.prelude_strings) {
    auto [env, text] = env_and_value(p);
    check.preludes.push_back({env, text, "--prelude-str " + text});
  }
  if (o.list_envs || o.phrases_script_env) check.document_path = inputs[0].path;
  if (o.list_envs) {
    for (const auto& e : document_envs(inputs[0].doc, check)) std::cout << e << "\n";
    return 0;
  }
  if (o.phrases_script_env) {
    std::cout << phrases_script(inputs[0].doc, check, *o.phrases_script_env);
    return 0;
  }

  std::unique_ptr<Evaluator> evaluator;
  if (o.replay) {
    auto rec = read_file(*o.replay);
    if (!rec) {
      std::cerr << "ocamljit-doc: " << rec.error().message << "\n";
      return bad_input;
    }
    evaluator = std::make_unique<ReplayEvaluator>(*rec);
  } else {
    auto e = factory.make(o.include_dirs);
    if (!e) {
      std::cerr << "ocamljit-doc: " << e.error().message << "\n";
      return bad_input;
    }
    evaluator = std::move(*e);
  }
  for (const auto& l : o.loads) {
    Status s = evaluator->load(l);
    if (!s) {
      std::cerr << "ocamljit-doc: cannot load " << l << ": " << s.error().message << "\n";
      return bad_input;
    }
  }

  int status = 0;
  for (const auto& in : inputs) {
    evaluator->reset();
    check.document_path = in.path;
    auto res = check_document(in.doc, *evaluator, check);
    if (!res) {
      report(o, in.path, res.error().message, false);
      return bad_input;
    }
    if (!res->stopped.empty()) {
      std::cerr << res->stopped << std::flush;
      return 1;
    }
    int file_status = 0;
    for (const auto& f : res->failures) {
      std::cerr << in.path << ":" << f;
      if (!f.empty() && f.back() != '\n') std::cerr << "\n";
      file_status = 1;
    }
    if (!mdx) {
      // Errors recorded in mdx-error blocks are failures of the check.
      for (const auto& f : res->recorded_failures) {
        std::cerr << in.path << ":" << f;
        if (!f.empty() && f.back() != '\n') std::cerr << "\n";
        file_status = 1;
      }
    }
    const std::string& corrected = res->corrected;
    if (o.output) {
      if (*o.output == "-") {
        std::cout << corrected << std::flush;
      } else if (Status s = write_file_atomic(*o.output, corrected); !s) {
        std::cerr << "ocamljit-doc: " << s.error().message << "\n";
        return bad_input;
      }
    } else if (o.promote) {
      if (corrected != in.text) {
        if (Status s = write_file_atomic(in.path, corrected, in.path); !s) {
          std::cerr << "ocamljit-doc: " << s.error().message << "\n";
          return bad_input;
        }
      }
    } else if (mdx) {
      // As ocaml-mdx test: FILE.corrected when it differs, no diff printed.
      std::string out = in.path + ".corrected";
      if (corrected != in.text || o.force_output) {
        if (Status s = write_file_atomic(out, corrected, in.path); !s) {
          std::cerr << "ocamljit-doc: " << s.error().message << "\n";
          return bad_input;
        }
      } else {
        ::unlink(out.c_str());
      }
    } else if (corrected != in.text) {
      std::cout << unified_diff(in.text, corrected, in.path, in.path + ".corrected") << std::flush;
      if (Status s = write_file_atomic(in.path + ".corrected", corrected, in.path); !s) {
        std::cerr << "ocamljit-doc: " << s.error().message << "\n";
        return bad_input;
      }
      file_status = 1;
    }
    status = std::max(status, file_status);
  }
  return status;
}

}  // namespace ocamljit::doc
