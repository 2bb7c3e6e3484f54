// ocamljit-doc: verified toplevel snippets in Markdown and in OCaml doc
// comments. Reads a document into verbatim text and OCaml code blocks,
// evaluates the blocks through an Evaluator (the OCaml toplevel in the real
// program, a replay of recorded outputs in tests), lays the outputs out as
// mdx does and produces the corrected document and a unified diff.
//
// Pure C++: the OCaml side lives behind Evaluator (see doc_stubs.cpp).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/error.hpp"

namespace ocamljit::doc {

// ---------------------------------------------------------------------------
// Labels (mdx's `<!-- $MDX ... -->` and odoc's `{@ocaml LABELS[`)

struct VersionConstraint {
  std::string op;       // "=", "<>", "<", "<=", ">", ">="
  std::string version;  // dotted numbers, e.g. "4.08"
};

enum class NonDeterministic { no, output, command };

struct Labels {
  bool skip = false;
  NonDeterministic non_deterministic = NonDeterministic::no;
  std::string env;  // "" is the default environment
  std::vector<std::pair<std::string, std::string>> set_vars;
  std::vector<std::string> unset_vars;
  std::vector<VersionConstraint> versions;
};

// Labels separated by commas and/or blanks. Errors name the faulty label.
Result<Labels> parse_labels(std::string_view text);

// Whether `version` (e.g. "4.13.1") satisfies every constraint; a constraint
// compares only as many components as it gives ("4.13" = "4.13.1").
bool version_satisfies(std::string_view version, const std::vector<VersionConstraint>& constraints);

// ---------------------------------------------------------------------------
// Documents

enum class Syntax { markdown, odoc, mld };  // odoc: doc comments of .mli/.ml; mld: a whole .mld file

// Chooses the syntax by file name: .mli/.ml/.mld are odoc, anything else Markdown.
Syntax syntax_of_path(std::string_view path);

struct Block {
  std::size_t line = 0;  // 1-based line of the opening fence or `{[`
  Labels labels;
  std::string header;              // verbatim, up to the first body line
  std::vector<std::string> body;   // the lines in between, without '\n'
  bool last_line_open = false;     // the footer follows the last body line on the same line
  std::string footer;              // verbatim closing text
  std::string original;            // header + body + footer as in the file
};

// A document is text and blocks; concatenating every part's text (a block's
// `original`) gives the file back byte for byte.
struct Part {
  std::string text;              // verbatim text when !block
  std::optional<Block> block;    // an OCaml code block
};

struct Document {
  std::vector<Part> parts;
};

// Errors are "LINE: message" (the caller prefixes the file name).
Result<Document> parse_document(std::string_view text, Syntax syntax);

std::string render_block(const Block& block);

// ---------------------------------------------------------------------------
// Toplevel blocks: `# phrase` lines, indented continuation lines, outputs.

struct Phrase {
  std::size_t vpad = 0;                // blank lines before the `#` line
  std::vector<std::string> command;    // first line without "# ", then continuation lines without their two spaces
  std::vector<std::string> output;     // recorded output lines (blank lines as "")
  std::size_t line = 0;                // index of the `#` line within the block body
};

struct ToplevelBlock {
  std::size_t hpad = 0;                // indentation of the block
  std::vector<Phrase> phrases;
  std::vector<std::string> trailing;   // blank body lines after the last output, verbatim
  bool crlf = false;                  // lines end with "\r\n" (the "\r" is not part of any line above)
};

// Whether a block's body is a toplevel block (its first non-blank line,
// unindented, starts with `#`).
bool is_toplevel(const std::vector<std::string>& body);

ToplevelBlock parse_toplevel(const std::vector<std::string>& body);

// The text given to the toplevel for a phrase (";;" added when missing).
std::string phrase_text(const Phrase& phrase);

// The body lines of a toplevel block, laid out as mdx does.
std::vector<std::string> layout_toplevel(const ToplevelBlock& block);

// Splits the toplevel's output into lines as they are recorded: no final
// newline, no trailing blank lines.
std::vector<std::string> output_lines(std::string_view output);

// Whether recorded output matches actual output; a recorded line "..."
// matches any number of lines.
bool output_matches(const std::vector<std::string>& recorded, const std::vector<std::string>& actual);

// The lines without the source excerpts that follow "Line N, characters A-B:"
// in errors and warnings: the form mdx records, accepted as matching too.
std::vector<std::string> without_excerpts(const std::vector<std::string>& lines);

// The actual output to record in place of `recorded`, keeping recorded "..."
// lines where they still stand for lines of the actual output.
std::vector<std::string> merge_ellipses(const std::vector<std::string>& recorded, const std::vector<std::string>& actual);

// ---------------------------------------------------------------------------
// Unified diff (3 lines of context, GNU diff -u hunks).

std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         std::string_view old_name, std::string_view new_name);

// ---------------------------------------------------------------------------
// Evaluation

struct EvalResult {
  bool ok = true;       // false: an error or an uncaught exception
  std::string output;   // what the toplevel printed: program output first, then its answer
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Loads a .cmxs before evaluation; the error carries the toplevel's message.
  virtual Status load(const std::string& path) = 0;
  // Evaluates `text` (one or more phrases) in environment `env`.
  // `item` numbers the evaluations of a document in order (-1: prelude).
  virtual EvalResult eval(const std::string& env, bool print, const std::string& text, int item) = 0;
  // Forgets every environment (between documents).
  virtual void reset() = 0;
};

// Recorded outputs, e.g. of the bytecode toplevel running the script made
// by phrases_script: the text after the marker of item N up to the next marker.
class ReplayEvaluator : public Evaluator {
 public:
  explicit ReplayEvaluator(std::string_view recording);
  Status load(const std::string&) override { return ok_status(); }
  EvalResult eval(const std::string& env, bool print, const std::string& text, int item) override;
  void reset() override {}

 private:
  std::map<int, std::string> outputs_;
};

// The marker printed before evaluation item N in a phrases script.
std::string item_marker(int item);

// ---------------------------------------------------------------------------
// Checking a document

struct CheckResult {
  std::string corrected;               // the document with every output filled in
  std::vector<std::string> failures;   // "LINE: message" for plain blocks that failed
};

struct CheckOptions {
  std::string version;         // the toplevel's version, for version labels
  std::string prelude;         // evaluated silently in each environment first
  std::string prelude_name;    // for messages
  bool non_deterministic = false;  // check non-deterministic blocks like the others (mdx's --non-deterministic)
};

Result<CheckResult> check_document(const Document& doc, Evaluator& evaluator, const CheckOptions& options);

// An OCaml script for the bytecode toplevel: the phrases of environment
// `env` (with the prelude first), each preceded by a phrase printing its marker.
std::string phrases_script(const Document& doc, const CheckOptions& options, const std::string& env);

// The environments a document uses, in order of first use.
std::vector<std::string> document_envs(const Document& doc, const CheckOptions& options);

// ---------------------------------------------------------------------------
// Files

Result<std::string> read_file(const std::string& path);
// Writes via a temporary file in the same directory and rename(2): readers
// see the old file or the new one, never a part. Keeps `mode_from`'s mode
// when given.
Status write_file_atomic(const std::string& path, std::string_view contents,
                         const std::string& mode_from = "");

// Redirects file descriptors 1 and 2 into an in-memory file while alive.
class OutputCapture {
 public:
  static Result<std::unique_ptr<OutputCapture>> create();
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;
  Status begin();
  Result<std::string> end();  // restores the descriptors, returns what was written

 private:
  explicit OutputCapture(int fd) : fd_(fd) {}
  int fd_;
  int saved_out_ = -1;
  int saved_err_ = -1;
};

// ---------------------------------------------------------------------------
// The command line. `make_evaluator` is called once, after the options are
// read, with the include directories. Returns the exit status.

struct EvaluatorFactory {
  virtual ~EvaluatorFactory() = default;
  virtual Result<std::unique_ptr<Evaluator>> make(const std::vector<std::string>& include_dirs) = 0;
};

int run_cli(const std::vector<std::string>& args, const std::string& version, EvaluatorFactory& factory);

}  // namespace ocamljit::doc
