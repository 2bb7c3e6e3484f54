// Checking a document: which blocks run, in which environment, and the
// corrected document built from the outputs of the toplevel.
#include <cctype>
#include <cstdlib>
#include <set>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

bool runs(const Block& b, const CheckOptions& options) {
  return !b.labels.skip &&
         (options.non_deterministic || b.labels.non_deterministic != NonDeterministic::command) &&
         version_satisfies(options.version, b.labels.versions);
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) {
    s += l;
    s += '\n';
  }
  return s;
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

// Calls f(block, phrase or nullptr for a plain block, text, item) for every
// evaluation of the document, numbered in document order.
template <class F>
void for_each_item(const Document& doc, const CheckOptions& options, F&& f) {
  int item = 0;
  for (const auto& part : doc.parts) {
    if (!part.block || !runs(*part.block, options)) continue;
    const Block& b = *part.block;
    if (is_toplevel(b.body)) {
      ToplevelBlock t = parse_toplevel(b.body);
      for (const auto& p : t.phrases) f(b, &p, phrase_text(p), item++);
    } else {
      f(b, nullptr, join_lines(b.body), item++);
    }
  }
}

// A file read by #use needs no final ";;"; toplevel input does.
std::string as_toplevel_input(const std::string& file_text) {
  std::string_view s = file_text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s.ends_with(";;") ? file_text : file_text + "\n;;";
}

}  // namespace

std::string item_marker(int item) { return "@@ocamljit-doc " + std::to_string(item) + "@@\n"; }

Result<CheckResult> check_document(const Document& doc, Evaluator& evaluator, const CheckOptions& options) {
  CheckResult res;
  std::set<std::string> started;
  int item = 0;
  for (const auto& part : doc.parts) {
    if (!part.block) {
      res.corrected += part.text;
      continue;
    }
    const Block& b = *part.block;
    if (!runs(b, options)) {
      res.corrected += b.original;
      continue;
    }
    EnvironmentVariables vars(b.labels);
    const std::string& env = b.labels.env;
    if (started.insert(env).second && !options.prelude.empty()) {
      EvalResult r = evaluator.eval(env, false, options.prelude, -1);
      if (!r.ok)
        res.failures.push_back(std::to_string(b.line) + ": the prelude " + options.prelude_name +
                               " failed in this block's environment:\n" + r.output);
    }
    if (!is_toplevel(b.body)) {
      EvalResult r = evaluator.eval(env, false, join_lines(b.body), item++);
      if (!r.ok) res.failures.push_back(std::to_string(b.line) + ": this OCaml block failed:\n" + r.output);
      res.corrected += b.original;
      continue;
    }
    ToplevelBlock t = parse_toplevel(b.body);
    bool changed = false;
    for (auto& p : t.phrases) {
      EvalResult r = evaluator.eval(env, true, phrase_text(p), item++);
      if (b.labels.non_deterministic != NonDeterministic::no && !options.non_deterministic) continue;
      std::vector<std::string> actual = output_lines(r.output);
      if (!output_matches(p.output, actual) && !output_matches(p.output, without_excerpts(actual))) {
        std::vector<std::string> merged = merge_ellipses(p.output, actual);
        p.output = output_matches(merged, actual) ? std::move(merged) : std::move(actual);
        changed = true;
      }
    }
    if (!changed) {
      res.corrected += b.original;
      continue;
    }
    Block nb = b;
    nb.body = layout_toplevel(t);
    if (nb.last_line_open) {
      // A one-line `{[ # phrase;; ]}` grows: put `]}` on a line of its own.
      nb.last_line_open = false;
    }
    res.corrected += render_block(nb);
  }
  return res;
}

std::string phrases_script(const Document& doc, const CheckOptions& options, const std::string& env) {
  std::string s;
  if (!options.prelude.empty()) s += as_toplevel_input(options.prelude) + "\n";
  auto marker = [](const std::string& m) {
    return "let () = flush stderr; print_string \"" + m.substr(0, m.size() - 1) + "\\n\";;\n";
  };
  for_each_item(doc, options, [&](const Block& b, const Phrase* p, const std::string& text, int item) {
    if (b.labels.env != env) return;
    s += marker(item_marker(item));
    s += p ? text : as_toplevel_input(text);
    s += '\n';
  });
  s += marker("@@ocamljit-doc end@@\n");
  return s;
}

std::vector<std::string> document_envs(const Document& doc, const CheckOptions& options) {
  std::vector<std::string> envs;
  std::set<std::string> seen;
  for_each_item(doc, options, [&](const Block& b, const Phrase*, const std::string&, int) {
    if (seen.insert(b.labels.env).second) envs.push_back(b.labels.env);
  });
  return envs;
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

EvalResult ReplayEvaluator::eval(const std::string&, bool, const std::string&, int item) {
  auto it = outputs_.find(item);
  if (it == outputs_.end()) return EvalResult{true, ""};
  return EvalResult{true, it->second};
}

}  // namespace ocamljit::doc
