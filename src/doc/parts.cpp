// Parts of the files that `file=`/`part=` blocks include, delimited as mdx
// delimits them: `(* $MDX part-begin=NAME *)` ... `(* $MDX part-end *)`, or
// `[@@@part "NAME"]` starting a part that runs to the next one.
#include <algorithm>
#include <regex>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

struct FilePart {
  std::string name;  // "" : text outside any named part
  std::vector<std::string> lines;
  // Ended by a `[@@@part]` separator: mdx drops its blank first and last
  // lines and starts it with a newline.
  bool trimmed = false;
};

enum class DelimiterKind { none, begin, attribute, end };

struct Delimiter {
  DelimiterKind kind = DelimiterKind::none;
  std::string name;    // the part's name (begin, attribute)
  std::string prefix;  // text before `(* $MDX part-end *)` on its line
};

Delimiter delimiter(const std::string& line) {
  static const std::regex attribute(R"re(^\s*\[@@@\s*([A-Za-z0-9_-]+)\s*"([A-Za-z0-9_-]+)"\s*\]\s*(;;)?\s*$)re");
  static const std::regex assign(R"re(\(\*\s+\$MDX\s+([A-Za-z0-9_-]+)=([A-Za-z0-9_-]+)\s+\*\))re");
  static const std::regex simple(R"re(\(\*\s+\$MDX\s+([A-Za-z0-9_-]+)\s+\*\))re");
  std::smatch m;
  if (std::regex_match(line, m, attribute))
    return m[1] == "part" ? Delimiter{DelimiterKind::attribute, m[2].str(), ""} : Delimiter{};
  if (std::regex_search(line, m, assign) && m[1] == "part-begin") return {DelimiterKind::begin, m[2].str(), ""};
  if (std::regex_search(line, m, simple) && m[1] == "part-end") {
    std::string prefix = m.prefix().str();
    bool blank = prefix.find_first_not_of(" \t") == std::string::npos;
    return {DelimiterKind::end, "", blank ? "" : prefix};
  }
  return {};
}

std::vector<std::string> file_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

Result<std::vector<FilePart>> split_parts(const std::string& path, std::string_view text) {
  std::vector<std::string> lines = file_lines(text);
  std::vector<FilePart> parts;
  FilePart cur;
  bool in_named = false;  // inside part-begin ... part-end
  auto fail = [&](std::size_t line, const std::string& msg) {
    return make_error("In file ", path, ", line ", line, ": ", msg);
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    Delimiter d = delimiter(lines[i]);
    switch (d.kind) {
      case DelimiterKind::none:
        cur.lines.push_back(lines[i]);
        break;
      case DelimiterKind::end:
        if (!in_named) return fail(i + 1, "There is no part to end.");
        if (!d.prefix.empty()) cur.lines.push_back(d.prefix);
        parts.push_back(std::move(cur));
        cur = FilePart{};
        in_named = false;
        break;
      case DelimiterKind::begin:
      case DelimiterKind::attribute:
        if (in_named) return fail(i + 1, "Part " + cur.name + " has no end.");
        cur.trimmed = d.kind == DelimiterKind::attribute;
        if (!cur.lines.empty() || d.kind == DelimiterKind::attribute) parts.push_back(std::move(cur));
        cur = FilePart{d.name, {}};
        in_named = d.kind == DelimiterKind::begin;
        break;
    }
  }
  if (in_named) return fail(lines.size() + 1, "File ended before part " + cur.name + " ended.");
  parts.push_back(std::move(cur));
  return parts;
}

std::string join(const std::vector<std::string>& lines);

std::string body(const FilePart& p) {
  if (!p.trimmed) return join(p.lines);
  auto first = std::find_if(p.lines.begin(), p.lines.end(), [](const std::string& l) { return !l.empty(); });
  auto last = std::find_if(p.lines.rbegin(), p.lines.rend(), [](const std::string& l) { return !l.empty(); }).base();
  std::string s(1, '\n');
  if (first < last) s += join(std::vector<std::string>(first, last));
  return s;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) s += '\n';
    s += lines[i];
  }
  return s;
}

}  // namespace

Result<std::string> read_part(const std::string& path, const std::optional<std::string>& part) {
  auto text = read_file(path);
  if (!text) return make_error(path, ": No such file or directory");
  auto parts = split_parts(path, *text);
  if (!parts) return parts.error();
  std::string contents;
  if (part) {
    auto it = std::find_if(parts->begin(), parts->end(), [&](const FilePart& p) { return p.name == *part; });
    if (it == parts->end()) return make_error("Cannot find part \"", *part, "\" in ", path);
    contents = body(*it);
  } else {
    std::vector<std::string> bodies;
    for (const auto& p : *parts) bodies.push_back(body(p));
    contents = join(bodies);
  }
  while (!contents.empty() && std::string_view(" \t\n\r\v\f").find(contents.back()) != std::string_view::npos)
    contents.pop_back();
  std::size_t lead = 0;
  while (lead < contents.size() && contents[lead] == '\n') ++lead;
  return contents.substr(lead);
}

}  // namespace ocamljit::doc
