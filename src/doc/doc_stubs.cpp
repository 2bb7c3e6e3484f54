// The OCaml side of ocamljit-doc: the program's main is OCaml
// (ocamljit_doc_main.ml), which calls run_cli here; the C++ driver calls back
// into Doc_eval (registered with Callback) for every phrase, capturing what
// the phrase and the toplevel write on file descriptors 1 and 2.
#include <cstring>

#include "doc/doc.hpp"

extern "C" {
#include <caml/alloc.h>
#include <caml/callback.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
}

namespace ocamljit::doc {

namespace {

const value* named(const char* name) {
  const value* v = caml_named_value(name);
  return v;
}

std::string trim_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class OcamlEvaluator : public Evaluator {
 public:
  explicit OcamlEvaluator(std::unique_ptr<OutputCapture> capture) : capture_(std::move(capture)) {}

  Status load(const std::string& path) override {
    if (Status s = capture_->begin(); !s) return s;
    bool ok = call_load(path);
    auto out = capture_->end();
    capture_->release();
    if (!out) return out.error();
    if (!ok) return make_error(trim_newlines(*out));
    return ok_status();
  }

  EvalResult eval(const std::string& env, EvalMode mode, const std::string& text, int) override {
    if (Status s = capture_->begin(); !s) return EvalResult{false, s.error().message};
    bool ok = mode == EvalMode::file ? call_eval("ocamljit_doc_eval", env, false, text)
                                     : call_eval("ocamljit_doc_eval_phrases", env, mode == EvalMode::phrases, text);
    auto out = capture_->end();
    if (!out) return EvalResult{false, out.error().message};
    return EvalResult{ok, std::move(*out)};
  }

  void release_outputs() override { capture_->release(); }

  void reset() override {
    const value* f = named("ocamljit_doc_reset_envs");
    if (f) caml_callback_exn(*f, Val_unit);
  }

 private:
  static bool call_load(const std::string& path) {
    CAMLparam0();
    CAMLlocal2(arg, res);
    const value* f = named("ocamljit_doc_load");
    bool ok = false;
    if (f) {
      arg = caml_copy_string(path.c_str());
      res = caml_callback_exn(*f, arg);
      ok = !Is_exception_result(res) && Bool_val(res);
    }
    CAMLreturnT(bool, ok);
  }

  static bool call_eval(const char* function, const std::string& env, bool print, const std::string& text) {
    CAMLparam0();
    CAMLlocal3(env_v, text_v, res);
    const value* f = named(function);
    bool ok = false;
    if (f) {
      env_v = caml_alloc_initialized_string(env.size(), env.data());
      text_v = caml_alloc_initialized_string(text.size(), text.data());
      res = caml_callback3_exn(*f, env_v, Val_bool(print), text_v);
      ok = !Is_exception_result(res) && Bool_val(res);
    }
    CAMLreturnT(bool, ok);
  }

  std::unique_ptr<OutputCapture> capture_;
};

class OcamlFactory : public EvaluatorFactory {
 public:
  Result<std::unique_ptr<Evaluator>> make(const std::vector<std::string>& include_dirs) override {
    auto capture = OutputCapture::create();
    if (!capture) return capture.error();
    if (Status s = (*capture)->begin(); !s) return s.error();
    bool ok = call_init(include_dirs);
    auto out = (*capture)->end();
    (*capture)->release();
    if (!out) return out.error();
    if (!ok) return make_error("cannot set the toplevel up: ", trim_newlines(*out));
    return std::unique_ptr<Evaluator>(new OcamlEvaluator(std::move(*capture)));
  }

 private:
  static bool call_init(const std::vector<std::string>& dirs) {
    CAMLparam0();
    CAMLlocal3(arr, s, res);
    const value* f = named("ocamljit_doc_init");
    bool ok = false;
    if (f) {
      arr = caml_alloc(dirs.size(), 0);
      for (std::size_t i = 0; i < dirs.size(); ++i) {
        s = caml_copy_string(dirs[i].c_str());
        Store_field(arr, i, s);
      }
      res = caml_callback_exn(*f, arr);
      ok = !Is_exception_result(res);
    }
    CAMLreturnT(bool, ok);
  }
};

}  // namespace

}  // namespace ocamljit::doc

extern "C" value ocamljit_doc_main(value version, value argv) {
  CAMLparam2(version, argv);
  std::vector<std::string> args;
  for (mlsize_t i = 0; i < Wosize_val(argv); ++i)
    args.emplace_back(String_val(Field(argv, i)), caml_string_length(Field(argv, i)));
  std::string ver(String_val(version), caml_string_length(version));
  ocamljit::doc::OcamlFactory factory;
  int rc = ocamljit::doc::run_cli(args, ver, factory);
  CAMLreturn(Val_int(rc));
}
