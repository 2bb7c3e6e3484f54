// Reading documents: Markdown fenced blocks and odoc code blocks in
// .mli/.ml doc comments and .mld files. Everything that is not an OCaml
// block is kept as verbatim text.
#include <algorithm>
#include <cctype>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct Line {
  std::size_t start;      // offset of the first character
  std::string_view text;  // without '\n'
  std::size_t end;        // offset after the '\n' (or end of text)
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      lines.push_back({pos, text.substr(pos), text.size()});
      break;
    }
    lines.push_back({pos, text.substr(pos, nl - pos), nl + 1});
    pos = nl + 1;
  }
  return lines;
}

// ---------------------------------------------------------------------------
// Markdown

struct Fence {
  char ch;
  std::size_t len;
  std::string_view info;
};

std::optional<Fence> fence_opener(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size() || (line[i] != '`' && line[i] != '~')) return std::nullopt;
  char ch = line[i];
  std::size_t j = i;
  while (j < line.size() && line[j] == ch) ++j;
  if (j - i < 3) return std::nullopt;
  std::string_view info = trim(line.substr(j));
  if (ch == '`' && info.find('`') != std::string_view::npos) return std::nullopt;
  return Fence{ch, j - i, info};
}

bool closes(std::string_view line, const Fence& f) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  std::size_t j = i;
  while (j < line.size() && line[j] == f.ch) ++j;
  return j - i >= f.len && is_blank(line.substr(j));
}

constexpr std::string_view mdx_open = "<!-- $MDX";

// mdx's Markdown headings ("# Title" at the start of a line) name sections.
std::optional<std::string_view> heading(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == '#') ++i;
  if (i == 0 || i >= line.size() || line[i] != ' ') return std::nullopt;
  std::string_view title = line.substr(i + 1);
  if (title.ends_with('\r')) title.remove_suffix(1);
  return title;
}

bool is_shell(std::string_view lang) { return lang == "sh" || lang == "bash"; }

// The block's kind from its labels and language, as mdx infers it.
Status classify(Block& b) {
  const Labels& l = b.labels;
  switch (l.kind) {
    case KindLabel::ocaml:
    case KindLabel::toplevel:
      b.kind = BlockKind::ocaml;
      break;
    case KindLabel::cram:
      b.kind = BlockKind::cram;
      break;
    case KindLabel::include:
      b.kind = BlockKind::include;
      break;
    case KindLabel::none:
      b.kind = l.file ? BlockKind::include
             : is_shell(b.language) ? BlockKind::cram
             : b.language == "ocaml" ? BlockKind::ocaml
             : BlockKind::raw;
  }
  return check_block_labels(b);
}

Result<Document> parse_markdown(std::string_view text) {
  Document doc;
  std::vector<Line> lines = split_lines(text);
  std::string pending_text;
  std::optional<std::string_view> pending_labels;  // the text of a label comment
  std::size_t pending_labels_line = 0;
  std::string section;
  auto flush_text = [&] {
    if (!pending_text.empty()) doc.parts.push_back({std::move(pending_text), std::nullopt});
    pending_text.clear();
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    std::string_view t = trim(l.text);
    if (t.starts_with(mdx_open)) {
      if (!t.ends_with("-->"))
        return make_error(i + 1, ": malformed label comment: expected `<!-- $MDX LABELS -->' on one line");
      if (i + 1 >= lines.size() || !fence_opener(lines[i + 1].text))
        return make_error(i + 1, ": `<!-- $MDX ... -->' must come right before a code block");
      pending_labels = t.substr(mdx_open.size(), t.size() - mdx_open.size() - 3);
      pending_labels_line = i + 1;
      pending_text.append(text.substr(l.start, l.end - l.start));
      continue;
    }
    auto fence = fence_opener(l.text);
    if (!fence) {
      if (auto h = heading(l.text)) section = std::string(*h);
      pending_text.append(text.substr(l.start, l.end - l.start));
      continue;
    }
    std::size_t close = i + 1;
    while (close < lines.size() && !closes(lines[close].text, *fence)) ++close;
    bool closed = close < lines.size();
    std::string_view info = fence->info;
    std::size_t word_end = 0;
    while (word_end < info.size() && !std::isspace(static_cast<unsigned char>(info[word_end])) &&
           info[word_end] != ',')
      ++word_end;
    std::string_view lang = info.substr(0, word_end);
    std::size_t end = closed ? lines[close].end : text.size();
    // Errors name the block's lines, label comment included, as mdx does.
    std::size_t first_line = pending_labels ? pending_labels_line : i + 1;
    auto block_error = [&](const Error& e) {
      return make_error(first_line, "-", std::max(first_line, close), ": invalid code block: ", e.message);
    };
    Labels labels;
    if (pending_labels) {
      auto l = parse_labels(*pending_labels);
      if (!l) return block_error(l.error());
      labels = std::move(*l);
    }
    pending_labels.reset();
    // Labels may also follow the language in the info string (mdx's legacy labels).
    if (word_end < info.size()) {
      auto more = parse_labels(info.substr(word_end));
      if (!more) return block_error(more.error());
      merge_labels(labels, *more);
    }
    Block b;
    b.line = i + 1;
    b.first_line = first_line;
    b.labels = std::move(labels);
    b.language = std::string(lang);
    b.section = section;
    b.closed = closed;
    for (std::size_t k = i + 1; k < close; ++k) b.body.emplace_back(lines[k].text);
    if (Status s = classify(b); !s) return block_error(s.error());
    if (b.kind == BlockKind::raw && closed) {
      pending_text.append(text.substr(l.start, end - l.start));
      i = close;
      continue;
    }
    b.header = std::string(text.substr(l.start, l.end - l.start));
    if (closed) {
      b.footer = std::string(text.substr(lines[close].start, end - lines[close].start));
    } else {
      // mdx closes a block left open at the end of the file.
      b.footer = std::string(fence->len, fence->ch) + "\n";
    }
    b.original = std::string(text.substr(l.start, end - l.start));
    // An `mdx-error` block right after an OCaml block records its errors.
    if (closed && b.kind == BlockKind::ocaml && close + 1 < lines.size() &&
        trim(lines[close + 1].text) == "```mdx-error") {
      std::size_t e = close + 2;
      while (e < lines.size() && !closes(lines[e].text, Fence{'`', 3, ""})) ++e;
      if (e < lines.size()) {
        for (std::size_t k = close + 2; k < e; ++k) b.errors.emplace_back(lines[k].text);
        b.errors_original = std::string(text.substr(lines[close + 1].start, lines[e].end - lines[close + 1].start));
        close = e;
      }
    }
    flush_text();
    doc.parts.push_back({"", std::move(b)});
    i = closed ? close : lines.size();
  }
  flush_text();
  return doc;
}

// ---------------------------------------------------------------------------
// odoc

struct LineIndex {
  std::vector<std::size_t> starts;
  explicit LineIndex(std::string_view text) {
    starts.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts.push_back(i + 1);
  }
  std::size_t line_of(std::size_t offset) const {
    return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), offset) - starts.begin());
  }
  std::size_t column_of(std::size_t offset) const { return offset - starts[line_of(offset) - 1]; }
};

// Skips an OCaml string literal starting at text[i] == '"'; returns the
// offset after it, or npos when unterminated.
std::size_t skip_string(std::string_view text, std::size_t i) {
  for (std::size_t k = i + 1; k < text.size(); ++k) {
    if (text[k] == '\\') ++k;
    else if (text[k] == '"') return k + 1;
  }
  return std::string_view::npos;
}

// {id|...|id}: returns the offset after it, i unchanged if not one, npos if unterminated.
std::size_t skip_quoted_string(std::string_view text, std::size_t i) {
  std::size_t k = i + 1;
  while (k < text.size() && (std::islower(static_cast<unsigned char>(text[k])) || text[k] == '_')) ++k;
  if (k >= text.size() || text[k] != '|') return i;
  std::string close = "|" + std::string(text.substr(i + 1, k - i - 1)) + "}";
  std::size_t e = text.find(close, k + 1);
  return e == std::string_view::npos ? std::string_view::npos : e + close.size();
}

// A character literal at text[i] == '\'': returns the offset after it, or i + 1.
std::size_t skip_char(std::string_view text, std::size_t i) {
  if (i + 2 < text.size() && text[i + 1] != '\\' && text[i + 2] == '\'') return i + 3;
  if (i + 1 < text.size() && text[i + 1] == '\\') {
    std::size_t e = text.find('\'', i + 3);
    if (e != std::string_view::npos && e - i <= 5) return e + 1;
  }
  return i + 1;
}

struct Region {
  std::size_t begin, end;
};

// Doc comments `(** ... *)` of an .ml/.mli file, lexed as OCaml does
// (nested comments, strings inside comments).
Result<std::vector<Region>> doc_comments(std::string_view text, const LineIndex& index) {
  std::vector<Region> regions;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      std::size_t e = skip_string(text, i);
      if (e == std::string_view::npos) return make_error(index.line_of(i), ": unterminated string");
      i = e;
    } else if (c == '{') {
      std::size_t e = skip_quoted_string(text, i);
      if (e == std::string_view::npos) return make_error(index.line_of(i), ": unterminated quoted string");
      i = e == i ? i + 1 : e;
    } else if (c == '\'') {
      i = skip_char(text, i);
    } else if (c == '(' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t open = i;
      bool doc = i + 2 < text.size() && text[i + 2] == '*' &&
                 !(i + 3 < text.size() && (text[i + 3] == '*' || text[i + 3] == ')'));
      std::size_t k = i + 2;
      int depth = 1;
      while (k < text.size() && depth > 0) {
        if (text[k] == '(' && k + 1 < text.size() && text[k + 1] == '*') {
          ++depth;
          k += 2;
        } else if (text[k] == '*' && k + 1 < text.size() && text[k + 1] == ')') {
          --depth;
          k += 2;
        } else if (text[k] == '"') {
          std::size_t e = skip_string(text, k);
          if (e == std::string_view::npos) return make_error(index.line_of(k), ": unterminated string in comment");
          k = e;
        } else if (text[k] == '{') {
          std::size_t e = skip_quoted_string(text, k);
          if (e == std::string_view::npos)
            return make_error(index.line_of(k), ": unterminated quoted string in comment");
          k = e == k ? k + 1 : e;
        } else if (text[k] == '\'') {
          k = skip_char(text, k);
        } else {
          ++k;
        }
      }
      if (depth > 0) return make_error(index.line_of(open), ": unclosed comment (opened here)");
      if (doc) regions.push_back({open + 3, k - 2});
      i = k;
    } else {
      ++i;
    }
  }
  return regions;
}

// Lays the content of `{[ ... ]}` out as header, body lines and footer, so
// that a blank rest of the opening line and the indentation before `]}` stay
// outside the body.
void split_body(std::string_view opener, std::string_view inner, Block& b) {
  std::size_t first_nl = inner.find('\n');
  if (first_nl == std::string_view::npos) {
    b.header = std::string(opener);
    if (is_blank(inner)) {
      b.header += std::string(inner);
    } else {
      b.body.emplace_back(inner);
      b.last_line_open = true;
    }
    b.footer = "]}";
    return;
  }
  std::size_t body_begin = is_blank(inner.substr(0, first_nl)) ? first_nl + 1 : 0;
  b.header = std::string(opener) + std::string(inner.substr(0, body_begin));
  std::size_t last_nl = inner.rfind('\n');
  std::string_view last = inner.substr(last_nl + 1);
  if (is_blank(last)) {
    b.footer = std::string(last) + "]}";
    if (body_begin <= last_nl) b.body = split_exact(inner.substr(body_begin, last_nl - body_begin));
  } else {
    b.footer = "]}";
    b.last_line_open = true;
    b.body = split_exact(inner.substr(body_begin));
  }
}

Status code_blocks(std::string_view text, Region r, const LineIndex& index, Document& doc,
                   std::size_t& copied) {
  std::size_t i = r.begin;
  while (i + 1 < r.end) {
    char c = text[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c != '{') {
      ++i;
      continue;
    }
    char n = text[i + 1];
    if (n == 'v' || n == '%') {
      // Verbatim and raw markup: nothing inside is code.
      std::string close = std::string(1, n) + "}";
      std::size_t e = text.find(close, i + 2);
      if (e == std::string_view::npos || e >= r.end)
        return make_error(index.line_of(i), ": unclosed `{", n, "' (opened here)");
      i = e + 2;
      continue;
    }
    std::size_t content;
    Labels labels;
    bool ocaml = true, shell = false;  // ocaml: a block we run (OCaml or shell)
    if (n == '[') {
      content = i + 2;
    } else if (n == '@') {
      std::size_t bracket = text.find('[', i + 2);
      if (bracket == std::string_view::npos || bracket >= r.end)
        return make_error(index.line_of(i), ": malformed code block: `{@' without `['");
      std::string_view meta = text.substr(i + 2, bracket - i - 2);
      std::size_t w = 0;
      while (w < meta.size() && !std::isspace(static_cast<unsigned char>(meta[w]))) ++w;
      std::string_view lang = meta.substr(0, w);
      shell = is_shell(lang);
      ocaml = lang == "ocaml" || shell;
      if (ocaml) {
        auto l = parse_labels(meta.substr(w));
        if (!l) return make_error(index.line_of(i), ": ", l.error().message);
        labels = std::move(*l);
      }
      content = bracket + 1;
    } else {
      ++i;
      continue;
    }
    std::size_t close = text.find("]}", content);
    if (close == std::string_view::npos || close + 2 > r.end)
      return make_error(index.line_of(i), ": unclosed code block (opened here)");
    if (!ocaml) {
      i = close + 2;
      continue;
    }
    Block b;
    b.line = index.line_of(i);
    b.first_line = b.line;
    b.labels = std::move(labels);
    b.language = shell ? "sh" : "ocaml";
    if (shell) b.kind = BlockKind::cram;
    if ((!shell && b.labels.kind == KindLabel::cram) || b.labels.kind == KindLabel::include || b.labels.file)
      return make_error(b.line, ": invalid code block: include blocks are not supported in doc comments");
    split_body(text.substr(i, content - i), text.substr(content, close - content), b);
    b.original = std::string(text.substr(i, close + 2 - i));
    if (i > copied) doc.parts.push_back({std::string(text.substr(copied, i - copied)), std::nullopt});
    doc.parts.push_back({"", std::move(b)});
    copied = close + 2;
    i = close + 2;
  }
  return ok_status();
}

Result<Document> parse_odoc(std::string_view text, bool whole_file) {
  LineIndex index(text);
  std::vector<Region> regions;
  if (whole_file) {
    regions.push_back({0, text.size()});
  } else {
    auto r = doc_comments(text, index);
    if (!r) return r.error();
    regions = std::move(*r);
  }
  Document doc;
  std::size_t copied = 0;
  for (Region r : regions) {
    Status s = code_blocks(text, r, index, doc, copied);
    if (!s) return s.error();
  }
  if (copied < text.size()) doc.parts.push_back({std::string(text.substr(copied)), std::nullopt});
  return doc;
}

}  // namespace

Syntax syntax_of_path(std::string_view path) {
  for (std::string_view ext : {".mli", ".ml", ".mld"})
    if (path.ends_with(ext)) return ext == ".mld" ? Syntax::mld : Syntax::odoc;
  if (path.ends_with(".t")) return Syntax::cram;
  return Syntax::markdown;
}

// ---------------------------------------------------------------------------
// Cram files (.t, mdx's --syntax cram): lines indented by two spaces are
// shell commands and their outputs, a run of them is a block (ended by an
// empty line or an unindented one); `<-- non-deterministic [CHOICE]` right
// before a block labels it; everything else is text. No fences: the
// corrected block is its lines again.

namespace {

constexpr std::string_view cram_non_deterministic = "<-- non-deterministic";

Result<Document> parse_cram_file(std::string_view text) {
  Document doc;
  std::vector<Line> lines = split_lines(text);
  std::string pending_text, section;
  auto flush_text = [&] {
    if (!pending_text.empty()) doc.parts.push_back({std::move(pending_text), std::nullopt});
    pending_text.clear();
  };
  auto indented = [](std::string_view l) { return l.starts_with("  "); };
  for (std::size_t i = 0; i < lines.size();) {
    const Line& l = lines[i];
    bool marker = l.text.starts_with(cram_non_deterministic);
    if (!marker && !indented(l.text)) {
      if (auto h = heading(l.text)) section = std::string(*h);
      pending_text.append(text.substr(l.start, l.end - l.start));
      ++i;
      continue;
    }
    Block b;
    b.line = b.first_line = i + 1;
    b.kind = BlockKind::cram;
    b.language = "sh";
    b.section = section;
    std::size_t first = i;
    if (marker) {
      std::string_view choice = trim(l.text.substr(cram_non_deterministic.size()));
      if (choice.ends_with('\r')) choice.remove_suffix(1);
      b.labels.non_deterministic = choice == "command" ? NonDeterministic::command : NonDeterministic::output;
      b.header = std::string(text.substr(l.start, l.end - l.start));
      ++i;
    }
    while (i < lines.size() && indented(lines[i].text)) b.body.emplace_back(lines[i++].text);
    std::size_t end = i < lines.size() ? lines[i].start : text.size();
    b.original = std::string(text.substr(lines[first].start, end - lines[first].start));
    b.last_line_open = !b.original.empty() && b.original.back() != '\n';
    flush_text();
    doc.parts.push_back({"", std::move(b)});
  }
  flush_text();
  return doc;
}

}  // namespace

Result<Document> parse_document(std::string_view text, Syntax syntax) {
  if (syntax == Syntax::markdown) return parse_markdown(text);
  if (syntax == Syntax::cram) return parse_cram_file(text);
  // .mld files are documentation throughout; .ml/.mli only in doc comments.
  return parse_odoc(text, syntax == Syntax::mld);
}

Status check_block_labels(const Block& b) {
  const Labels& l = b.labels;
  auto not_allowed = [](const char* label, const char* kind) {
    return make_error("`", label, "` label is not allowed for ", kind, " blocks.");
  };
  switch (b.kind) {
    case BlockKind::ocaml: {
      bool top = is_toplevel(b.body);
      if (l.kind == KindLabel::ocaml && top) return make_error("toplevel syntax is not allowed in OCaml blocks.");
      if (l.kind == KindLabel::toplevel && !top) return make_error("invalid toplevel syntax in toplevel blocks.");
      const char* kind = top ? "toplevel" : "OCaml";
      if (l.file) return not_allowed("file", kind);
      if (l.part) return not_allowed("part", kind);
      break;
    }
    case BlockKind::cram:
      if (l.file) return not_allowed("file", "shell");
      if (l.part) return not_allowed("part", "shell");
      if (!l.env.empty()) return not_allowed("env", "shell");
      break;
    case BlockKind::include:
      if (!l.file) return make_error("`file` label is required for include blocks.");
      if (l.non_deterministic != NonDeterministic::no) return not_allowed("non-deterministic", "include");
      if (!l.env.empty()) return not_allowed("env", "include");
      if (l.part && b.language != "ocaml") return not_allowed("part", "non-OCaml include");
      break;
    case BlockKind::raw:
      if (l.part) return make_error("`part` label requires a `file` label.");
      break;
  }
  return ok_status();
}

std::string render_block(const Block& b) {
  std::string s = b.header;
  for (std::size_t i = 0; i < b.body.size(); ++i) {
    s += b.body[i];
    if (i + 1 < b.body.size() || !b.last_line_open) s += '\n';
  }
  return s + b.footer;
}

std::vector<std::string> split_exact(std::string_view s) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  for (;;) {
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) break;
    parts.emplace_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  parts.emplace_back(s.substr(pos));
  return parts;
}

}  // namespace ocamljit::doc
