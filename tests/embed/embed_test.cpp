// The C API of ocamljit.h (and the C++ wrapper), line by line of its
// contract, with bad input. One process: ocamljit_init once for all tests.
#include <gtest/gtest.h>

extern "C" {
#include <caml/alloc.h>
#include <caml/mlvalues.h>
}

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ocamljit/ocamljit.h"
#include "ocamljit/ocamljit.hpp"

namespace {

class Embed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(ocamljit_init("embed_test"), OCAMLJIT_OK); }
  void SetUp() override {
    s = ocamljit_session_new();
    ASSERT_NE(s, nullptr);
  }
  void TearDown() override { ocamljit_session_free(s); }
  std::string out() const { return ocamljit_output(s); }
  long eval_int(ocamljit_session* t, const char* e) {
    long n = -12345;
    EXPECT_EQ(ocamljit_eval_int(t, e, &n), OCAMLJIT_OK) << ocamljit_output(t);
    return n;
  }
  ocamljit_session* s = nullptr;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(Embed, InitTwiceSucceeds) { EXPECT_EQ(ocamljit_init(nullptr), OCAMLJIT_OK); }

TEST_F(Embed, EvalPrintsWhatOcamlPrints) {
  EXPECT_EQ(ocamljit_eval(s, "let x = 1 + 1;; let f y = x * y;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "val x : int = 2\nval f : int -> int = <fun>\n");
  EXPECT_EQ(ocamljit_eval(s, "f 21;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "- : int = 42\n");
}

TEST_F(Embed, LastSemicolonsMayBeOmitted) {
  EXPECT_EQ(ocamljit_eval(s, "let x = 1"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "val x : int = 1\n");
}

TEST_F(Embed, UnfinishedPhraseIsASyntaxErrorAndNothingRuns) {
  EXPECT_EQ(ocamljit_eval(s, "let a = 1;; let b = (1"), OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(out(), "Syntax error")) << out();
  EXPECT_EQ(ocamljit_eval(s, "a;;"), OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(out(), "Unbound value a")) << out();
}

TEST_F(Embed, TypeErrorIsAnErrorWithTheMessage) {
  EXPECT_EQ(ocamljit_eval(s, "1 + \"one\";;"), OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(out(), "Error: This expression has type string")) << out();
}

TEST_F(Embed, ExceptionIsReportedAndEarlierPhrasesStay) {
  EXPECT_EQ(ocamljit_eval(s, "let a = 1;; raise Not_found;; let b = 2;;"), OCAMLJIT_EXCEPTION);
  EXPECT_TRUE(contains(out(), "Exception: Not_found.")) << out();
  EXPECT_EQ(eval_int(s, "a"), 1);
  EXPECT_EQ(ocamljit_eval(s, "b;;"), OCAMLJIT_ERROR);
}

TEST_F(Embed, StackOverflowIsAnException) {
  EXPECT_EQ(ocamljit_eval(s, "let rec f n = 1 + f (n + 1);; f 0;;"), OCAMLJIT_EXCEPTION);
  EXPECT_TRUE(contains(out(), "Stack overflow")) << out();
  long n = 0;
  EXPECT_EQ(ocamljit_eval_int(s, "f 0", &n), OCAMLJIT_EXCEPTION);  // again, in a typed evaluation
  EXPECT_EQ(eval_int(s, "1 + 1"), 2);
}

TEST_F(Embed, OutOfMemoryIsAnException) {
  EXPECT_EQ(ocamljit_eval(s, "let a = Array.make (1 lsl 50) 0;;"), OCAMLJIT_EXCEPTION);
  EXPECT_TRUE(contains(out(), "Out of memory during evaluation.")) << out();
  EXPECT_EQ(eval_int(s, "1 + 1"), 2);
}

TEST_F(Embed, UndefinedPrimitiveIsAnError) {
  EXPECT_EQ(ocamljit_eval(s, "external nope : int -> int = \"ocamljit_test_nope\";; nope 1;;"),
            OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(out(), "The external function `ocamljit_test_nope' is not available")) << out();
}

TEST_F(Embed, InvalidUtf8IsJustInput) {
  EXPECT_EQ(ocamljit_eval(s, "let s = \"\xff\xfe\";; String.length s;;"), OCAMLJIT_OK);
  EXPECT_TRUE(contains(out(), "- : int = 2")) << out();
  EXPECT_EQ(ocamljit_eval(s, "let \xc3\x28 = 1;;"), OCAMLJIT_ERROR);
  EXPECT_FALSE(out().empty());
}

// Directives print to the toplevel's std_formatter; in a session, into its
// output (tests/embed/output.sh compares many more with bytecode ocaml).
TEST_F(Embed, DirectivesPrintIntoTheOutput) {
  EXPECT_EQ(ocamljit_eval(s, "let x = 1;; #show x;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "val x : int = 1\nval x : int\n");
  EXPECT_EQ(ocamljit_eval(s, "type t = A of int;; #show_type t;; #show_val x;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "type t = A of int\ntype t = A of int\nval x : int\n");
  EXPECT_EQ(ocamljit_eval(s, "module M = struct let y = 2 end;; #show_module M;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "module M : sig val y : int end\nmodule M : sig val y : int end\n");
  EXPECT_EQ(ocamljit_eval(s, "#print_depth 1;; [[1]];; #print_depth 100;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "- : int list list = [[...]]\n");
  EXPECT_EQ(ocamljit_eval(s, "#show nosuch;;"), OCAMLJIT_OK);  // as in ocaml: a directive ran
  EXPECT_EQ(out(), "Unknown element.\n");
  EXPECT_EQ(ocamljit_eval(s, "#nosuch;;"), OCAMLJIT_ERROR);
  EXPECT_EQ(out(), "Unknown directive `nosuch'.\n");
  EXPECT_EQ(ocamljit_eval(s, "#use \"output/no_such_file.ml\";;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "Cannot find file output/no_such_file.ml.\n");
  EXPECT_EQ(ocamljit_eval(s, "#use \"output/use_me.ml\";;"), OCAMLJIT_OK);
  EXPECT_TRUE(contains(out(), "val pair : t * int = (A, 2)\n")) << out();
  EXPECT_EQ(ocamljit_eval(s, "#load \"output/use_me.ml\";;"), OCAMLJIT_OK);  // not an object file
  EXPECT_TRUE(contains(out(), "Error while loading")) << out();
  EXPECT_EQ(ocamljit_eval(s, "#use \"output/printer.ml\";; #install_printer pp_money;; Money 250;;"), OCAMLJIT_OK);
  EXPECT_TRUE(contains(out(), "- : money = 2.50 EUR\n")) << out();
  EXPECT_EQ(ocamljit_eval(s, "#remove_printer pp_money;;"), OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_eval(s, "#help;;"), OCAMLJIT_OK);
  EXPECT_TRUE(contains(out(), "#show_val <ident>\n  Print the signature of the corresponding value.")) << out();
  EXPECT_EQ(ocamljit_eval(s, "#directory \"/nonexistent/embed_test\";; #show_dirs;;"), OCAMLJIT_OK);
  EXPECT_TRUE(contains(out(), "/nonexistent/embed_test\n")) << out();
  EXPECT_EQ(ocamljit_eval(s, "#remove_directory \"/nonexistent/embed_test\";;"), OCAMLJIT_OK);
}

// A directive defined by code (as topfind defines #require) prints into the
// output too, whether to std_formatter or err_formatter (where the compiler
// reports its internal errors); the code's own Format.printf does not.
TEST_F(Embed, DirectivesDefinedByCodePrintIntoTheOutput) {
  ASSERT_EQ(ocamljit_eval(s, "#directory \"+compiler-libs\";;"), OCAMLJIT_OK);
  ASSERT_EQ(ocamljit_eval(s, "let () = Toploop.add_directive \"embed_test_say\" (Toploop.Directive_none (fun () ->"
                             " Format.printf \"said@.\"; Format.eprintf \"complained@.\"))"
                             " { Toploop.section = \"Tests\"; doc = \"\" };;"),
            OCAMLJIT_OK)
      << out();
  EXPECT_EQ(ocamljit_eval(s, "#embed_test_say;; 1;; #embed_test_say;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "said\ncomplained\n- : int = 1\nsaid\ncomplained\n");
  // The directive is the session's code: it must not outlive the session.
  ASSERT_EQ(ocamljit_eval(s, "let[@alert \"-deprecated\"] () = Hashtbl.remove Toploop.directive_table \"embed_test_say\";"
                             " Hashtbl.remove Toploop.directive_info_table \"embed_test_say\";;"
                             "#remove_directory \"+compiler-libs\";;"),
            OCAMLJIT_OK)
      << out();
}

// #install_printer's table is the process's: a session's printers apply
// until it is freed, then go with its code (calling them would crash).
TEST_F(Embed, PrintersGoWithTheirSession) {
  ocamljit_session* t = ocamljit_session_new();
  ASSERT_EQ(ocamljit_eval(t, "let pp_int fmt (n : int) = Format.fprintf fmt \"int %d\" n;; "
                             "#install_printer pp_int;; 3;;"),
            OCAMLJIT_OK);
  EXPECT_TRUE(contains(ocamljit_output(t), "- : int = int 3\n")) << ocamljit_output(t);
  ocamljit_session_free(t);
  for (int i = 0; i < 20; ++i) {  // t's memory reused
    ocamljit_session* u = ocamljit_session_new();
    ASSERT_EQ(ocamljit_eval(u, "let f x = x + 1;; let l = List.init 50 f;; Gc.compact ();;"), OCAMLJIT_OK);
    ocamljit_session_free(u);
  }
  EXPECT_EQ(ocamljit_eval(s, "3;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "- : int = 3\n");
}

TEST_F(Embed, WarningsAreInTheOutput) {
  ASSERT_EQ(ocamljit_eval(s, "#warnings \"+27\";;"), OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_eval(s, "let f y = 1;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(),
            "Line 1, characters 6-7:\n1 | let f y = 1;;\n          ^\n"
            "Warning 27 [unused-var-strict]: unused variable y.\nval f : 'a -> int = <fun>\n");
  EXPECT_EQ(ocamljit_eval(s, "#warnings \"@@@\";;"), OCAMLJIT_OK);
  EXPECT_EQ(out(), "Ill-formed list of warnings.\n");
  ASSERT_EQ(ocamljit_eval(s, "#warnings \"-27\";;"), OCAMLJIT_OK);
}

TEST_F(Embed, QuitDoesNotEndTheHost) {
  EXPECT_EQ(ocamljit_eval(s, "#quit;; let never = 1;;"), OCAMLJIT_ERROR);
  EXPECT_EQ(out(), "#quit is not available in an embedded session (the host frees it).\n");
  EXPECT_EQ(eval_int(s, "1 + 1"), 2);
}

TEST_F(Embed, TypedGetters) {
  long n = 0;
  double x = 0;
  char* str = nullptr;
  EXPECT_EQ(ocamljit_eval_int(s, "List.fold_left ( + ) 0 [1; 2; 3]", &n), OCAMLJIT_OK);
  EXPECT_EQ(n, 6);
  EXPECT_EQ(ocamljit_eval_int(s, "min_int", &n), OCAMLJIT_OK);
  EXPECT_EQ(n, -(1L << 62));
  EXPECT_EQ(ocamljit_eval_float(s, "sqrt 2.25", &x), OCAMLJIT_OK);
  EXPECT_EQ(x, 1.5);
  ASSERT_EQ(ocamljit_eval_string(s, "String.concat \",\" [\"a\"; \"b\"]", &str), OCAMLJIT_OK);
  EXPECT_STREQ(str, "a,b");
  std::free(str);
  EXPECT_EQ(out(), "");  // a typed evaluation prints nothing on success
}

TEST_F(Embed, TypedGettersNeverReinterpret) {
  long n = 7;
  double x = 7;
  char* str = nullptr;
  EXPECT_EQ(ocamljit_eval_int(s, "1.5", &n), OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(out(), "has type float but int was expected")) << out();
  EXPECT_EQ(ocamljit_eval_int(s, "\"1\"", &n), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_int(s, "true", &n), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_int(s, "fun x -> x", &n), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_float(s, "1", &x), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_string(s, "'c'", &str), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_string(s, "Obj.magic 3", &str), OCAMLJIT_ERROR);
  EXPECT_EQ(n, 7);
  EXPECT_EQ(x, 7);
  EXPECT_EQ(str, nullptr);
}

TEST_F(Embed, TypedGetterErrorsAndExceptions) {
  long n = 0;
  EXPECT_EQ(ocamljit_eval_int(s, "1 +", &n), OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(out(), "Syntax error")) << out();
  EXPECT_EQ(ocamljit_eval_int(s, "1;; 2", &n), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_int(s, "failwith \"boom\"", &n), OCAMLJIT_EXCEPTION);
  EXPECT_TRUE(contains(out(), "Exception: Failure \"boom\".")) << out();
  EXPECT_EQ(ocamljit_eval_int(s, "List.hd []", &n), OCAMLJIT_EXCEPTION);
}

TEST_F(Embed, TypedEvaluationDefinesNothing) {
  long n = 0;
  EXPECT_EQ(ocamljit_eval_int(s, "let y = 3 in y", &n), OCAMLJIT_OK);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(ocamljit_eval(s, "ocamljit_result;;"), OCAMLJIT_ERROR);
}

TEST_F(Embed, NullArgumentsAreErrors) {
  long n = 0;
  double x = 0;
  char* str = nullptr;
  EXPECT_EQ(ocamljit_eval(nullptr, "1;;"), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval(s, nullptr), OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(out(), "NULL")) << out();
  EXPECT_EQ(ocamljit_eval_int(nullptr, "1", &n), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_int(s, nullptr, &n), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_int(s, "1", nullptr), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_float(s, "1.", nullptr), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_float(nullptr, "1.", &x), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_string(s, "\"\"", nullptr), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval_string(nullptr, "\"\"", &str), OCAMLJIT_ERROR);
  EXPECT_NE(ocamljit_output(nullptr), nullptr);
  ocamljit_session_free(nullptr);
  EXPECT_EQ(ocamljit_define_primitive(nullptr, reinterpret_cast<void*>(&std::free)), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_define_primitive("ocamljit_test_null", nullptr), OCAMLJIT_ERROR);
  EXPECT_EQ(eval_int(s, "40 + 2"), 42);  // the session goes on
}

TEST_F(Embed, SessionsAreIndependent) {
  ocamljit_session* t = ocamljit_session_new();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(ocamljit_eval(s, "let x = 1;; type color = Red;;"), OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_eval(t, "x;;"), OCAMLJIT_ERROR);
  EXPECT_TRUE(contains(ocamljit_output(t), "Unbound value x")) << ocamljit_output(t);
  EXPECT_EQ(ocamljit_eval(t, "Red;;"), OCAMLJIT_ERROR);
  EXPECT_EQ(ocamljit_eval(t, "let x = \"two\";;"), OCAMLJIT_OK);
  EXPECT_EQ(eval_int(s, "x"), 1);
  ocamljit_session_free(t);
  EXPECT_EQ(eval_int(s, "x + 1"), 2);
}

TEST_F(Embed, FreeingOneSessionKeepsTheOthersCode) {
  ocamljit_session* a = ocamljit_session_new();
  ocamljit_session* b = ocamljit_session_new();
  ASSERT_EQ(ocamljit_eval(a, "let fa n = n * 3;; let la = List.init 100 fa;;"), OCAMLJIT_OK);
  ASSERT_EQ(ocamljit_eval(b, "let fb n = n + 1000;; let lb = List.map fb [1; 2];;"), OCAMLJIT_OK);
  ASSERT_EQ(ocamljit_eval(a, "let ga n = fa n + 1;;"), OCAMLJIT_OK);
  ocamljit_session_free(a);
  ocamljit_session* c = ocamljit_session_new();  // may reuse a's memory
  ASSERT_EQ(ocamljit_eval(c, "let fc n = n - 1;; Gc.full_major ();;"), OCAMLJIT_OK);
  EXPECT_EQ(eval_int(b, "fb 1 + List.fold_left ( + ) 0 lb"), 1001 + 2003);
  EXPECT_EQ(eval_int(c, "fc 10"), 9);
  ocamljit_session_free(b);
  ocamljit_session_free(c);
}

// Observes the JIT from inside, from a fresh session freed afterwards (so
// that every observation costs the same): bytes of JIT memory in use, units
// recorded as unloadable, live words of the OCaml heap after a compaction.
struct JitState {
  long bytes = -1, owned = -1, live_words = -1;
};
JitState observe() {
  JitState st;
  ocamljit_session* probe = ocamljit_session_new();
  EXPECT_EQ(ocamljit_eval(probe,
                          "external memory_stats : unit -> int * int = \"ocamljit_jit_memory_stats\";;"
                          "external owned_units : unit -> int = \"ocamljit_jit_owned_units\";;"
                          "let stats = (Gc.compact (); (Gc.stat ()).Gc.live_words, snd (memory_stats ()), owned_units ());;"),
            OCAMLJIT_OK)
      << ocamljit_output(probe);
  EXPECT_EQ(ocamljit_eval_int(probe, "let (w, _, _) = stats in w", &st.live_words), OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_eval_int(probe, "let (_, b, _) = stats in b", &st.bytes), OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_eval_int(probe, "let (_, _, o) = stats in o", &st.owned), OCAMLJIT_OK);
  ocamljit_session_free(probe);
  return st;
}

// The GDB JIT interface's list of registered units, as gdb reads it (its
// layout is gdb's ABI): freed sessions' entries must leave it.
extern "C" {
struct jit_code_entry {
  jit_code_entry* next_entry;
  jit_code_entry* prev_entry;
  const char* symfile_addr;
  uint64_t symfile_size;
};
struct jit_descriptor {
  uint32_t version, action_flag;
  jit_code_entry* relevant_entry;
  jit_code_entry* first_entry;
};
extern jit_descriptor __jit_debug_descriptor;
}
size_t gdb_entries() {
  size_t n = 0;
  for (const jit_code_entry* e = __jit_debug_descriptor.first_entry; e != nullptr; e = e->next_entry) ++n;
  return n;
}

TEST_F(Embed, FreeUnloadsAndMemoryIsReused) {
  auto cycle = [] {
    ocamljit_session* t = ocamljit_session_new();
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(ocamljit_eval(t, "let f x = x * 2;; let l = List.init 10 f;;"), OCAMLJIT_OK);
    long n = 0;
    ASSERT_EQ(ocamljit_eval_int(t, "List.length l + f 1", &n), OCAMLJIT_OK);
    ASSERT_EQ(n, 12);
    ocamljit_session_free(t);
  };
  for (int i = 0; i < 10; ++i) cycle();
  const JitState before = observe();
  const size_t entries_before = gdb_entries();
  for (int i = 0; i < 1000; ++i) cycle();
  const JitState after = observe();
  {
    ocamljit_session* live = ocamljit_session_new();
    ASSERT_EQ(ocamljit_eval(live, "let g x = x + 1;;"), OCAMLJIT_OK);
    EXPECT_GT(gdb_entries(), entries_before) << "a session's units are not registered with gdb";
    ocamljit_session_free(live);
  }
  EXPECT_EQ(gdb_entries(), entries_before) << "gdb entries of freed sessions stay";
  EXPECT_GT(before.bytes, 0);
  // A unit takes hundreds of bytes: growth per cycle would be 1000 times that.
  EXPECT_LT(after.bytes - before.bytes, 256) << "JIT memory grows: units are not unloaded";
  EXPECT_EQ(after.owned, before.owned) << "units of freed sessions are still recorded";
  // The compiler's state per phrase goes with the session: a few words per
  // cycle at most (a leak of typed trees or of Emit's symbol sets is hundreds).
  EXPECT_LT(after.live_words - before.live_words, 1000 * 16)
      << before.live_words << " -> " << after.live_words;
}

TEST_F(Embed, UsingFreedNamesInANewSessionFails) {
  ocamljit_session* t = ocamljit_session_new();
  ASSERT_EQ(ocamljit_eval(t, "let only_in_t = 5;;"), OCAMLJIT_OK);
  ocamljit_session_free(t);
  EXPECT_EQ(ocamljit_eval(s, "only_in_t;;"), OCAMLJIT_ERROR);
}

extern "C" value ocamljit_test_add(value a, value b) { return Val_long(Long_val(a) + Long_val(b)); }
extern "C" value ocamljit_test_other(value a) { return a; }
extern "C" value ocamljit_test_greet(value name) {
  std::string g = std::string("hello ") + String_val(name);
  return caml_copy_string(g.c_str());
}

TEST_F(Embed, HostPrimitivesAreCalledFromOcaml) {
  ASSERT_EQ(ocamljit_define_primitive("ocamljit_test_add", reinterpret_cast<void*>(&ocamljit_test_add)),
            OCAMLJIT_OK);
  ASSERT_EQ(ocamljit_define_primitive("ocamljit_test_greet", reinterpret_cast<void*>(&ocamljit_test_greet)),
            OCAMLJIT_OK);
  // Same function again: fine; another function under the same name: refused.
  EXPECT_EQ(ocamljit_define_primitive("ocamljit_test_add", reinterpret_cast<void*>(&ocamljit_test_add)),
            OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_define_primitive("ocamljit_test_add", reinterpret_cast<void*>(&ocamljit_test_other)),
            OCAMLJIT_ERROR);
  ASSERT_EQ(ocamljit_eval(s, "external add : int -> int -> int = \"ocamljit_test_add\";;"
                             "external greet : string -> string = \"ocamljit_test_greet\";;"),
            OCAMLJIT_OK);
  EXPECT_EQ(eval_int(s, "add 40 2"), 42);
  char* g = nullptr;
  ASSERT_EQ(ocamljit_eval_string(s, "greet \"ocaml\"", &g), OCAMLJIT_OK);
  EXPECT_STREQ(g, "hello ocaml");
  std::free(g);
}

// Host primitives that call back into ocamljit while OCaml code runs.
ocamljit_session* reentrant_target = nullptr;
extern "C" value ocamljit_test_eval_other(value expr) {
  long n = -1;
  if (ocamljit_eval_int(reentrant_target, String_val(expr), &n) != OCAMLJIT_OK) n = -1;
  return Val_long(n);
}
extern "C" value ocamljit_test_show_other(value) {
  ocamljit_eval(reentrant_target, "#show secret;;");
  return caml_copy_string(ocamljit_output(reentrant_target));
}
extern "C" value ocamljit_test_free_target(value) {
  ocamljit_session_free(reentrant_target);  // refused: it is running
  return Val_unit;
}

TEST_F(Embed, HostPrimitiveMayEvaluateInAnotherSession) {
  ocamljit_session* other = ocamljit_session_new();
  ASSERT_EQ(ocamljit_eval(other, "let secret = 41;;"), OCAMLJIT_OK);
  reentrant_target = other;
  ASSERT_EQ(ocamljit_define_primitive("ocamljit_test_eval_other",
                                      reinterpret_cast<void*>(&ocamljit_test_eval_other)),
            OCAMLJIT_OK);
  ASSERT_EQ(ocamljit_eval(s, "external other : string -> int = \"ocamljit_test_eval_other\";;"), OCAMLJIT_OK);
  EXPECT_EQ(eval_int(s, "other \"secret + 1\" + 0"), 42);
  EXPECT_EQ(ocamljit_eval(s, "secret;;"), OCAMLJIT_ERROR);  // still separate
  ocamljit_session_free(other);
}

TEST_F(Embed, NestedSessionsKeepTheirOutputsApart) {
  ocamljit_session* other = ocamljit_session_new();
  ASSERT_EQ(ocamljit_eval(other, "let secret = 41;;"), OCAMLJIT_OK);
  reentrant_target = other;
  ASSERT_EQ(ocamljit_define_primitive("ocamljit_test_show_other",
                                      reinterpret_cast<void*>(&ocamljit_test_show_other)),
            OCAMLJIT_OK);
  ASSERT_EQ(ocamljit_eval(s, "external show_other : unit -> string = \"ocamljit_test_show_other\";;"),
            OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_eval(s, "#show_val show_other;; let o = show_other ();; #show o;;"), OCAMLJIT_OK);
  EXPECT_EQ(out(),
            "external show_other : unit -> string = \"ocamljit_test_show_other\"\n"
            "val o : string = \"val secret : int\\n\"\nval o : string\n");
  EXPECT_EQ(std::string(ocamljit_output(other)), "val secret : int\n");
  ocamljit_session_free(other);
}

TEST_F(Embed, ASessionCannotBeFreedWhileItRuns) {
  reentrant_target = s;
  ASSERT_EQ(ocamljit_define_primitive("ocamljit_test_free_target",
                                      reinterpret_cast<void*>(&ocamljit_test_free_target)),
            OCAMLJIT_OK);
  EXPECT_EQ(ocamljit_eval(s, "external free_me : unit -> unit = \"ocamljit_test_free_target\";;"
                             "let after = free_me (); 7;;"),
            OCAMLJIT_OK);
  // The refusal is in the evaluation's output (not on the host's stderr).
  EXPECT_EQ(out(),
            "external free_me : unit -> unit = \"ocamljit_test_free_target\"\n"
            "ocamljit: a session cannot be freed while it evaluates\nval after : int = 7\n");
  EXPECT_EQ(eval_int(s, "after"), 7);  // the session goes on
}

TEST_F(Embed, NestedEvaluationPrintsNoWarning58) {
  // Warning 58 is silenced by default (for library modules without .cmx): turn it on.
  ASSERT_EQ(ocamljit_eval(s, "#directory \"+compiler-libs\";; #warnings \"+58\";;"), OCAMLJIT_OK);
  ASSERT_EQ(ocamljit_eval(s,
                          "let r = ignore (Toploop.execute_phrase true Format.std_formatter "
                          "(!Toploop.parse_toplevel_phrase (Lexing.from_string \"let inner = 3;;\"))); 5;;"),
            OCAMLJIT_OK)
      << out();
  EXPECT_FALSE(contains(out(), "module TOP")) << out();
  ASSERT_EQ(ocamljit_eval(s, "r + inner;;"), OCAMLJIT_OK) << out();
  EXPECT_EQ(out(), "- : int = 8\n");
  ASSERT_EQ(ocamljit_eval(s, "#warnings \"-58\";;"), OCAMLJIT_OK);
}

TEST_F(Embed, CxxWrapper) {
  ocamljit::Session t;
  ASSERT_TRUE(t);
  EXPECT_EQ(t.eval("let base = 10;;"), OCAMLJIT_OK);
  EXPECT_EQ(t.output(), "val base : int = 10\n");
  EXPECT_EQ(t.eval_int("base * 2"), std::optional<long>(20));
  EXPECT_EQ(t.eval_float("float base /. 4."), std::optional<double>(2.5));
  EXPECT_EQ(t.eval_string("string_of_int base"), std::optional<std::string>("10"));
  EXPECT_EQ(t.eval_int("\"no\""), std::nullopt);
  EXPECT_FALSE(t.output().empty());
  ocamljit::Session moved = std::move(t);
  EXPECT_FALSE(t);
  EXPECT_EQ(moved.eval_int("base"), std::optional<long>(10));
}

}  // namespace
