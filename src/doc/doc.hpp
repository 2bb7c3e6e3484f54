// ocamljit-doc (installed as ocaml-mdx too): verified snippets in Markdown
// and in OCaml doc comments. Reads a document into verbatim text and blocks
// (OCaml, shell, include), evaluates OCaml blocks through an Evaluator (the
// OCaml toplevel in the real program, a replay of recorded outputs in tests),
// runs shell blocks through sh, syncs include blocks from their files, lays
// everything out as mdx does and produces the corrected document and a
// unified diff.
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

// mdx's block-kind labels: `ocaml`, `toplevel`, `cram`, `include`.
enum class KindLabel { none, ocaml, toplevel, cram, include };

struct Labels {
  bool skip = false;
  KindLabel kind = KindLabel::none;
  std::optional<std::string> dir;          // dir=DIR: the block runs in DIR (relative to the document)
  std::optional<std::string> source_tree;  // source-tree=DIR: a dependency (ocaml-mdx deps)
  std::optional<std::string> file;         // file=FILE: the block's contents come from FILE
  std::optional<std::string> part;         // part=NAME: ... from that part of FILE
  std::vector<std::pair<std::string, std::string>> os_types;  // os_type=V, os_type<>V
  NonDeterministic non_deterministic = NonDeterministic::no;
  std::string env;  // "" is the default environment
  std::vector<std::pair<std::string, std::string>> set_vars;
  std::vector<std::string> unset_vars;
  std::vector<VersionConstraint> versions;
};

// Labels separated by commas and/or blanks. Errors name the faulty label.
// Errors are mdx's messages ("`toto` is not a valid label.").
Result<Labels> parse_labels(std::string_view text);
// Adds the labels of `more` (e.g. after the language in the info string).
void merge_labels(Labels& into, const Labels& more);

// Whether `version` (e.g. "4.13.1") satisfies every constraint; a constraint
// compares only as many components as it gives ("4.13" = "4.13.1").
bool version_satisfies(std::string_view version, const std::vector<VersionConstraint>& constraints);

// ---------------------------------------------------------------------------
// Documents

// odoc: doc comments of .mli/.ml; mld: a whole .mld file; cram: a .t file
// (shell commands indented by two spaces, no fences).
enum class Syntax { markdown, odoc, mld, cram };

// Chooses the syntax by file name: .mli/.ml/.mld are odoc, .t cram,
// anything else Markdown.
Syntax syntax_of_path(std::string_view path);

// What a block is, as mdx decides it: from its labels, its language and, for
// OCaml, its first line (`#`: a toplevel block, else code).
enum class BlockKind { ocaml, cram, include, raw };

struct Block {
  std::size_t line = 0;  // 1-based line of the opening fence or `{[`
  std::size_t first_line = 0;  // the line of its label comment, else `line` (mdx's block location)
  Labels labels;
  BlockKind kind = BlockKind::ocaml;
  std::string language;            // the info string's first word ("ocaml", "sh", ...)
  std::string section;             // title of the last Markdown heading before the block
  bool closed = true;              // false: a Markdown block running to the end of the file
  // The `mdx-error` block right after an OCaml block: its lines and its text.
  std::vector<std::string> errors;
  std::string errors_original;
  std::string header;              // verbatim, up to the first body line
  std::vector<std::string> body;   // the lines in between, without '\n'
  bool last_line_open = false;     // the footer follows the last body line on the same line
  std::string footer;              // verbatim closing text
  std::string original;            // header + body + footer as in the file (without the mdx-error block)
};

// A document is text and blocks; concatenating every part's text (a block's
// `original` and `errors_original`) gives the file back byte for byte.
struct Part {
  std::string text;              // verbatim text when !block
  std::optional<Block> block;    // an OCaml, shell or include block (or an unclosed one)
};

struct Document {
  std::vector<Part> parts;
};

// Errors are "LINE: message" (the caller prefixes the file name).
Result<Document> parse_document(std::string_view text, Syntax syntax);

// mdx's errors for a block's labels that do not fit its kind
// ("`part` label requires a `file` label."); ok for a good block.
Status check_block_labels(const Block& block);

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
  std::vector<Phrase> phrases;         // blank lines after the last output are part of it, as in mdx
  bool crlf = false;                  // lines end with "\r\n" (the "\r" is not part of any line above)
};

// Whether a block's body is a toplevel block (its first non-blank line,
// unindented, starts with `#`).
bool is_toplevel(const std::vector<std::string>& body);

ToplevelBlock parse_toplevel(const std::vector<std::string>& body);

// The text given to the toplevel for a phrase, as mdx gives it: continuation
// lines keep their two spaces, ";;" is added on a line of its own when missing.
std::string phrase_text(const Phrase& phrase);

// The sentences mdx evaluates for the lines of a plain OCaml block: the first
// line as is, the others indented by two spaces, cut after each line ending
// with ";;" (";;" added on a line of its own when missing).
std::vector<std::string> code_sentences(const std::vector<std::string>& lines);

// The body lines of a toplevel block, laid out as mdx does.
std::vector<std::string> layout_toplevel(const ToplevelBlock& block);

// Marker bytes framing the toplevel's answer in evaluation output (see
// doc_eval.ml): mdx records the program's output before the answer and the
// answer as separate pieces.
inline constexpr char answer_begin = '\x02';
inline constexpr char answer_end = '\x03';

// What mdx records for one evaluation's output: pieces split at the answer
// markers, each without one leading and one trailing newline, empty pieces at
// both ends dropped, then lines without trailing blanks; errors and warnings
// without the source excerpt and with columns as mdx counts them (one more
// than the toplevel, mdx's phrase positions start at column 1).
std::vector<std::string> mdx_output(std::string_view raw);

// Whether recorded output matches actual output as mdx's Output.equal: a
// line "..." matches any number of lines, a line ending with "..." matches a
// line starting with what comes before.
bool output_matches(const std::vector<std::string>& recorded, const std::vector<std::string>& actual);

// The lines without the source excerpts that follow "Line N, characters A-B:"
// in errors and warnings.
std::vector<std::string> without_excerpts(const std::vector<std::string>& lines);

// The actual output to record in place of `recorded`, keeping recorded "..."
// lines where they still stand for lines of the actual output (mdx's
// Output.merge, for shell and mdx-error blocks).
std::vector<std::string> merge_ellipses(const std::vector<std::string>& recorded, const std::vector<std::string>& actual);

// Removes ANSI colour escapes (ESC ... m), as mdx does on outputs.
std::string strip_ansi(std::string_view line);
// Splits on every newline: n newlines give n + 1 parts (the last may be empty).
std::vector<std::string> split_exact(std::string_view s);

// ---------------------------------------------------------------------------
// Shell (cram) blocks: `$ command`, `> ` continuation lines, output, `[N]`.

struct CramTest {
  std::vector<std::string> command;  // the lines as written, without the pad ("$ ...", "> ...")
  std::vector<std::string> output;   // recorded output lines
  int exit_code = 0;
};

struct CramBlock {
  std::size_t hpad = 0;
  std::vector<CramTest> tests;
};

// Errors are mdx's messages.
Result<CramBlock> parse_cram(const std::vector<std::string>& body);
// The command given to `sh -c`: lines joined by spaces after dropping the
// final backslashes, or by newlines for a here-document (`<<`).
std::string cram_command_line(const CramTest& test);
std::vector<std::string> layout_cram(const CramBlock& block);

struct CommandResult {
  int exit_code = 0;
  std::string output;  // stdout and stderr, interleaved
};
// Runs `sh -c command` in `dir` ("" : the current directory) with the
// variables `unset` removed from its environment.
Result<CommandResult> run_shell(const std::string& command, const std::string& dir,
                                const std::vector<std::string>& unset);

// ---------------------------------------------------------------------------
// Parts of OCaml files (`file=`/`part=`): `(* $MDX part-begin=NAME *)` ...
// `(* $MDX part-end *)` and `[@@@part "NAME"]` separators.

// The text of part `part` (whole file when nullopt) of `path`, as mdx
// includes it: trailing white space and leading newlines removed. Errors are
// mdx's messages.
Result<std::string> read_part(const std::string& path, const std::optional<std::string>& part);

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

// file: `text` is read as #use reads a file, silently; phrases: toplevel
// input, answers framed by answer_begin/answer_end; quiet_phrases: toplevel
// input, no answers (mdx's --silent-eval).
enum class EvalMode { file, phrases, quiet_phrases };

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Loads a .cmxs before evaluation; the error carries the toplevel's message.
  virtual Status load(const std::string& path) = 0;
  // Evaluates `text` (one or more phrases) in environment `env`.
  // `item` numbers the evaluations of a document in order (-1: prelude).
  virtual EvalResult eval(const std::string& env, EvalMode mode, const std::string& text, int item) = 0;
  // Forgets every environment (between documents).
  virtual void reset() = 0;
  // Ends a run of evaluations: the standard outputs are the process's again.
  virtual void release_outputs() {}
};

// Recorded outputs, e.g. of the bytecode toplevel running the script made
// by phrases_script: the text after the marker of item N up to the next marker.
class ReplayEvaluator : public Evaluator {
 public:
  explicit ReplayEvaluator(std::string_view recording);
  Status load(const std::string&) override { return ok_status(); }
  EvalResult eval(const std::string& env, EvalMode mode, const std::string& text, int item) override;
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
  std::vector<std::string> failures;   // "LINE: message": preludes, plain blocks of doc comments that failed
  // "LINE: message" for Markdown plain blocks whose new errors went into an
  // mdx-error block (failures of the original command line, not of `test`).
  std::vector<std::string> recorded_failures;
  // With prelude_failure_stops, mdx's message for a prelude that failed
  // ("Got an error while evaluating: ..."); the document is not checked.
  std::string stopped;
};

struct Prelude {
  std::optional<std::string> env;  // nullopt: every environment
  std::string text;
  std::string name;                // for messages
};

struct CheckOptions {
  std::string version;         // the toplevel's version, for version labels
  std::vector<Prelude> preludes;   // evaluated silently first, in their environments
  bool non_deterministic = false;  // check non-deterministic blocks like the others (mdx's --non-deterministic)
  std::string document_path;   // for dir=, file= (relative to its directory)
  std::optional<std::string> root;     // mdx's --root: blocks run there
  std::optional<std::string> section;  // mdx's --section: only blocks under a matching heading
  bool silent = false;         // mdx's --silent: no toplevel output recorded
  bool silent_eval = false;    // mdx's --silent-eval: no answers recorded
  bool verbose_findlib = false;  // record the output of #require
  std::optional<Syntax> syntax;  // mdx's --syntax; else from document_path
  bool prelude_failure_stops = false;  // as ocaml-mdx test: a failing prelude stops everything
};

Result<CheckResult> check_document(const Document& doc, Evaluator& evaluator, const CheckOptions& options);

// An OCaml script for a bytecode toplevel made by ocamlmktop (its compiler-libs
// are reachable, `ocaml`'s are not): a phrase framing answers as
// doc_eval.ml does, then the phrases of environment `env` (preludes first),
// each preceded by a phrase printing its marker.
std::string phrases_script(const Document& doc, const CheckOptions& options, const std::string& env);

// The environments a document uses, in order of first use.
std::vector<std::string> document_envs(const Document& doc, const CheckOptions& options);

// What `ocaml-mdx deps` prints: a canonical S-expression listing the
// `(dir D)` and `(file F)` a document's blocks depend on.
std::string document_deps(const Document& doc);

// ---------------------------------------------------------------------------
// Files

Result<std::string> read_file(const std::string& path);
// Writes via a temporary file in the same directory and rename(2): readers
// see the old file or the new one, never a part. Keeps `mode_from`'s mode
// when given.
Status write_file_atomic(const std::string& path, std::string_view contents,
                         const std::string& mode_from = "");

// Captures what is written on file descriptors 1 and 2 (by the process and
// the programs it starts) into an in-memory file. The descriptors stay
// redirected from one begin()/end() to the next until release(): a phrase
// then costs three system calls instead of a dozen.
class OutputCapture {
 public:
  static Result<std::unique_ptr<OutputCapture>> create();
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;
  Status begin();
  Result<std::string> end();  // what was written since begin()
  void release();             // puts descriptors 1 and 2 back

 private:
  explicit OutputCapture(int fd) : fd_(fd) {}
  int fd_;
  int saved_out_ = -1;
  int saved_err_ = -1;
  off_t mark_ = 0;  // where the output of the current capture starts
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
