// The command line with a fake toplevel (also run under ASan+UBSan): exit
// statuses, FILE.corrected, --output, --promote, bad input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"
#include "doc/doc.hpp"

using namespace ocamljit;
using namespace ocamljit::doc;

namespace {

// Answers every phrase "- : int = 2" and every load with success.
class TwoEvaluator : public Evaluator {
 public:
  Status load(const std::string& path) override {
    if (path.find("missing") != std::string::npos) return make_error("File not found: ", path);
    return ok_status();
  }
  EvalResult eval(const std::string&, EvalMode mode, const std::string&, int) override {
    return {true, mode != EvalMode::file ? "\x02- : int = 2\n\x03" : ""};
  }
  void reset() override {}
};

struct TwoFactory : EvaluatorFactory {
  int made = 0;
  Result<std::unique_ptr<Evaluator>> make(const std::vector<std::string>&) override {
    ++made;
    return std::unique_ptr<Evaluator>(new TwoEvaluator);
  }
};

using ocamljit::test_support::TempDir;

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool exists(const std::string& p) { return access(p.c_str(), F_OK) == 0; }

const std::string stale = "Text\n```ocaml\n# 1 + 1;;\n- : int = 3\n```\n";
const std::string fixed = "Text\n```ocaml\n# 1 + 1;;\n- : int = 2\n```\n";

int run(std::vector<std::string> args, TwoFactory& f) {
  args.insert(args.begin(), "ocamljit-doc");
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int rc = run_cli(args, "4.13.1", f);
  (void)testing::internal::GetCapturedStdout();
  (void)testing::internal::GetCapturedStderr();
  return rc;
}

}  // namespace

TEST(DocCli, CheckWritesCorrected) {
  TempDir d;
  TwoFactory f;
  std::string doc = d.file("a.md", stale), good = d.file("b.md", fixed);
  EXPECT_EQ(run({good}, f), 0);
  EXPECT_FALSE(exists(good + ".corrected"));
  EXPECT_EQ(run({doc, good}, f), 1);
  EXPECT_EQ(slurp(doc + ".corrected"), fixed);
  EXPECT_EQ(slurp(doc), stale);
}

TEST(DocCli, OutputAndPromote) {
  TempDir d;
  TwoFactory f;
  std::string doc = d.file("a.md", stale);
  EXPECT_EQ(run({"--output", d.path + "/out.md", doc}, f), 0);
  EXPECT_EQ(slurp(d.path + "/out.md"), fixed);
  EXPECT_EQ(run({"--promote", doc}, f), 0);
  EXPECT_EQ(slurp(doc), fixed);
  EXPECT_EQ(run({doc}, f), 0);
}

TEST(DocCli, BadInputAndUsage) {
  TempDir d;
  TwoFactory f;
  std::string bad = d.file("bad.md", "```ocaml toto\n# 1;;\n```\n");
  std::string good = d.file("good.md", stale);
  EXPECT_EQ(run({good, bad}, f), 2);  // nothing evaluated or written when any input is bad
  EXPECT_FALSE(exists(good + ".corrected"));
  EXPECT_EQ(f.made, 0);
  EXPECT_EQ(run({}, f), 2);
  EXPECT_EQ(run({"--bogus", good}, f), 2);
  EXPECT_EQ(run({"--output"}, f), 2);
  EXPECT_EQ(run({"--output", "-", good, good}, f), 2);
  EXPECT_EQ(run({"--load", "missing.cmxs", good}, f), 2);
  EXPECT_EQ(run({d.path + "/nope.md"}, f), 2);
  EXPECT_EQ(run({"--help"}, f), 0);
}
