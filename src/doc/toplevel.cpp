// Toplevel blocks as mdx writes them: a phrase starts with "# ", its
// continuation lines are indented by two more spaces, its output follows
// until the next phrase; blank lines before a phrase belong to its layout.
#include <algorithm>
#include <cctype>
#include <functional>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::size_t indentation(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

bool is_command(std::string_view s) { return s == "#" || s.starts_with("# "); }

bool is_continuation(std::string_view s) { return s.starts_with("  ") || s.starts_with("\t"); }

bool ends_phrase(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s.ends_with(";;");
}

}  // namespace

bool is_toplevel(const std::vector<std::string>& body) {
  for (const auto& l : body) {
    if (is_blank(l)) continue;
    return is_command(std::string_view(l).substr(indentation(l)));
  }
  return false;
}

ToplevelBlock parse_toplevel(const std::vector<std::string>& body) {
  ToplevelBlock t;
  auto first = std::find_if(body.begin(), body.end(), [](const std::string& l) { return !is_blank(l); });
  if (first != body.end()) t.hpad = indentation(*first);
  std::vector<std::string> u;
  for (const auto& l : body) {
    if (is_blank(l)) {
      u.emplace_back();
      continue;
    }
    std::string s = l.substr(std::min(indentation(l), t.hpad));
    if (s.ends_with('\r')) {
      s.pop_back();
      t.crlf = true;
    }
    u.push_back(std::move(s));
  }
  std::size_t n = u.size(), k = 0, blanks = 0;
  while (k < n && u[k].empty()) ++k, ++blanks;
  while (k < n) {
    // Here u[k] is a command (is_toplevel) or, after bad input, output of nothing.
    Phrase p;
    p.vpad = blanks;
    p.line = k;
    if (is_command(u[k])) {
      p.command.push_back(u[k].size() > 2 ? u[k].substr(2) : "");
      bool done = ends_phrase(u[k]);
      ++k;
      while (!done) {
        std::size_t j = k;
        while (j < n && u[j].empty()) ++j;
        if (j >= n || !is_continuation(u[j])) break;
        for (; k < j; ++k) p.command.emplace_back();
        p.command.push_back(u[j].substr(u[j][0] == '\t' ? 1 : 2));
        done = ends_phrase(u[j]);
        k = j + 1;
      }
    }
    std::size_t out_begin = k;
    while (k < n && !is_command(u[k])) ++k;
    std::size_t out_end = k;
    while (out_end > out_begin && u[out_end - 1].empty()) --out_end;
    p.output.assign(u.begin() + static_cast<std::ptrdiff_t>(out_begin), u.begin() + static_cast<std::ptrdiff_t>(out_end));
    blanks = k - out_end;
    t.phrases.push_back(std::move(p));
    if (k >= n)
      for (std::size_t b = out_end; b < n; ++b) t.trailing.push_back(body[b]);
  }
  if (t.phrases.empty())
    for (const auto& l : body) t.trailing.push_back(l);
  return t;
}

std::string phrase_text(const Phrase& p) {
  std::string s;
  for (std::size_t i = 0; i < p.command.size(); ++i) {
    if (i) s += '\n';
    s += p.command[i];
  }
  if (p.command.empty() || !ends_phrase(s)) s += ";;";
  return s;
}

std::vector<std::string> layout_toplevel(const ToplevelBlock& t) {
  std::vector<std::string> lines;
  std::string pad(t.hpad, ' ');
  for (const auto& p : t.phrases) {
    for (std::size_t i = 0; i < p.vpad; ++i) lines.emplace_back();
    for (std::size_t i = 0; i < p.command.size(); ++i) {
      const std::string& c = p.command[i];
      if (i == 0) lines.push_back(c.empty() ? pad + "#" : pad + "# " + c);
      else lines.push_back(c.empty() ? "" : pad + "  " + c);
    }
    for (const auto& o : p.output) lines.push_back(o.empty() ? "" : pad + o);
  }
  if (t.crlf)
    for (auto& l : lines) l += '\r';
  for (const auto& l : t.trailing) lines.push_back(l);
  return lines;
}

std::vector<std::string> output_lines(std::string_view output) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < output.size()) {
    std::size_t nl = output.find('\n', pos);
    if (nl == std::string_view::npos) nl = output.size();
    std::string_view l = output.substr(pos, nl - pos);
    lines.emplace_back(is_blank(l) ? std::string_view() : l);
    pos = nl + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

bool output_matches(const std::vector<std::string>& recorded, const std::vector<std::string>& actual) {
  std::size_t R = recorded.size(), A = actual.size();
  // memo[i * (A + 1) + j]: 0 unknown, 1 false, 2 true
  std::vector<unsigned char> memo((R + 1) * (A + 1), 0);
  std::function<bool(std::size_t, std::size_t)> go = [&](std::size_t i, std::size_t j) -> bool {
    unsigned char& m = memo[i * (A + 1) + j];
    if (m) return m == 2;
    bool r;
    if (i == R) r = j == A;
    else if (recorded[i] == "...") r = go(i + 1, j) || (j < A && go(i, j + 1));
    else r = j < A && recorded[i] == actual[j] && go(i + 1, j + 1);
    m = r ? 2 : 1;
    return r;
  };
  return go(0, 0);
}

}  // namespace ocamljit::doc

namespace ocamljit::doc {

namespace {

bool is_location_line(std::string_view l) {
  return (l.starts_with("Line ") || l.starts_with("Lines ")) && l.find(", characters ") != std::string_view::npos &&
         l.ends_with(":");
}

bool is_excerpt_line(std::string_view l) {
  std::size_t i = 0;
  while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i]))) ++i;
  if (i > 0 && l.substr(i).starts_with(" | ")) return true;
  if (l == "...") return true;
  std::size_t j = 0;
  while (j < l.size() && l[j] == ' ') ++j;
  return j < l.size() && std::all_of(l.begin() + static_cast<std::ptrdiff_t>(j), l.end(), [](char c) { return c == '^'; });
}

}  // namespace

std::vector<std::string> without_excerpts(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  bool after_location = false;
  for (const auto& l : lines) {
    if (after_location && is_excerpt_line(l)) continue;
    after_location = is_location_line(l);
    out.push_back(l);
  }
  return out;
}

}  // namespace ocamljit::doc

namespace ocamljit::doc {

std::vector<std::string> merge_ellipses(const std::vector<std::string>& recorded, const std::vector<std::string>& actual) {
  std::vector<std::string> out;
  std::size_t i = 0, j = 0;
  bool in_sync = true;  // the lines so far agreed, so an ellipsis still means the same lines
  while (i < actual.size()) {
    if (j >= recorded.size()) {
      out.insert(out.end(), actual.begin() + static_cast<std::ptrdiff_t>(i), actual.end());
      break;
    }
    if (recorded[j] != "...") {
      in_sync = actual[i] == recorded[j];
      out.push_back(actual[i++]);
      ++j;
      continue;
    }
    if (j + 1 == recorded.size()) {
      out.emplace_back("...");  // a final ellipsis stands for the rest
      break;
    }
    const std::string& next = recorded[j + 1];
    ++j;
    if (!in_sync || next == "...") continue;
    auto found = std::find(actual.begin() + static_cast<std::ptrdiff_t>(i), actual.end(), next);
    if (found != actual.end() && found != actual.begin() + static_cast<std::ptrdiff_t>(i)) {
      out.emplace_back("...");
      i = static_cast<std::size_t>(found - actual.begin());
    }
  }
  return out;
}

}  // namespace ocamljit::doc
