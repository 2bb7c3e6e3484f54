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
  EXPECT_EQ(t.phrases[1].output, (Lines{"Error: bad", "         indented output", "", "middle"}));
  EXPECT_EQ(t.trailing, (Lines{"", ""}));
  EXPECT_EQ(phrase_text(t.phrases[1]), "f\n\n  1;;");
  EXPECT_EQ(layout_toplevel(t), body);
}

TEST(DocToplevel, MissingSemicolonsAreAddedForEvaluation) {
  ToplevelBlock t = parse_toplevel({"# 1 + 1", "- : int = 2"});
  ASSERT_EQ(t.phrases.size(), 1u);
  EXPECT_EQ(phrase_text(t.phrases[0]), "1 + 1;;");
  EXPECT_FALSE(is_toplevel({"let x = 1", "# not first"}));
}

TEST(DocToplevel, OutputLinesAndMatching) {
  EXPECT_EQ(output_lines("a\n\nb\n\n\n"), (Lines{"a", "", "b"}));
  EXPECT_EQ(output_lines("no newline"), (Lines{"no newline"}));
  EXPECT_EQ(output_lines("x\n   \ny\n"), (Lines{"x", "", "y"}));
  EXPECT_TRUE(output_lines("").empty());
  EXPECT_TRUE(output_matches({"a", "...", "d"}, {"a", "b", "c", "d"}));
  EXPECT_TRUE(output_matches({"a", "...", "d"}, {"a", "d"}));
  EXPECT_FALSE(output_matches({"a", "...", "d"}, {"a", "b"}));
  EXPECT_TRUE(output_matches({"..."}, {}));
  EXPECT_FALSE(output_matches({"a"}, {"b"}));
}

namespace {

// Outputs by evaluation number; records what it was asked.
class FakeEvaluator : public Evaluator {
 public:
  std::vector<std::string> outputs;
  std::vector<std::pair<std::string, std::string>> calls;  // env, text
  Status load(const std::string&) override { return ok_status(); }
  EvalResult eval(const std::string& env, bool print, const std::string& text, int item) override {
    calls.emplace_back(env, text);
    if (!print) return {text.find("fail") == std::string::npos, "failed\n"};
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
  ev.outputs = {"- : int = 2\n", "a\n\nb- : unit = ()\n", "other\n"};
  CheckOptions o;
  o.version = "4.13.1";
  auto r = check_document(*d, ev, o);
  ASSERT_TRUE(r.ok());
  std::string expected =
      "Prose\n\n   ```ocaml\n   # 1 + 1;;\n   - : int = 2\n   # print_string \"a\\n\\nb\";;\n   a\n\n   b- : unit = ()\n   ```\n"
      "<!-- $MDX skip -->\n```ocaml\n# skipped;;\n```\n"
      "<!-- $MDX env=e,non-deterministic -->\n```ocaml\n# random;;\nkept\n```\n"
      "<!-- $MDX version>=99 -->\n```ocaml\n# future;;\n```\n"
      "```ocaml\nlet fail = 1\n```\n";
  EXPECT_EQ(r->corrected, expected);
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].substr(0, 4), "21: ");
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
  o.prelude = "let p = 1";
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
  EXPECT_EQ(r.eval("", true, "", 0).output, "- : int = 2\n");
  EXPECT_EQ(r.eval("", true, "", 1).output, "x");
  EXPECT_EQ(r.eval("", true, "", 2).output, "");
}

TEST(DocToplevel, ExcerptsAreOptionalInRecordedErrors) {
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
  kept.outputs = {"new\n", "new\n"};
  EXPECT_EQ(check_document(*d, kept, o)->corrected, text);
  EXPECT_EQ(kept.calls.size(), 1u);
  o.non_deterministic = true;
  FakeEvaluator checked;
  checked.outputs = {"new\n", "new\n"};
  std::string expected = text;
  for (auto pos = expected.find("old"); pos != std::string::npos; pos = expected.find("old")) expected.replace(pos, 3, "new");
  EXPECT_EQ(check_document(*d, checked, o)->corrected, expected);
}

TEST(DocToplevel, EllipsesKeptWhenOutputsChange) {
  // The changed line is outside the elided part: the ellipsis stays.
  Lines merged = merge_ellipses({"a", "...", "z", "old"}, {"a", "b", "c", "z", "new"});
  EXPECT_EQ(merged, (Lines{"a", "...", "z", "new"}));
  EXPECT_TRUE(output_matches(merged, {"a", "b", "c", "z", "new"}));
  EXPECT_EQ(merge_ellipses({"x", "..."}, {"y", "1", "2"}), (Lines{"y", "..."}));
  EXPECT_EQ(merge_ellipses({"old"}, {"new", "more"}), (Lines{"new", "more"}));
  // Out of sync before the ellipsis: everything is written out.
  EXPECT_EQ(merge_ellipses({"q", "...", "z"}, {"a", "b", "z", "w"}), (Lines{"a", "b", "z", "w"}));
}
