// The ocamljit-doc command line: check, --output, --promote.
#include <cstdio>
#include <iostream>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

constexpr const char* usage_text =
    "Usage: ocamljit-doc [options] FILE...\n"
    "Checks the OCaml code blocks of Markdown files (.md and others) and of doc\n"
    "comments (.mli, .ml, .mld): runs every phrase in the native toplevel and\n"
    "compares its output with the one recorded below it.\n"
    "Exit 0 when everything matches; else prints a unified diff, writes\n"
    "FILE.corrected and exits 1. Exit 2 on bad usage or bad input.\n"
    "Options:\n"
    "  --output FILE   write the corrected document to FILE (- : stdout) instead\n"
    "                  (one input FILE only; exit 0 unless a block failed)\n"
    "  --promote       rewrite each FILE with its corrected outputs\n"
    "  -I DIR          add DIR to the load path\n"
    "  --load FILE     load FILE (.cmxs) before evaluation (repeatable)\n"
    "  --prelude FILE  evaluate FILE silently first, in every environment\n"
    "  --non-deterministic  also run and check the blocks labelled non-deterministic\n"
    "  --help          show this help\n";

struct Options {
  std::vector<std::string> files;
  std::vector<std::string> include_dirs;
  std::vector<std::string> loads;
  std::optional<std::string> output;
  std::optional<std::string> prelude;
  bool promote = false;
  bool non_deterministic = false;
  // For tests against the bytecode toplevel (see tests/doc/oracle.sh).
  std::optional<std::string> replay;
  std::optional<std::string> phrases_script_env;
  bool list_envs = false;
};

int usage_error(const std::string& message) {
  std::cerr << "ocamljit-doc: " << message << "\n" << "Try `ocamljit-doc --help'.\n";
  return 2;
}

// Reads the options; returns an exit status when the program must stop.
std::optional<int> parse_options(const std::vector<std::string>& args, Options& o) {
  bool only_files = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
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
    if (a == "--promote") {
      o.promote = true;
      continue;
    }
    if (a == "--non-deterministic") {
      o.non_deterministic = true;
      continue;
    }
    if (a == "--envs") {
      o.list_envs = true;
      continue;
    }
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
    static const char* with_arg[] = {"-I", "--load", "--prelude", "--output", "-o", "--replay", "--phrases-script"};
    bool known = false;
    for (const char* w : with_arg) known = known || name == w;
    if (!known) return usage_error("unknown option `" + a + "'");
    if (!has_value) {
      if (i + 1 >= args.size()) return usage_error("option `" + name + "' needs an argument");
      value = args[++i];
    }
    if (name == "-I") o.include_dirs.push_back(value);
    else if (name == "--load") o.loads.push_back(value);
    else if (name == "--prelude") o.prelude = value;
    else if (name == "--output" || name == "-o") o.output = value;
    else if (name == "--replay") o.replay = value;
    else o.phrases_script_env = value;
  }
  if (o.files.empty()) return usage_error("no input file");
  if (o.output && o.promote) return usage_error("--output and --promote exclude each other");
  if (o.output && o.files.size() != 1) return usage_error("--output needs exactly one input file");
  if ((o.phrases_script_env || o.list_envs) && o.files.size() != 1)
    return usage_error("--phrases-script and --envs need exactly one input file");
  return std::nullopt;
}

struct Input {
  std::string path;
  std::string text;
  Document doc;
};

}  // namespace

int run_cli(const std::vector<std::string>& args, const std::string& version, EvaluatorFactory& factory) {
  Options o;
  if (auto stop = parse_options(args, o)) return *stop;

  // Every input is read and parsed before anything is evaluated or written.
  std::vector<Input> inputs;
  for (const auto& path : o.files) {
    auto text = read_file(path);
    if (!text) {
      std::cerr << "ocamljit-doc: " << text.error().message << "\n";
      return 2;
    }
    auto doc = parse_document(*text, syntax_of_path(path));
    if (!doc) {
      std::cerr << path << ":" << doc.error().message << "\n";
      return 2;
    }
    inputs.push_back({path, std::move(*text), std::move(*doc)});
  }
  CheckOptions check;
  check.version = version;
  check.non_deterministic = o.non_deterministic;
  if (o.prelude) {
    auto p = read_file(*o.prelude);
    if (!p) {
      std::cerr << "ocamljit-doc: " << p.error().message << "\n";
      return 2;
    }
    check.prelude = std::move(*p);
    check.prelude_name = *o.prelude;
  }
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
      return 2;
    }
    evaluator = std::make_unique<ReplayEvaluator>(*rec);
  } else {
    auto e = factory.make(o.include_dirs);
    if (!e) {
      std::cerr << "ocamljit-doc: " << e.error().message << "\n";
      return 2;
    }
    evaluator = std::move(*e);
  }
  for (const auto& l : o.loads) {
    Status s = evaluator->load(l);
    if (!s) {
      std::cerr << "ocamljit-doc: cannot load " << l << ": " << s.error().message << "\n";
      return 2;
    }
  }

  int status = 0;
  for (const auto& in : inputs) {
    evaluator->reset();
    auto res = check_document(in.doc, *evaluator, check);
    if (!res) {
      std::cerr << in.path << ":" << res.error().message << "\n";
      return 2;
    }
    int file_status = 0;
    for (const auto& f : res->failures) {
      std::cerr << in.path << ":" << f;
      if (!f.empty() && f.back() != '\n') std::cerr << "\n";
      file_status = 1;
    }
    const std::string& corrected = res->corrected;
    if (o.output) {
      if (*o.output == "-") {
        std::cout << corrected << std::flush;
      } else if (Status s = write_file_atomic(*o.output, corrected); !s) {
        std::cerr << "ocamljit-doc: " << s.error().message << "\n";
        return 2;
      }
    } else if (o.promote) {
      if (corrected != in.text) {
        if (Status s = write_file_atomic(in.path, corrected, in.path); !s) {
          std::cerr << "ocamljit-doc: " << s.error().message << "\n";
          return 2;
        }
      }
    } else if (corrected != in.text) {
      std::cout << unified_diff(in.text, corrected, in.path, in.path + ".corrected") << std::flush;
      if (Status s = write_file_atomic(in.path + ".corrected", corrected, in.path); !s) {
        std::cerr << "ocamljit-doc: " << s.error().message << "\n";
        return 2;
      }
      file_status = 1;
    }
    status = std::max(status, file_status);
  }
  return status;
}

}  // namespace ocamljit::doc
