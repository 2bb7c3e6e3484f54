// mdx labels: which blocks run, where, and with which environment variables.
#include <cctype>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_name_char(c)) return false;
  return true;
}

bool is_version(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  bool prev_dot = false;
  for (char c : s) {
    if (c == '.') {
      if (prev_dot) return false;
      prev_dot = true;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      prev_dot = false;
    } else {
      return false;
    }
  }
  return true;
}

std::vector<long> version_parts(std::string_view s) {
  std::vector<long> parts;
  long n = 0;
  bool any = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      n = n * 10 + (c - '0');
      any = true;
    } else {
      // "4.13.1+flambda": stop at the first non-number suffix.
      if (any) parts.push_back(n);
      n = 0;
      any = false;
      if (c != '.') return parts;
    }
  }
  if (any) parts.push_back(n);
  return parts;
}

Status add_label(Labels& labels, std::string_view label) {
  auto eq = label.find('=');
  std::string_view key = label.substr(0, eq);
  std::optional<std::string_view> value;
  if (eq != std::string_view::npos) value = label.substr(eq + 1);

  if (key.starts_with("version")) {
    std::string_view rest = label.substr(7);
    static const char* ops[] = {"<>", "<=", ">=", "=", "<", ">"};
    for (const char* op : ops) {
      std::string_view o(op);
      if (rest.starts_with(o)) {
        std::string_view v = rest.substr(o.size());
        if (!is_version(v)) return make_error("malformed label `", label, "': bad version `", v, "'");
        labels.versions.push_back({std::string(o), std::string(v)});
        return ok_status();
      }
    }
    return make_error("malformed label `", label, "': expected version=, <>, <, <=, >, >= and a version");
  }
  if (key == "skip" && !value) {
    labels.skip = true;
    return ok_status();
  }
  if (key == "non-deterministic") {
    if (!value || *value == "output") labels.non_deterministic = NonDeterministic::output;
    else if (*value == "command") labels.non_deterministic = NonDeterministic::command;
    else return make_error("malformed label `", label, "': expected non-deterministic[=output|command]");
    return ok_status();
  }
  if (key == "env") {
    if (!value || !is_name(*value)) return make_error("malformed label `", label, "': expected env=NAME");
    labels.env = std::string(*value);
    return ok_status();
  }
  if (key.starts_with("set-")) {
    std::string_view var = key.substr(4);
    if (!value || var.empty() || !is_name(var))
      return make_error("malformed label `", label, "': expected set-VAR=VALUE");
    labels.set_vars.emplace_back(std::string(var), std::string(*value));
    return ok_status();
  }
  if (key.starts_with("unset-")) {
    std::string_view var = key.substr(6);
    if (value || var.empty() || !is_name(var))
      return make_error("malformed label `", label, "': expected unset-VAR");
    labels.unset_vars.emplace_back(var);
    return ok_status();
  }
  // Block types: the block is OCaml already; a toplevel block is recognised by its `#`.
  if ((key == "ocaml" || key == "toplevel") && !value) return ok_status();
  if (key.empty()) return make_error("malformed label `", label, "'");
  return make_error("unknown label `", label, "'");
}

}  // namespace

Result<Labels> parse_labels(std::string_view text) {
  Labels labels;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && text[j] != ',' && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    Status s = add_label(labels, text.substr(i, j - i));
    if (!s) return s.error();
    i = j;
  }
  return labels;
}

bool version_satisfies(std::string_view version, const std::vector<VersionConstraint>& constraints) {
  std::vector<long> have = version_parts(version);
  for (const auto& c : constraints) {
    std::vector<long> want = version_parts(c.version);
    int cmp = 0;
    for (std::size_t k = 0; k < want.size() && cmp == 0; ++k) {
      long h = k < have.size() ? have[k] : 0;
      cmp = h < want[k] ? -1 : h > want[k] ? 1 : 0;
    }
    bool ok = c.op == "=" ? cmp == 0
            : c.op == "<>" ? cmp != 0
            : c.op == "<" ? cmp < 0
            : c.op == "<=" ? cmp <= 0
            : c.op == ">" ? cmp > 0
            : cmp >= 0;
    if (!ok) return false;
  }
  return true;
}

}  // namespace ocamljit::doc
