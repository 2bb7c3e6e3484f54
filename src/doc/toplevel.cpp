// Toplevel blocks as mdx reads and writes them: a phrase starts with "# ",
// its continuation lines are indented by two more spaces, its output follows
// until the next phrase; blank lines before a phrase belong to its layout.
// Also what mdx records of an evaluation's output, and its output matching.
#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>

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

bool is_continuation(std::string_view s) { return s.starts_with("  "); }

// mdx ends a phrase at a line ending with ";;" exactly.
bool ends_phrase(std::string_view s) { return s.ends_with(";;"); }

std::string rstrip_blanks(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

bool is_ellipsis(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s == "...";
}

}  // namespace

bool is_toplevel(const std::vector<std::string>& body) {
  for (const auto& l : body) {
    if (is_blank(l)) continue;
    std::string_view t = std::string_view(l).substr(indentation(l));
    return t.size() > 1 && t[0] == '#';
  }
  return false;
}

ToplevelBlock parse_toplevel(const std::vector<std::string>& body) {
  ToplevelBlock t;
  auto first = std::find_if(body.begin(), body.end(), [](const std::string& l) { return !is_blank(l); });
  if (first != body.end()) t.hpad = indentation(*first);
  std::vector<std::string> u;
  for (const auto& l : body) {
    std::string s = l;
    if (s.ends_with('\r')) {
      s.pop_back();
      t.crlf = true;
    }
    if (s.empty()) {
      u.emplace_back();
      continue;
    }
    u.push_back(s.substr(std::min(indentation(s), t.hpad)));
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
        p.command.push_back(u[j].substr(2));
        done = ends_phrase(u[j]);
        k = j + 1;
      }
    }
    std::size_t out_begin = k;
    while (k < n && !is_command(u[k])) ++k;
    std::size_t out_end = k;
    // Blank lines before the next phrase are its padding; after the last
    // phrase they stay in its output, as mdx reads them.
    if (k < n)
      while (out_end > out_begin && u[out_end - 1].empty()) --out_end;
    p.output.assign(u.begin() + static_cast<std::ptrdiff_t>(out_begin), u.begin() + static_cast<std::ptrdiff_t>(out_end));
    blanks = k - out_end;
    t.phrases.push_back(std::move(p));
  }
  return t;
}

std::string phrase_text(const Phrase& p) {
  std::string s;
  for (std::size_t i = 0; i < p.command.size(); ++i) {
    if (i) s += "\n  ";
    s += p.command[i];
  }
  if (p.command.empty() || !ends_phrase(p.command.back())) s += "\n;;";
  return s;
}

std::vector<std::string> code_sentences(const std::vector<std::string>& lines) {
  std::vector<std::string> sentences;
  std::string cur;
  bool any = false, nonblank = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (any) cur += '\n';
    if (i) cur += "  ";
    cur += lines[i];
    any = true;
    nonblank = nonblank || !is_blank(lines[i]);
    if (ends_phrase(lines[i])) {
      if (nonblank) sentences.push_back(std::move(cur));
      cur.clear();
      any = nonblank = false;
    }
  }
  if (nonblank) sentences.push_back(cur + "\n;;");
  return sentences;
}

std::vector<std::string> layout_toplevel(const ToplevelBlock& t) {
  std::vector<std::string> lines;
  std::string pad(t.hpad, ' ');
  for (const auto& p : t.phrases) {
    for (std::size_t i = 0; i < p.vpad; ++i) lines.emplace_back();
    for (std::size_t i = 0; i < p.command.size(); ++i) {
      const std::string& c = p.command[i];
      if (i == 0) lines.push_back(pad + "# " + c);
      else lines.push_back(c.empty() ? "" : pad + "  " + c);
    }
    for (const auto& o : p.output) lines.push_back(o.empty() ? "" : is_ellipsis(o) ? pad + "..." : pad + o);
  }
  if (t.crlf)
    for (auto& l : lines) l += '\r';
  return lines;
}

std::string strip_ansi(std::string_view line) {
  std::string s;
  bool skipping = false;
  for (char c : line) {
    if (skipping) skipping = c != 'm';
    else if (c == '\x1b') skipping = true;
    else s += c;
  }
  return s;
}

bool output_matches(const std::vector<std::string>& recorded, const std::vector<std::string>& actual) {
  std::size_t R = recorded.size(), A = actual.size();
  auto line_equal = [](std::string_view r, std::string_view l) {
    if (r == l) return true;
    // "prefix..." stands for any line starting with "prefix".
    return r.size() > 3 && r.ends_with("...") && l.size() + 4 > r.size() && l.starts_with(r.substr(0, r.size() - 3));
  };
  // memo[i * (A + 1) + j]: 0 unknown, 1 false, 2 true
  std::vector<unsigned char> memo((R + 1) * (A + 1), 0);
  std::function<bool(std::size_t, std::size_t)> go = [&](std::size_t i, std::size_t j) -> bool {
    unsigned char& m = memo[i * (A + 1) + j];
    if (m) return m == 2;
    bool r;
    if (i == R) r = j == A;
    else if (is_ellipsis(recorded[i])) r = i + 1 == R || go(i + 1, j) || (j < A && go(i, j + 1));
    else r = j < A && line_equal(recorded[i], actual[j]) && go(i + 1, j + 1);
    m = r ? 2 : 1;
    return r;
  };
  return go(0, 0);
}

std::vector<std::string> merge_ellipses(const std::vector<std::string>& recorded, const std::vector<std::string>& actual) {
  std::vector<std::string> out;
  std::size_t i = 0, j = 0;  // actual, recorded
  bool in_sync = true;
  for (;;) {
    if (j >= recorded.size()) {
      out.insert(out.end(), actual.begin() + static_cast<std::ptrdiff_t>(i), actual.end());
      return out;
    }
    if (j + 1 == recorded.size() && is_ellipsis(recorded[j])) {
      out.insert(out.end(), actual.begin() + static_cast<std::ptrdiff_t>(i), actual.end());
      out.emplace_back("...");
      return out;
    }
    if (i >= actual.size()) return out;
    if (!is_ellipsis(recorded[j])) {
      in_sync = actual[i] == recorded[j];
      out.push_back(actual[i++]);
      ++j;
      continue;
    }
    const std::string& next = recorded[j + 1];
    ++j;
    if (is_ellipsis(next) || !in_sync) continue;
    // An ellipsis still in step stands for the lines up to the next recorded one.
    auto found = std::find(actual.begin() + static_cast<std::ptrdiff_t>(i), actual.end(), next);
    if (found != actual.end()) {
      out.emplace_back("...");
      i = static_cast<std::size_t>(found - actual.begin());
    }
  }
}

namespace {

bool is_location_line(std::string_view l) {
  return (l.starts_with("Line ") || l.starts_with("Lines ")) && l.find(", characters ") != std::string_view::npos &&
         l.ends_with(":");
}

bool is_excerpt_line(std::string_view l) {
  std::size_t i = 0;
  while (i < l.size() && std::isdigit(static_cast<unsigned char>(l[i]))) ++i;
  if (i > 0 && (l.substr(i).starts_with(" | ") || l.substr(i) == " |")) return true;
  if (l == "...") return true;
  std::size_t j = 0;
  while (j < l.size() && l[j] == ' ') ++j;
  return j < l.size() && std::all_of(l.begin() + static_cast<std::ptrdiff_t>(j), l.end(), [](char c) { return c == '^'; });
}

// Columns of a toplevel location as mdx prints them: mdx shifts every
// position of a phrase by its start, which moves columns one to the right.
std::string shift_columns(const std::string& line) {
  static const std::regex location(R"(^(Lines? [0-9-]+, characters )([0-9]+)-([0-9]+):$)");
  static const std::regex raised(R"(^(.*\("//toplevel//", [0-9]+, )([0-9]+)(\).*)$)");
  std::smatch m;
  if (std::regex_match(line, m, location))
    return m[1].str() + std::to_string(std::stol(m[2].str()) + 1) + "-" + std::to_string(std::stol(m[3].str()) + 1) + ":";
  if (line.starts_with("Exception: ") && std::regex_match(line, m, raised))
    return m[1].str() + std::to_string(std::stol(m[2].str()) + 1) + m[3].str();
  return line;
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

namespace {

// Location lines as mdx prints them, source excerpts removed.
std::string mdx_locations(std::string_view piece) {
  std::string out;
  bool first = true;
  for (const auto& l : without_excerpts(split_exact(piece))) {
    if (!first) out += '\n';
    first = false;
    out += shift_columns(l);
  }
  return out;
}

}  // namespace

std::vector<std::string> mdx_output(std::string_view raw) {
  // Pieces: the text before an answer, the answer, the text after it.
  std::vector<std::string> pieces;
  std::string cur;
  for (char c : raw) {
    if (c == answer_begin || c == answer_end) {
      if (!cur.empty()) pieces.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) pieces.push_back(std::move(cur));
  for (auto& p : pieces) {
    p = mdx_locations(p);
    if (p.starts_with('\n')) p.erase(0, 1);
    if (p.ends_with('\n')) p.pop_back();
  }
  while (!pieces.empty() && pieces.front().empty()) pieces.erase(pieces.begin());
  while (!pieces.empty() && pieces.back().empty()) pieces.pop_back();
  std::vector<std::string> lines;
  for (const auto& p : pieces)
    for (const auto& l : split_exact(p)) lines.push_back(rstrip_blanks(l));
  return lines;
}

}  // namespace ocamljit::doc
