// Checking a document as `ocaml-mdx test` does: which blocks run, where and
// in which environment; the corrected document built from the outputs of the
// toplevel (OCaml blocks), of the shell (shell blocks) and of included files.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <set>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

std::string dirname(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string concat(const std::string& dir, const std::string& file) {
  if (!file.empty() && file[0] == '/') return file;
  return dir.ends_with('/') ? dir + file : dir + "/" + file;
}

bool os_type_satisfied(const Labels& l) {
  for (const auto& [op, v] : l.os_types)
    if ((op == "=") != (v == "Unix")) return false;
  return true;
}

bool in_section(const Block& b, const CheckOptions& options) {
  if (!options.section) return true;
  try {
    return std::regex_search(b.section, std::regex(*options.section));
  } catch (const std::regex_error&) {
    return false;  // checked by the command line; too complex to match: not in it
  }
}

// mdx's Block.is_active, without `skip` (include blocks are synced even when skipped).
bool enabled(const Block& b, const CheckOptions& options) {
  return version_satisfies(options.version, b.labels.versions) && os_type_satisfied(b.labels) && in_section(b, options);
}

bool runs(const Block& b, const CheckOptions& options) {
  return enabled(b, options) && !b.labels.skip &&
         (options.non_deterministic || b.labels.non_deterministic != NonDeterministic::command);
}

// Whether the recorded output is kept whatever the actual one.
bool keeps_output(const Block& b, const CheckOptions& options) {
  return b.labels.non_deterministic != NonDeterministic::no && !options.non_deterministic;
}

// The directory a block runs in (mdx's root_dir): dir= is relative to the
// document's directory, or to --root.
std::optional<std::string> block_dir(const Block& b, const CheckOptions& options) {
  if (!b.labels.dir) return options.root;
  return concat(options.root ? *options.root : dirname(options.document_path), *b.labels.dir);
}

std::string verbatim(const Block& b) { return b.original + b.errors_original; }

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    lines.emplace_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

bool is_findlib_directive(std::string_view phrase) {
  for (std::string_view d : {"#require", "#camlp4o", "#camlp4r", "#thread"})
    if (phrase.starts_with(d) && (phrase.size() == d.size() || !std::isalnum(static_cast<unsigned char>(phrase[d.size()]))))
      return true;
  return false;
}

// Topfind's #require prints its failures instead of raising them: these are
// the messages mdx shows as errors.
bool findlib_failed(const std::vector<std::string>& lines) {
  for (const auto& l : lines)
    for (std::string_view m : {"No such package", "Package requires itself", "Error:", "Error while loading", "Exception:",
                               "Cannot load"})
      if (std::string_view(l).starts_with(m)) return true;
  return false;
}

// Sets a block's set-VAR/unset-VAR environment variables while alive.
class EnvironmentVariables {
 public:
  explicit EnvironmentVariables(const Labels& labels) {
    for (const auto& [var, value] : labels.set_vars) {
      save(var);
      ::setenv(var.c_str(), value.c_str(), 1);
    }
    for (const auto& var : labels.unset_vars) {
      save(var);
      ::unsetenv(var.c_str());
    }
  }
  ~EnvironmentVariables() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else ::unsetenv(it->first.c_str());
    }
  }
  EnvironmentVariables(const EnvironmentVariables&) = delete;
  EnvironmentVariables& operator=(const EnvironmentVariables&) = delete;

 private:
  void save(const std::string& var) {
    const char* v = std::getenv(var.c_str());
    saved_.emplace_back(var, v ? std::optional<std::string>(v) : std::nullopt);
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// The working directory of a block (dir=, --root) while alive.
class WorkingDirectory {
 public:
  static Result<std::unique_ptr<WorkingDirectory>> enter(const std::optional<std::string>& dir) {
    auto w = std::unique_ptr<WorkingDirectory>(new WorkingDirectory);
    if (!dir) return w;
    w->saved_ = ::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w->saved_ < 0 || ::chdir(dir->c_str()) != 0)
      return make_error("cannot enter directory ", *dir, ": ", std::strerror(errno));
    return w;
  }
  ~WorkingDirectory() {
    if (saved_ >= 0) {
      (void)!::fchdir(saved_);
      ::close(saved_);
    }
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  WorkingDirectory() = default;
  int saved_ = -1;
};

// The texts an OCaml block gives the toplevel, in order: its phrases (toplevel
// block) or its sentences (code block). Empty when the block does not run.
std::vector<std::string> evaluations(const Block& b, const CheckOptions& options) {
  std::vector<std::string> texts;
  if (b.kind != BlockKind::ocaml || !runs(b, options)) return texts;
  if (is_toplevel(b.body)) {
    for (const auto& p : parse_toplevel(b.body).phrases)
      if (!p.command.empty()) texts.push_back(phrase_text(p));
  } else {
    texts = code_sentences(b.body);
  }
  return texts;
}

std::string render_with(const Block& b, std::vector<std::string> body) {
  Block nb = b;
  nb.body = std::move(body);
  // A one-line `{[ # phrase;; ]}` that grows gets `]}` on a line of its own.
  if (nb.last_line_open && nb.body.size() != b.body.size()) nb.last_line_open = false;
  return render_block(nb);
}

// A file given to #use needs no final ";;"; toplevel input does.
std::string as_toplevel_input(const std::string& file_text) {
  std::string_view s = file_text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s.ends_with(";;") ? file_text : file_text + "\n;;";
}

class Checker {
 public:
  Checker(const Document& doc, Evaluator& evaluator, const CheckOptions& options, Syntax syntax)
      : doc_(doc), ev_(evaluator), o_(options), syntax_(syntax) {}

  Result<CheckResult> run() {
    for (const auto& part : doc_.parts) {
      if (!part.block) {
        res_.corrected += part.text;
        continue;
      }
      Status s = block(*part.block);
      if (!s) return s.error();
      if (!res_.stopped.empty()) break;
    }
    return std::move(res_);
  }

 private:
  Status block(const Block& b) {
    if (b.kind == BlockKind::include) return include(b);
    if (b.kind == BlockKind::raw || !runs(b, o_)) {
      res_.corrected += b.closed ? verbatim(b) : render_block(b);
      return ok_status();
    }
    EnvironmentVariables vars(b.labels);
    auto wd = WorkingDirectory::enter(block_dir(b, o_));
    if (!wd) return make_error(b.line, ": ", wd.error().message);
    if (b.kind == BlockKind::cram) return cram(b);
    start_env(b);
    if (!res_.stopped.empty()) return ok_status();
    if (is_toplevel(b.body)) toplevel(b);
    else code(b);
    return ok_status();
  }

  // The preludes, the first time an environment is used.
  void start_env(const Block& b) {
    const std::string& env = b.labels.env;
    if (!started_.insert(env).second) return;
    for (const auto& p : o_.preludes) {
      if (p.env && *p.env != env) continue;
      EvalResult r = ev_.eval(env, EvalMode::file, p.text, -1);
      if (r.ok) continue;
      if (o_.prelude_failure_stops) {
        std::string text = p.text;
        while (!text.empty() && text.back() == '\n') text.pop_back();
        res_.stopped = "Got an error while evaluating:\n---\n" + text + "\n---\n" + join(mdx_output(r.output));
        return;
      }
      res_.failures.push_back(std::to_string(b.line) + ": the prelude " + p.name +
                              " failed in this block's environment:\n" + r.output);
    }
  }

  // Evaluates one text; the lines mdx records and whether it went well.
  std::pair<std::vector<std::string>, bool> evaluate(const Block& b, const std::string& text, EvalMode mode) {
    EvalResult r = ev_.eval(b.labels.env, mode, text, item_++);
    std::vector<std::string> lines = mdx_output(r.output);
    for (auto& l : lines) l = strip_ansi(l);
    // mdx drops what a successful #require prints (findlib's "loaded" lines).
    if (o_.silent || (r.ok && !o_.verbose_findlib && is_findlib_directive(text) && !findlib_failed(lines)))
      lines.clear();
    return {std::move(lines), r.ok};
  }

  void toplevel(const Block& b) {
    ToplevelBlock t = parse_toplevel(b.body);
    bool changed = false;
    EvalMode mode = o_.silent_eval ? EvalMode::quiet_phrases : EvalMode::phrases;
    for (auto& p : t.phrases) {
      if (p.command.empty()) continue;
      auto [actual, ok] = evaluate(b, phrase_text(p), mode);
      (void)ok;
      if (keeps_output(b, o_)) continue;
      if (!output_matches(p.output, actual)) {
        p.output = std::move(actual);
        changed = true;
      }
    }
    res_.corrected += changed ? render_with(b, layout_toplevel(t)) + b.errors_original : verbatim(b);
  }

  // A code block: its sentences, and an `mdx-error` block after it when one failed.
  void code(const Block& b) {
    std::vector<std::string> lines;
    bool ok = true;
    EvalMode mode = o_.silent_eval ? EvalMode::quiet_phrases : EvalMode::phrases;
    for (const auto& s : code_sentences(b.body)) {
      auto [out, fine] = evaluate(b, s, mode);
      lines.insert(lines.end(), out.begin(), out.end());
      ok = ok && fine;
    }
    if (syntax_ != Syntax::markdown) {
      // Doc comments have no place for error blocks: a failure is reported.
      if (!ok) res_.failures.push_back(std::to_string(b.line) + ": this OCaml block failed:\n" + join(lines));
      res_.corrected += verbatim(b);
      return;
    }
    std::vector<std::string> errors;
    if (!ok) errors = output_matches(b.errors, lines) ? b.errors : merge_ellipses(b.errors, lines);
    if (errors == b.errors) {
      res_.corrected += verbatim(b);
      return;
    }
    if (!ok) res_.recorded_failures.push_back(std::to_string(b.line) + ": this OCaml block failed:\n" + join(lines));
    res_.corrected += b.original;
    if (!errors.empty()) res_.corrected += "```mdx-error\n" + join(errors) + "```\n";
  }

  Status cram(const Block& b) {
    auto parsed = parse_cram(b.body);
    if (!parsed) return make_error(b.line, ": ", parsed.error().message);
    CramBlock c = std::move(*parsed);
    bool changed = false;
    for (auto& t : c.tests) {
      auto r = run_shell(cram_command_line(t), "", b.labels.unset_vars);
      if (!r) return make_error(b.line, ": ", r.error().message);
      if (keeps_output(b, o_)) continue;
      std::vector<std::string> actual;
      for (const auto& l : split_lines(r->output)) {
        std::string_view v = l;
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        actual.push_back(strip_ansi(v));
      }
      // In a doc comment, blank lines before the closing `]}` are layout,
      // not output (mdx keeps them).
      std::size_t layout_blanks = 0;
      if (syntax_ != Syntax::markdown && syntax_ != Syntax::cram && &t == &c.tests.back() && t.exit_code == 0)
        while (layout_blanks < t.output.size() && t.output[t.output.size() - 1 - layout_blanks].empty())
          ++layout_blanks;
      std::vector<std::string> recorded(t.output.begin(), t.output.end() - static_cast<std::ptrdiff_t>(layout_blanks));
      if (!output_matches(recorded, actual)) {
        t.output = merge_ellipses(recorded, actual);
        t.output.insert(t.output.end(), layout_blanks, "");
        changed = true;
      }
      if (t.exit_code != r->exit_code) {
        t.exit_code = r->exit_code;
        changed = true;
      }
    }
    if (!changed) {
      res_.corrected += verbatim(b);
      return ok_status();
    }
    std::vector<std::string> lines = layout_cram(c);
    // In a .t file an empty line would end the block: an empty output line
    // keeps the block's indentation.
    if (syntax_ == Syntax::cram)
      for (auto& l : lines)
        if (l.empty()) l.assign(c.hpad, ' ');
    res_.corrected += render_with(b, std::move(lines));
    return ok_status();
  }

  // file=/part=: the block's contents are the file's (or the part's).
  Status include(const Block& b) {
    if (!enabled(b, o_)) {
      res_.corrected += verbatim(b);
      return ok_status();
    }
    std::optional<std::string> root = block_dir(b, o_);
    std::string path = concat(dirname(o_.document_path), *b.labels.file);
    if (root) path = concat(*root, path);
    bool ocaml = b.language == "ocaml";
    auto contents = read_part(path, ocaml ? b.labels.part : std::nullopt);
    if (!contents)
      return make_error(b.first_line, ": Error in the ", ocaml ? "OCaml " : "", "file include code block\n",
                        contents.error().message);
    std::vector<std::string> body = split_lines(*contents);
    res_.corrected += body == b.body && b.closed ? verbatim(b) : render_with(b, std::move(body));
    return ok_status();
  }

  static std::string join(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }

  const Document& doc_;
  Evaluator& ev_;
  const CheckOptions& o_;
  Syntax syntax_;
  CheckResult res_;
  std::set<std::string> started_;
  int item_ = 0;
};

}  // namespace

std::string item_marker(int item) { return "@@ocamljit-doc " + std::to_string(item) + "@@\n"; }

Result<CheckResult> check_document(const Document& doc, Evaluator& evaluator, const CheckOptions& options) {
  auto result = Checker(doc, evaluator, options, options.syntax.value_or(syntax_of_path(options.document_path))).run();
  // What the caller prints next goes to the process's standard outputs.
  evaluator.release_outputs();
  return result;
}

std::string phrases_script(const Document& doc, const CheckOptions& options, const std::string& env) {
  // Answers framed as doc_eval.ml frames them, for mdx_output.
  std::string s =
      "#directory \"+compiler-libs\";;\n"
      "let () = let print = !Oprint.out_phrase in Oprint.out_phrase := (fun ppf phr -> match phr with\n"
      "  | Outcometree.Ophr_exception _ -> print ppf phr\n"
      "  | _ -> Format.pp_print_flush ppf (); flush stdout; flush stderr; print_string \"\\002\"; flush stdout;\n"
      "         print ppf phr; Format.pp_print_flush ppf (); flush stdout; print_string \"\\003\"; flush stdout);;\n";
  for (const auto& p : options.preludes)
    if (!p.env || *p.env == env) s += as_toplevel_input(p.text) + "\n";
  auto marker = [](const std::string& m) {
    return "let () = flush stderr; print_string \"" + m.substr(0, m.size() - 1) + "\\n\";;\n";
  };
  int item = 0;
  for (const auto& part : doc.parts) {
    if (!part.block) continue;
    for (const auto& text : evaluations(*part.block, options)) {
      if (part.block->labels.env == env) s += marker(item_marker(item)) + text + "\n";
      ++item;
    }
  }
  s += marker("@@ocamljit-doc end@@\n");
  return s;
}

std::vector<std::string> document_envs(const Document& doc, const CheckOptions& options) {
  std::vector<std::string> envs;
  std::set<std::string> seen;
  for (const auto& part : doc.parts)
    if (part.block && !evaluations(*part.block, options).empty() && seen.insert(part.block->labels.env).second)
      envs.push_back(part.block->labels.env);
  return envs;
}

std::string document_deps(const Document& doc) {
  std::string s = "(";
  std::set<std::pair<std::string_view, std::string>> seen;
  auto item = [&s, &seen](std::string_view kind, const std::string& value) {
    if (!seen.emplace(kind, value).second) return;
    s += '(';
    s += std::to_string(kind.size());
    s += ':';
    s += kind;
    s += std::to_string(value.size());
    s += ':';
    s += value;
    s += ')';
  };
  for (const auto& part : doc.parts) {
    if (!part.block) continue;
    const Labels& l = part.block->labels;
    if (l.dir) item("dir", *l.dir);
    if (l.source_tree) item("dir", *l.source_tree);
    if (l.file) item("file", *l.file);
  }
  s += ')';
  return s;
}

ReplayEvaluator::ReplayEvaluator(std::string_view recording) {
  const std::string_view open = "@@ocamljit-doc ";
  std::size_t pos = recording.find(open);
  while (pos != std::string_view::npos) {
    std::size_t num = pos + open.size();
    std::size_t close = recording.find("@@\n", num);
    if (close == std::string_view::npos) break;
    std::string_view label = recording.substr(num, close - num);
    std::size_t start = close + 3;
    std::size_t next = recording.find(open, start);
    std::string_view text = recording.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start);
    if (label != "end") {
      int n = 0;
      for (char c : label) n = n * 10 + (c - '0');
      outputs_[n] = std::string(text);
    }
    pos = next;
  }
}

EvalResult ReplayEvaluator::eval(const std::string&, EvalMode, const std::string&, int item) {
  auto it = outputs_.find(item);
  if (it == outputs_.end()) return EvalResult{true, ""};
  // The toplevel's failures show in what it printed.
  const std::string& out = it->second;
  bool failed = out.find("\nError: ") != std::string::npos || out.starts_with("Error: ") ||
                out.find("Exception: ") != std::string::npos;
  return EvalResult{!failed, out};
}

}  // namespace ocamljit::doc
