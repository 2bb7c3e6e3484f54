// Toplevel blocks: phrases, continuation lines, outputs, mdx layout, and a
// whole document checked with recorded outputs.
#include <gtest/gtest.h>

#include "doc/doc.hpp"

using namespace ocamljit;
using namespace ocamljit::doc;

using Lines = std::vector<std::string>;

TEST(DocToplevel, PhrasesContinuationsOutputs) {
  Lines body = {"",
                "  # let f x =",
                "      x + 1;;",
                "  val f : int -> int = <fun>",
                "",
                "  # f",
                "",
                "      1;;",
                "  Error: bad",
                "           indented output",
                "",
                "  middle",
                "",
                ""};
  ASSERT_TRUE(is_toplevel(body));
  ToplevelBlock t = parse_toplevel(body);
  EXPECT_EQ(t.hpad, 2u);
  ASSERT_EQ(t.phrases.size(), 2u);
  EXPECT_EQ(t.phrases[0].vpad, 1u);
  EXPECT_EQ(t.phrases[0].command, (Lines{"let f x =", "  x + 1;;"}));
  EXPECT_EQ(t.phrases[0].output, (Lines{"val f : int -> int = <fun>"}));
  EXPECT_EQ(t.phrases[1].vpad, 1u);
  EXPECT_EQ(t.phrases[1].command, (Lines{"f", "", "  1;;"}));
  // Blank lines after the last output are part of it, as mdx reads them.
  EXPECT_EQ(t.phrases[1].output, (Lines{"Error: bad", "         indented output", "", "middle", "", ""}));
  // mdx gives continuation lines with their two spaces.
  EXPECT_EQ(phrase_text(t.phrases[1]), "f\n  \n    1;;");
  EXPECT_EQ(layout_toplevel(t), body);
}

TEST(DocToplevel, MissingSemicolonsAreAddedForEvaluation) {
  ToplevelBlock t = parse_toplevel({"# 1 + 1", "- : int = 2"});
  ASSERT_EQ(t.phrases.size(), 1u);
  EXPECT_EQ(phrase_text(t.phrases[0]), "1 + 1\n;;");
  EXPECT_FALSE(is_toplevel({"let x = 1", "# not first"}));
}

TEST(DocToplevel, MdxOutputPiecesAndMatching) {
  // Program output before the answer is a piece of its own; one leading and
  // one trailing newline of each piece go; empty pieces at the ends go.
  EXPECT_EQ(mdx_output("1\x02- : unit = ()\n\x03"), (Lines{"1", "- : unit = ()"}));
  EXPECT_EQ(mdx_output("\n\x02- : unit = ()\n\x03"), (Lines{"- : unit = ()"}));
  EXPECT_EQ(mdx_output("a\n\nb  \n\x02- : unit = ()\n\x03"), (Lines{"a", "", "b", "- : unit = ()"}));
  EXPECT_TRUE(mdx_output("").empty());
  // Errors: no excerpt, columns one to the right.
  EXPECT_EQ(mdx_output("Line 2, characters 6-10:\n2 |   1 + \"42\";;\n          ^^^^\nError: This expression\n"),
            (Lines{"Line 2, characters 7-11:", "Error: This expression"}));
  EXPECT_EQ(mdx_output("Exception: Assert_failure (\"//toplevel//\", 1, 0).\n"),
            (Lines{"Exception: Assert_failure (\"//toplevel//\", 1, 1)."}));
  EXPECT_TRUE(output_matches({"a", "...", "d"}, {"a", "b", "c", "d"}));
  EXPECT_TRUE(output_matches({"a", "...", "d"}, {"a", "d"}));
  EXPECT_FALSE(output_matches({"a", "...", "d"}, {"a", "b"}));
  EXPECT_TRUE(output_matches({"..."}, {}));
  EXPECT_FALSE(output_matches({"a"}, {"b"}));
  // "prefix..." matches a line starting with the prefix.
  EXPECT_TRUE(output_matches({"val x : int = ..."}, {"val x : int = 42"}));
  EXPECT_FALSE(output_matches({"val y..."}, {"val x : int = 42"}));
}

namespace {

// Outputs by evaluation number; records what it was asked.
class FakeEvaluator : public Evaluator {
 public:
  std::vector<std::string> outputs;
  std::vector<std::pair<std::string, std::string>> calls;  // env, text
  Status load(const std::string&) override { return ok_status(); }
  EvalResult eval(const std::string& env, EvalMode mode, const std::string& text, int item) override {
    calls.emplace_back(env, text);
    if (mode == EvalMode::file || text.find("fail") != std::string::npos) return {text.find("fail") == std::string::npos, "failed\n"};
    return {true, item >= 0 && static_cast<std::size_t>(item) < outputs.size() ? outputs[item] : ""};
  }
  void reset() override {}
};

}  // namespace

TEST(DocCheck, FillsOutputsKeepsEverythingElse) {
  std::string text =
      "Prose\n\n   ```ocaml\n   # 1 + 1;;\n   - : int = 3\n   # print_string \"a\\n\\nb\";;\n   ```\n"
      "<!-- $MDX skip -->\n```ocaml\n# skipped;;\n```\n"
      "<!-- $MDX env=e,non-deterministic -->\n```ocaml\n# random;;\nkept\n```\n"
      "<!-- $MDX version>=99 -->\n```ocaml\n# future;;\n```\n"
      "```ocaml\nlet fail = 1\n```\n";
  auto d = parse_document(text, Syntax::markdown);
  ASSERT_TRUE(d.ok());
  FakeEvaluator ev;
  ev.outputs = {"\x02- : int = 2\n\x03", "a\n\nb\x02- : unit = ()\n\x03", "other\n"};
  CheckOptions o;
  o.version = "4.13.1";
  auto r = check_document(*d, ev, o);
  ASSERT_TRUE(r.ok());
  std::string expected =
      "Prose\n\n   ```ocaml\n   # 1 + 1;;\n   - : int = 2\n   # print_string \"a\\n\\nb\";;\n   a\n\n   b\n   - : unit = ()\n   ```\n"
      "<!-- $MDX skip -->\n```ocaml\n# skipped;;\n```\n"
      "<!-- $MDX env=e,non-deterministic -->\n```ocaml\n# random;;\nkept\n```\n"
      "<!-- $MDX version>=99 -->\n```ocaml\n# future;;\n```\n"
      "```ocaml\nlet fail = 1\n```\n```mdx-error\nfailed\n```\n";
  EXPECT_EQ(r->corrected, expected);
  EXPECT_TRUE(r->failures.empty());
  ASSERT_EQ(r->recorded_failures.size(), 1u);
  EXPECT_EQ(r->recorded_failures[0].substr(0, 4), "21: ");
  ASSERT_EQ(ev.calls.size(), 4u);
  EXPECT_EQ(ev.calls[2].first, "e");

  // The corrected document is stable.
  auto d2 = parse_document(r->corrected, Syntax::markdown);
  ASSERT_TRUE(d2.ok());
  FakeEvaluator ev2;
  ev2.outputs = ev.outputs;
  auto r2 = check_document(*d2, ev2, o);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->corrected, r->corrected);
}

TEST(DocCheck, PreludeOncePerEnvironment) {
  auto d = parse_document("```ocaml\n# a;;\n```\n<!-- $MDX env=x -->\n```ocaml\n# b;;\n```\n```ocaml\n# c;;\n```\n",
                          Syntax::markdown);
  ASSERT_TRUE(d.ok());
  FakeEvaluator ev;
  CheckOptions o;
  o.version = "4.13.1";
  o.preludes.push_back({std::nullopt, "let p = 1", "p.ml"});
  ASSERT_TRUE(check_document(*d, ev, o).ok());
  int preludes = 0;
  for (const auto& c : ev.calls) preludes += c.second == "let p = 1";
  EXPECT_EQ(preludes, 2);
  EXPECT_EQ(document_envs(*d, o), (Lines{"", "x"}));
}

TEST(DocCheck, ReplayReadsMarkers) {
  std::string rec = "banner\n" + item_marker(0) + "- : int = 2\n" + item_marker(1) + "x" +
                    "@@ocamljit-doc end@@\n";
  ReplayEvaluator r(rec);
  EXPECT_EQ(r.eval("", EvalMode::phrases, "", 0).output, "- : int = 2\n");
  EXPECT_EQ(r.eval("", EvalMode::phrases, "", 1).output, "x");
  EXPECT_EQ(r.eval("", EvalMode::phrases, "", 2).output, "");
}

TEST(DocToplevel, ExcerptsAreRemoved) {
  Lines actual = {"Line 2, characters 6-9:", "2 |   y + \"a\";;", "          ^^^",
                  "Error: This expression has type string but an expression was expected of type", "         int"};
  Lines mdx = {"Line 2, characters 6-9:", "Error: This expression has type string but an expression was expected of type",
               "         int"};
  EXPECT_EQ(without_excerpts(actual), mdx);
  Lines plain = {"- : int = 1", "2 | x"};
  EXPECT_EQ(without_excerpts(plain), plain);
}

TEST(DocToplevel, CrlfDocuments) {
  Lines body = {"# 1 + 1;;\r", "- : int = 2\r", "\r", "# let f x =\r", "    x;;\r", "val f : 'a -> 'a = <fun>\r"};
  ToplevelBlock t = parse_toplevel(body);
  EXPECT_TRUE(t.crlf);
  ASSERT_EQ(t.phrases.size(), 2u);
  EXPECT_EQ(t.phrases[0].output, (Lines{"- : int = 2"}));
  EXPECT_EQ(t.phrases[1].command, (Lines{"let f x =", "  x;;"}));
  EXPECT_EQ(layout_toplevel(t), body);
}

TEST(DocCheck, NonDeterministicFlagChecksThoseBlocksToo) {
  std::string text = "<!-- $MDX non-deterministic -->\n```ocaml\n# a;;\nold\n```\n"
                     "<!-- $MDX non-deterministic=command -->\n```ocaml\n# b;;\nold\n```\n";
  auto d = parse_document(text, Syntax::markdown);
  ASSERT_TRUE(d.ok());
  CheckOptions o;
  o.version = "4.13.1";
  FakeEvaluator kept;
  kept.outputs = {"\x02new\n\x03", "\x02new\n\x03"};
  EXPECT_EQ(check_document(*d, kept, o)->corrected, text);
  EXPECT_EQ(kept.calls.size(), 1u);
  o.non_deterministic = true;
  FakeEvaluator checked;
  checked.outputs = {"\x02new\n\x03", "\x02new\n\x03"};
  std::string expected = text;
  for (auto pos = expected.find("old"); pos != std::string::npos; pos = expected.find("old")) expected.replace(pos, 3, "new");
  EXPECT_EQ(check_document(*d, checked, o)->corrected, expected);
}

TEST(DocToplevel, EllipsesMergedAsMdx) {
  // The changed line is outside the elided part: the ellipsis stays.
  Lines merged = merge_ellipses({"a", "...", "z", "old"}, {"a", "b", "c", "z", "new"});
  EXPECT_EQ(merged, (Lines{"a", "...", "z", "new"}));
  EXPECT_TRUE(output_matches(merged, {"a", "b", "c", "z", "new"}));
  // A final ellipsis stays after every actual line.
  EXPECT_EQ(merge_ellipses({"x", "..."}, {"y", "1", "2"}), (Lines{"y", "1", "2", "..."}));
  EXPECT_EQ(merge_ellipses({"old"}, {"new", "more"}), (Lines{"new", "more"}));
  // Out of sync before the ellipsis: everything is written out.
  EXPECT_EQ(merge_ellipses({"q", "...", "z"}, {"a", "b", "z", "w"}), (Lines{"a", "b", "z", "w"}));
}

TEST(DocCram, ParseLayoutCommandLine) {
  Lines body = {"  $ echo a \\", "  > b", "  a b", "  $ false", "  [1]", "  $ cat <<EOF", "  > x", "  > EOF", "  x"};
  auto c = parse_cram(body);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->hpad, 2u);
  ASSERT_EQ(c->tests.size(), 3u);
  EXPECT_EQ(cram_command_line(c->tests[0]), "echo a  b");
  EXPECT_EQ(c->tests[0].output, (Lines{"a b"}));
  EXPECT_EQ(c->tests[1].exit_code, 1);
  EXPECT_EQ(cram_command_line(c->tests[2]), "cat <<EOF\nx\nEOF");
  EXPECT_EQ(layout_cram(*c), body);
  EXPECT_FALSE(parse_cram({"output first"}).ok());
}

TEST(DocCram, RunsThroughTheShell) {
  auto r = run_shell("echo out; echo err >&2; exit 3", "", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->output, "out\nerr\n");
}

TEST(DocSentences, CodeBlocksAsMdxCutsThem) {
  EXPECT_EQ(code_sentences({"let x = 1;;", "let y =", "2"}), (Lines{"let x = 1;;", "  let y =\n  2\n;;"}));
  EXPECT_EQ(code_sentences({"", "  "}), Lines{});
}
