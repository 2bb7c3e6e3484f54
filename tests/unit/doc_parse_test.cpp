// Reading documents: blocks, labels, verbatim text, errors with lines.
#include <gtest/gtest.h>

#include "doc/doc.hpp"

using namespace ocamljit;
using namespace ocamljit::doc;

namespace {

std::string reassemble(const Document& d) {
  std::string s;
  for (const auto& p : d.parts) s += p.block ? p.block->original + p.block->errors_original : p.text;
  return s;
}

std::vector<const Block*> blocks(const Document& d) {
  std::vector<const Block*> v;
  for (const auto& p : d.parts)
    if (p.block) v.push_back(&*p.block);
  return v;
}

}  // namespace

TEST(DocParse, MarkdownBlocksAndProseRoundTrip) {
  std::string text =
      "# Title\n\nProse.\n\n```ocaml\n# 1 + 1;;\n- : int = 2\n```\n\n```sh\n$ ls\n```\n"
      "~~~~ocaml\nlet x = 1\n~~~~\ntrailing, no newline";
  auto d = parse_document(text, Syntax::markdown);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(reassemble(*d), text);
  auto b = blocks(*d);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0]->line, 5u);
  EXPECT_EQ(b[0]->header, "```ocaml\n");
  EXPECT_EQ(b[0]->body, (std::vector<std::string>{"# 1 + 1;;", "- : int = 2"}));
  EXPECT_EQ(b[0]->footer, "```\n");
  EXPECT_EQ(b[0]->section, "Title");
  EXPECT_EQ(b[1]->kind, BlockKind::cram);
  EXPECT_EQ(b[2]->line, 13u);
  EXPECT_EQ(b[2]->kind, BlockKind::ocaml);
  EXPECT_EQ(b[2]->body, (std::vector<std::string>{"let x = 1"}));
  EXPECT_EQ(render_block(*b[0]), b[0]->original);
}

TEST(DocParse, MdxLabels) {
  std::string text = "<!-- $MDX env=e1,non-deterministic=command -->\n```ocaml\n# 1;;\n```\n"
                     "<!-- $MDX skip -->\n```sh\nx\n```\n"
                     "```ocaml version>=4.08 set-A=b unset-C\n# 2;;\n```\n";
  auto d = parse_document(text, Syntax::markdown);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(reassemble(*d), text);
  auto b = blocks(*d);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0]->labels.env, "e1");
  EXPECT_EQ(b[0]->labels.non_deterministic, NonDeterministic::command);
  EXPECT_TRUE(b[1]->labels.skip);
  ASSERT_EQ(b[2]->labels.versions.size(), 1u);
  EXPECT_EQ(b[2]->labels.versions[0].op, ">=");
  EXPECT_EQ(b[2]->labels.set_vars[0], (std::pair<std::string, std::string>{"A", "b"}));
  EXPECT_EQ(b[2]->labels.unset_vars[0], "C");
}

TEST(DocParse, MarkdownErrorsCarryTheLine) {
  auto e1 = parse_document("a\n```ocaml toto\n# 1;;\n```\n", Syntax::markdown);
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().message, "2-3: invalid code block: `toto` is not a valid label.");
  auto e2 = parse_document("a\nb\n<!-- $MDX env -->\n```ocaml\n```\n", Syntax::markdown);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().message, "3-4: invalid code block: Label `env` requires a value.");
  auto e4 = parse_document("<!-- $MDX part=p -->\n```ocaml\nlet x = 1\n```\n", Syntax::markdown);
  ASSERT_FALSE(e4.ok());
  EXPECT_EQ(e4.error().message, "1-3: invalid code block: `part` label is not allowed for OCaml blocks.");
  // mdx closes a block left open at the end of the file.
  auto open = parse_document("a\n```ocaml\n# 1;;\n", Syntax::markdown);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(render_block(*blocks(*open)[0]), "```ocaml\n# 1;;\n```\n");
  auto e3 = parse_document("<!-- $MDX skip -->\ntext\n", Syntax::markdown);
  ASSERT_FALSE(e3.ok());
  EXPECT_EQ(e3.error().message.substr(0, 3), "1: ");
}

TEST(DocParse, OdocBlocksInDocCommentsOnly) {
  std::string text =
      "(* {[ # plain comment;; ]} *)\n"
      "let s = \"(** {[ # string;; ]} *)\"\n"
      "(** Doc.\n    {[\n      # 1 + 1;;\n    ]}\n    {@ocaml env=e skip[\n      # 2;;\n    ]}\n"
      "    {@sh[ ls ]} {v {[ # 3;; ]} v} *)\n"
      "val x : int\n";
  auto d = parse_document(text, Syntax::odoc);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(reassemble(*d), text);
  auto b = blocks(*d);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0]->line, 4u);
  EXPECT_EQ(b[0]->header, "{[\n");
  EXPECT_EQ(b[0]->body, (std::vector<std::string>{"      # 1 + 1;;"}));
  EXPECT_EQ(b[0]->footer, "    ]}");
  EXPECT_EQ(b[1]->labels.env, "e");
  EXPECT_TRUE(b[1]->labels.skip);
  EXPECT_EQ(render_block(*b[1]), b[1]->original);
  // {@sh[ ... ]}: a shell block, as in mdx.
  EXPECT_EQ(b[2]->kind, BlockKind::cram);
  EXPECT_EQ(b[2]->language, "sh");
  EXPECT_EQ(b[2]->body, (std::vector<std::string>{" ls "}));
}

TEST(DocParse, OdocOneLineBlockAndMld) {
  std::string text = "Intro {[ let x = 1 ]} and {[\n# 1;;]}\n";
  auto d = parse_document(text, Syntax::mld);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(reassemble(*d), text);
  auto b = blocks(*d);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(b[0]->last_line_open);
  EXPECT_EQ(b[0]->body, (std::vector<std::string>{" let x = 1 "}));
  EXPECT_EQ(render_block(*b[0]), b[0]->original);
  EXPECT_EQ(b[1]->body, (std::vector<std::string>{"# 1;;"}));
  EXPECT_EQ(render_block(*b[1]), b[1]->original);
}

TEST(DocParse, OdocErrors) {
  auto e1 = parse_document("val x : int\n(** never closed\n", Syntax::odoc);
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().message.substr(0, 3), "2: ");
  auto e2 = parse_document("(** a\n\n {[ # 1;;\n *)\n", Syntax::odoc);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().message.substr(0, 3), "3: ");
  auto e3 = parse_document("(** {@ocaml frob[ # 1;; ]} *)", Syntax::odoc);
  ASSERT_FALSE(e3.ok());
}

TEST(DocParse, SyntaxOfPath) {
  EXPECT_EQ(syntax_of_path("a/b.mli"), Syntax::odoc);
  EXPECT_EQ(syntax_of_path("b.ml"), Syntax::odoc);
  EXPECT_EQ(syntax_of_path("index.mld"), Syntax::mld);
  EXPECT_EQ(syntax_of_path("README.md"), Syntax::markdown);
}

TEST(DocLabels, ParseAndReject) {
  auto l = parse_labels("skip, env=a-b_c version<>5 non-deterministic");
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_TRUE(l->skip);
  EXPECT_EQ(l->env, "a-b_c");
  EXPECT_EQ(l->non_deterministic, NonDeterministic::output);
  for (const char* bad : {"env", "version", "version=x", "version>=4..1", "non-deterministic=x",
                          "set-=1", "set-A", "unset-A=1", "frob", "=x", "skip=1"})
    EXPECT_FALSE(parse_labels(bad).ok()) << bad;
}

TEST(DocLabels, Versions) {
  auto c = [](const char* op, const char* v) { return std::vector<VersionConstraint>{{op, v}}; };
  EXPECT_TRUE(version_satisfies("4.13.1", c(">=", "4.08")));
  EXPECT_TRUE(version_satisfies("4.13.1", c("=", "4.13")));
  EXPECT_TRUE(version_satisfies("4.13.1", c("<", "5.0")));
  EXPECT_FALSE(version_satisfies("4.13.1", c(">=", "5")));
  EXPECT_FALSE(version_satisfies("4.13.1", c("<>", "4.13.1")));
  EXPECT_TRUE(version_satisfies("4.13.1", c("<=", "4.13.1")));
  EXPECT_FALSE(version_satisfies("4.13.1", c(">", "4.13.1")));
  EXPECT_TRUE(version_satisfies("4.13.1+flambda", c(">", "4.13.0")));
}

TEST(DocParse, OdocCharLiteralsAndQuotedStrings) {
  std::string text =
      "let q = '\\'' and d = '\"' and t : 'a list = [] and s = {id|(** {[ # no;; ]} *)|id}\n"
      "(* a comment with '\"' and \"*)\" inside *)\n"
      "(** {[\n# 1;;\n]} *)\nval x : int\n";
  auto d = parse_document(text, Syntax::odoc);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(reassemble(*d), text);
  auto b = blocks(*d);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0]->line, 3u);
  EXPECT_EQ(b[0]->body, (std::vector<std::string>{"# 1;;"}));
}

// Random documents built from the syntax's own pieces: parsing never crashes,
// a successful parse gives the text back, toplevel layout is stable.
TEST(DocParse, RandomDocumentsRoundTrip) {
  const char* pieces[] = {"```ocaml\n", "```\n", "~~~\n", "<!-- $MDX skip -->\n", "<!-- $MDX env=a -->\n",
                          "# 1 + 1;;\n", "  continued\n", "- : int = 2\n", "\n", "(** ", " *)", "(* ", "{[\n",
                          "]}", "{@ocaml env=x[\n", "\"", "'\"'", "{v ", " v}", "prose ", "\t", "#", ";;",
                          "{id|", "|id}", "\\"};
  unsigned seed = 7;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int n = static_cast<int>(next() % 24);
    for (int i = 0; i < n; ++i) text += pieces[next() % (sizeof pieces / sizeof *pieces)];
    for (Syntax s : {Syntax::markdown, Syntax::odoc, Syntax::mld}) {
      auto d = parse_document(text, s);
      if (!d.ok()) continue;
      ASSERT_EQ(reassemble(*d), text) << text;
      for (const Block* b : blocks(*d)) {
        if (b->closed) {
          ASSERT_EQ(render_block(*b), b->original);
        }
        if (!is_toplevel(b->body)) continue;
        ToplevelBlock t = parse_toplevel(b->body);
        std::vector<std::string> laid = layout_toplevel(t);
        ToplevelBlock again = parse_toplevel(laid);
        ASSERT_EQ(layout_toplevel(again), laid) << text;
      }
    }
  }
}
