// Unified diff of two texts, line by line (Myers' O((N+M)D) algorithm),
// printed with GNU diff -u's hunk conventions.
#include <algorithm>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

struct Lines {
  std::vector<std::string_view> lines;
  bool last_has_newline = true;
};

Lines lines_of(std::string_view text) {
  Lines l;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      l.lines.push_back(text.substr(pos));
      l.last_has_newline = false;
      break;
    }
    l.lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return l;
}

enum class Op : unsigned char { equal, del, ins };

// The shortest edit script from a to b.
std::vector<Op> edit_script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const long n = static_cast<long>(a.size()), m = static_cast<long>(b.size());
  const long max = n + m;
  const long off = max + 1;
  std::vector<long> v(static_cast<std::size_t>(2 * max + 3), 0);
  std::vector<std::vector<long>> trace;
  long d_end = 0;
  for (long d = 0; d <= max; ++d) {
    // Only diagonals -(d+1)..d+1 are read back for step d.
    trace.emplace_back(v.begin() + (off - d - 1), v.begin() + (off + d + 2));
    bool done = false;
    for (long k = -d; k <= d; k += 2) {
      long x;
      if (k == -d || (k != d && v[static_cast<std::size_t>(off + k - 1)] < v[static_cast<std::size_t>(off + k + 1)]))
        x = v[static_cast<std::size_t>(off + k + 1)];
      else
        x = v[static_cast<std::size_t>(off + k - 1)] + 1;
      long y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) ++x, ++y;
      v[static_cast<std::size_t>(off + k)] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
    if (done) {
      d_end = d;
      break;
    }
  }
  // Walk the trace backwards.
  std::vector<Op> ops;
  long x = n, y = m;
  for (long d = d_end; d > 0; --d) {
    const std::vector<long>& pv = trace[static_cast<std::size_t>(d)];
    const long poff = d + 1;
    long k = x - y;
    long prev_k;
    if (k == -d || (k != d && pv[static_cast<std::size_t>(poff + k - 1)] < pv[static_cast<std::size_t>(poff + k + 1)]))
      prev_k = k + 1;
    else
      prev_k = k - 1;
    long prev_x = pv[static_cast<std::size_t>(poff + prev_k)];
    long prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      ops.push_back(Op::equal);
      --x, --y;
    }
    ops.push_back(x == prev_x ? Op::ins : Op::del);
    x = prev_x;
    y = prev_y;
  }
  while (x > 0 && y > 0) {
    ops.push_back(Op::equal);
    --x, --y;
  }
  std::reverse(ops.begin(), ops.end());
  // Within a run of changes, deletions first (as diff -u prints them).
  for (std::size_t i = 0; i < ops.size();) {
    if (ops[i] == Op::equal) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < ops.size() && ops[j] != Op::equal) ++j;
    std::stable_partition(ops.begin() + static_cast<std::ptrdiff_t>(i), ops.begin() + static_cast<std::ptrdiff_t>(j),
                          [](Op o) { return o == Op::del; });
    i = j;
  }
  return ops;
}

std::string range(std::size_t start, std::size_t count) {
  // start is 0-based; an empty range names the line before it.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text, std::string_view old_name,
                         std::string_view new_name) {
  Lines a = lines_of(old_text), b = lines_of(new_text);
  std::vector<Op> ops = edit_script(a.lines, b.lines);
  if (std::all_of(ops.begin(), ops.end(), [](Op o) { return o == Op::equal; }) &&
      a.last_has_newline == b.last_has_newline)
    return "";
  // A missing final newline makes the last line differ.
  if (a.last_has_newline != b.last_has_newline && !ops.empty() && ops.back() == Op::equal) {
    ops.back() = Op::del;
    ops.push_back(Op::ins);
  }
  struct Pos {
    std::size_t i, ai, bi;
  };
  std::vector<Pos> pos;  // position of each op
  {
    std::size_t ai = 0, bi = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      pos.push_back({i, ai, bi});
      if (ops[i] != Op::ins) ++ai;
      if (ops[i] != Op::del) ++bi;
    }
  }
  const std::size_t context = 3;
  std::string out;
  out += "--- ";
  out += old_name;
  out += "\n+++ ";
  out += new_name;
  out += "\n";
  std::size_t i = 0;
  while (i < ops.size()) {
    if (ops[i] == Op::equal) {
      ++i;
      continue;
    }
    std::size_t start = i >= context ? i - context : 0;
    // Extend while the next change is within 2 * context equal lines.
    std::size_t end = i;
    for (;;) {
      while (end < ops.size() && ops[end] != Op::equal) ++end;
      std::size_t next = end;
      while (next < ops.size() && ops[next] == Op::equal) ++next;
      if (next < ops.size() && next - end <= 2 * context) {
        end = next;
        continue;
      }
      end = std::min(ops.size(), end + context);
      break;
    }
    std::size_t acount = 0, bcount = 0;
    for (std::size_t k = start; k < end; ++k) {
      if (ops[k] != Op::ins) ++acount;
      if (ops[k] != Op::del) ++bcount;
    }
    out += "@@ -" + range(pos[start].ai, acount) + " +" + range(pos[start].bi, bcount) + " @@\n";
    for (std::size_t k = start; k < end; ++k) {
      std::string_view line;
      bool no_newline = false;
      if (ops[k] == Op::ins) {
        line = b.lines[pos[k].bi];
        no_newline = !b.last_has_newline && pos[k].bi + 1 == b.lines.size();
        out += '+';
      } else {
        line = a.lines[pos[k].ai];
        no_newline = !a.last_has_newline && pos[k].ai + 1 == a.lines.size();
        if (ops[k] == Op::equal) no_newline = no_newline || (!b.last_has_newline && pos[k].bi + 1 == b.lines.size());
        out += ops[k] == Op::del ? '-' : ' ';
      }
      out += line;
      out += '\n';
      if (no_newline) out += "\\ No newline at end of file\n";
    }
    i = end;
  }
  return out;
}

}  // namespace ocamljit::doc
