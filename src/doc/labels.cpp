// mdx labels: which blocks run, where, and with which environment variables.
#include <cctype>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

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

// A label is NAME, or NAME OP VALUE with OP one of = <> < <= > >= (as mdx
// splits it); the messages are mdx's.
Status add_label(Labels& labels, std::string_view label) {
  std::size_t n = 0;
  while (n < label.size() && (std::isalnum(static_cast<unsigned char>(label[n])) || label[n] == '-' || label[n] == '_')) ++n;
  std::string_view name = label.substr(0, n);
  std::optional<std::string> op;
  std::string value;
  for (std::string_view o : {"<=", ">=", "<>", "<", ">", "="}) {
    if (label.substr(n).starts_with(o)) {
      op = std::string(o);
      value = std::string(label.substr(n + o.size()));
      break;
    }
  }
  if (!op) name = label;
  auto no_value = [&]() -> Status {
    if (op) return make_error("Label `", name, "` does not allow a value.");
    return ok_status();
  };
  auto eq_value = [&]() -> Status {
    if (!op) return make_error("Label `", name, "` requires a value.");
    if (*op != "=") return make_error("Label `", name, "` requires assignment using the `=` operator.");
    return ok_status();
  };
  if (name == "skip") {
    if (Status s = no_value(); !s) return s;
    labels.skip = true;
  } else if (name.starts_with("unset-") && name.size() > 6) {
    if (Status s = no_value(); !s) return s;
    labels.unset_vars.emplace_back(name.substr(6));
  } else if (name == "version") {
    if (!op) return make_error("Label `version` requires a value.");
    if (!is_version(value)) return make_error("Invalid `version` label value: ", value, ".");
    labels.versions.push_back({*op, value});
  } else if (name == "os_type") {
    if (!op) return make_error("Label `os_type` requires a value.");
    if (*op != "=" && *op != "<>")
      return make_error("Label `os_type` requires assignment using the `=` or `<>` operator.");
    labels.os_types.emplace_back(*op, value);
  } else if (name == "non-deterministic") {
    if (!op) {
      labels.non_deterministic = NonDeterministic::output;
    } else if (*op != "=") {
      return make_error("Label `non-deterministic` requires assignment using the `=` operator.");
    } else if (value == "output") {
      labels.non_deterministic = NonDeterministic::output;
    } else if (value == "command") {
      labels.non_deterministic = NonDeterministic::command;
    } else {
      return make_error("\"", value, "\" is not a valid value for label `non-deterministic`. Valid values are <none>, \"command\" and \"output\".");
    }
  } else if (name == "dir" || name == "source-tree" || name == "file" || name == "part" || name == "env" ||
             (name.starts_with("set-") && name.size() > 4)) {
    if (Status s = eq_value(); !s) return s;
    if (name == "dir") labels.dir = value;
    else if (name == "source-tree") labels.source_tree = value;
    else if (name == "file") labels.file = value;
    else if (name == "part") labels.part = value;
    else if (name == "env") labels.env = value;
    else labels.set_vars.emplace_back(std::string(name.substr(4)), value);
  } else if (name == "ocaml" || name == "toplevel" || name == "cram" || name == "include") {
    if (Status s = no_value(); !s) return s;
    labels.kind = name == "ocaml" ? KindLabel::ocaml
                : name == "toplevel" ? KindLabel::toplevel
                : name == "cram" ? KindLabel::cram
                : KindLabel::include;
  } else {
    return make_error("`", name.empty() ? label : name, "` is not a valid label.");
  }
  return ok_status();
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

void merge_labels(Labels& into, const Labels& m) {
  into.skip = into.skip || m.skip;
  if (m.kind != KindLabel::none) into.kind = m.kind;
  if (m.non_deterministic != NonDeterministic::no) into.non_deterministic = m.non_deterministic;
  if (!m.env.empty()) into.env = m.env;
  using Field = std::optional<std::string> Labels::*;
  for (Field f : {&Labels::dir, &Labels::source_tree, &Labels::file, &Labels::part})
    if (m.*f) into.*f = m.*f;
  into.set_vars.insert(into.set_vars.end(), m.set_vars.begin(), m.set_vars.end());
  into.unset_vars.insert(into.unset_vars.end(), m.unset_vars.begin(), m.unset_vars.end());
  into.versions.insert(into.versions.end(), m.versions.begin(), m.versions.end());
  into.os_types.insert(into.os_types.end(), m.os_types.begin(), m.os_types.end());
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
