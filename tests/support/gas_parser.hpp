// TEST-ONLY. Reads the GNU as text that OCaml 4.13.1's X86_gas prints
// (`ocamlopt -S`) back into an ir::Program, so that tests can feed the
// assembler the very program that GNU as assembles and compare the two.
// It knows only X86_gas's output conventions; it is never on the product
// path (the product receives ir::Program from the compiler directly).
#pragma once

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.hpp"
#include "ir/register_names.hpp"
#include "support/error.hpp"

namespace ocamljit::testing {

namespace gas_detail {

inline bool is_sym_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' || c == '@';
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Texts are copied into the Program (Program::keep): the parsed text need not outlive it.
struct CstParser {
  ir::Program& prog;
  std::string_view s;
  size_t i = 0;
  bool ok = true;
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  ir::Constant atom() {
    ws();
    ir::Constant c;
    if (i >= s.size()) { ok = false; return c; }
    if (s[i] == '(') {
      ++i;
      c = expr();
      ws();
      if (i < s.size() && s[i] == ')') ++i; else ok = false;
      return c;
    }
    bool neg = false;
    if (s[i] == '-') { neg = true; ++i; }
    if (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      uint64_t v = 0;
      if (s[i] == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) {
          char d = s[i++];
          v = v * 16 + static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(d)) ? d - '0' : (std::tolower(d) - 'a' + 10));
        }
      } else {
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + static_cast<uint64_t>(s[i++] - '0');
      }
      c.kind = ir::Constant::Kind::Int;
      c.value = static_cast<int64_t>(neg ? 0 - v : v);  // wraps like the printed int64
      return c;
    }
    if (neg) { ok = false; return c; }
    if (s[i] == '.' && (i + 1 >= s.size() || !is_sym_char(s[i + 1]))) {
      ++i;
      c.kind = ir::Constant::Kind::This;
      return c;
    }
    size_t b = i;
    while (i < s.size() && is_sym_char(s[i])) ++i;
    if (b == i) { ok = false; return c; }
    c.kind = ir::Constant::Kind::Label;
    c.label = prog.keep(s.substr(b, i - b));
    return c;
  }
  ir::Constant expr() {
    ir::Constant left = atom();
    for (;;) {
      ws();
      if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return left;
      char op = s[i++];
      ir::Constant right = atom();
      left = prog.combine(op == '+' ? ir::Constant::Kind::Add : ir::Constant::Kind::Sub, left, right);
    }
  }
};

inline bool parse_constant(ir::Program& prog, std::string_view text, ir::Constant& out) {
  CstParser p{prog, text};
  out = p.expr();
  p.ws();
  return p.ok && p.i == text.size();
}

inline bool parse_string_literal(std::string_view s, std::string& out) {
  s = trim(s);
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  s = s.substr(1, s.size() - 2);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') { out += s[i]; continue; }
    ++i;
    if (i >= s.size()) return false;
    if (s[i] >= '0' && s[i] <= '7') {
      int v = 0, n = 0;
      while (n < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7') { v = v * 8 + (s[i] - '0'); ++i; ++n; }
      --i;
      out += static_cast<char>(v);
    } else if (s[i] == 'n') out += '\n';
    else if (s[i] == 't') out += '\t';
    else out += s[i];
  }
  return true;
}

inline bool reg_by_name(std::string_view n, ir::Arg& a) {
  for (int k = 0; k < 16; ++k) {
    auto set = [&](ir::Arg::Kind kind) {
      a.kind = kind;
      a.reg = static_cast<ir::Reg64>(k);
      return true;
    };
    if (n == ir::kReg64Names[k]) return set(ir::Arg::Kind::Reg64);
    if (n == ir::kReg32Names[k]) return set(ir::Arg::Kind::Reg32);
    if (n == ir::kReg16Names[k]) return set(ir::Arg::Kind::Reg16);
    if (n == ir::kReg8LNames[k]) return set(ir::Arg::Kind::Reg8L);
  }
  for (int k = 0; k < 4; ++k)
    if (n == ir::kReg8HNames[k]) {
      a.kind = ir::Arg::Kind::Reg8H;
      a.reg8h = static_cast<ir::Reg8H>(k);
      return true;
    }
  if (n.substr(0, 3) == "xmm") {
    a.kind = ir::Arg::Kind::Xmm;
    a.xmm = std::stoi(std::string(n.substr(3)));
    return true;
  }
  return false;
}

inline bool parse_arg(ir::Program& prog, std::string_view t, ir::DataType typ, ir::Arg& a,
                      bool branch = false) {
  t = trim(t);
  if (t.empty()) return false;
  bool star = t[0] == '*';
  if (star) t.remove_prefix(1);
  if (t[0] == '$') {
    t.remove_prefix(1);
    ir::Constant c;
    if (!t.empty() && (std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '-')) {
      if (!parse_constant(prog, t, c) || c.kind != ir::Constant::Kind::Int) return false;
      a.kind = ir::Arg::Kind::Imm;
      a.imm = c.value;
      return true;
    }
    a.kind = ir::Arg::Kind::Sym;
    a.sym = prog.keep(t);
    return true;
  }
  if (t[0] == '%') return reg_by_name(t.substr(1), a);
  // Memory: [sym][+-displ][(base,idx,scale)] or sym[+-displ](%rip).
  size_t paren = t.find('(');
  std::string_view head = t.substr(0, paren);
  std::string_view sym;
  int64_t displ = 0;
  if (!head.empty()) {
    size_t k = 0;
    if (!std::isdigit(static_cast<unsigned char>(head[0])) && head[0] != '-') {
      while (k < head.size() && is_sym_char(head[k])) ++k;
      sym = prog.keep(head.substr(0, k));
    }
    if (k < head.size()) {
      ir::Constant c;
      std::string_view rest = head.substr(k);
      if (rest[0] == '+') rest.remove_prefix(1);
      if (!parse_constant(prog, rest, c) || c.kind != ir::Constant::Kind::Int) return false;
      displ = c.value;
    }
  }
  if (paren == std::string_view::npos) {
    a.kind = ir::Arg::Kind::Mem;
    a.mem.type = typ;
    a.mem.scale = 0;
    a.mem.displ = displ;
    if (!sym.empty()) a.mem.sym = sym;
    else if (head.empty()) return false;
    if (branch && !star && !sym.empty() && displ == 0) {
      // A bare symbol: a call/jmp target.
      a.kind = ir::Arg::Kind::Sym;
      a.sym = prog.keep(head);
    }
    return true;
  }
  std::string_view inner = t.substr(paren + 1);
  if (inner.empty() || inner.back() != ')') return false;
  inner.remove_suffix(1);
  if (inner == "%rip") {
    a.kind = ir::Arg::Kind::MemRip;
    a.rip_type = typ;
    a.sym = sym;
    a.displ = displ;
    return true;
  }
  std::vector<std::string_view> parts;
  size_t b = 0;
  for (size_t k = 0; k <= inner.size(); ++k)
    if (k == inner.size() || inner[k] == ',') { parts.push_back(trim(inner.substr(b, k - b))); b = k + 1; }
  a.kind = ir::Arg::Kind::Mem;
  a.mem.type = typ;
  a.mem.displ = displ;
  if (!sym.empty()) a.mem.sym = sym;
  ir::Arg r;
  if (parts.size() == 1) {
    if (parts[0].empty() || parts[0][0] != '%' || !reg_by_name(parts[0].substr(1), r)) return false;
    a.mem.idx = r.reg;
    a.mem.scale = 1;
    return true;
  }
  if (!parts[0].empty()) {
    if (parts[0][0] != '%' || !reg_by_name(parts[0].substr(1), r)) return false;
    a.mem.base = r.reg;
  }
  if (parts[1].empty() || parts[1][0] != '%' || !reg_by_name(parts[1].substr(1), r)) return false;
  a.mem.idx = r.reg;
  a.mem.scale = parts.size() > 2 ? std::stoi(std::string(parts[2])) : 1;
  return true;
}

inline bool cond_by_name(std::string_view n, ir::Cond& c) {
  static const std::pair<const char*, ir::Cond> conds[] = {
      {"e", ir::Cond::E},   {"ae", ir::Cond::AE}, {"a", ir::Cond::A},   {"ge", ir::Cond::GE},
      {"g", ir::Cond::G},   {"ne", ir::Cond::NE}, {"b", ir::Cond::B},   {"be", ir::Cond::BE},
      {"l", ir::Cond::L},   {"le", ir::Cond::LE}, {"np", ir::Cond::NP}, {"p", ir::Cond::P},
      {"ns", ir::Cond::NS}, {"s", ir::Cond::S},   {"no", ir::Cond::NO}, {"o", ir::Cond::O}};
  for (auto& [name, cc] : conds)
    if (n == name) { c = cc; return true; }
  return false;
}

inline ir::DataType suffix_type(char c) {
  switch (c) {
    case 'b': return ir::DataType::Byte;
    case 'w': return ir::DataType::Word;
    case 'l': return ir::DataType::Dword;
    case 'q': return ir::DataType::Qword;
    default: return ir::DataType::None;
  }
}

inline bool parse_instruction(ir::Program& prog, std::string_view mn, std::string_view ops,
                              ir::Instr& ins) {
  using Op = ir::Op;
  // Mnemonics printed without a size suffix.
  static const std::pair<const char*, Op> plain[] = {
      {"addsd", Op::ADDSD}, {"andpd", Op::ANDPD}, {"bswap", Op::BSWAP}, {"call", Op::CALL},
      {"cltd", Op::CDQ}, {"comisd", Op::COMISD}, {"cqto", Op::CQO}, {"cvtsd2si", Op::CVTSD2SI},
      {"cvtsd2ss", Op::CVTSD2SS}, {"cvtss2sd", Op::CVTSS2SD}, {"divsd", Op::DIVSD},
      {"hlt", Op::HLT}, {"jmp", Op::JMP}, {"leave", Op::LEAVE}, {"movabsq", Op::MOV},
      {"movapd", Op::MOVAPD}, {"movlpd", Op::MOVLPD}, {"movsd", Op::MOVSD}, {"movss", Op::MOVSS},
      {"movslq", Op::MOVSXD}, {"mulsd", Op::MULSD}, {"neg", Op::NEG}, {"nop", Op::NOP},
      {"ret", Op::RET}, {"sqrtsd", Op::SQRTSD}, {"subsd", Op::SUBSD}, {"ucomisd", Op::UCOMISD},
      {"xchg", Op::XCHG}, {"xorpd", Op::XORPD}, {"cvtsi2sd", Op::CVTSI2SD},
      {"cvttsd2si", Op::CVTTSD2SI}, {"push", Op::PUSH}, {"pop", Op::POP}};
  // Mnemonics X86_gas prints with the suffix of their (last) operand.
  static const std::pair<const char*, Op> suffixed[] = {
      {"add", Op::ADD}, {"and", Op::AND}, {"cmp", Op::CMP}, {"dec", Op::DEC}, {"idiv", Op::IDIV},
      {"imul", Op::IMUL}, {"inc", Op::INC}, {"lea", Op::LEA}, {"mov", Op::MOV}, {"or", Op::OR},
      {"pop", Op::POP}, {"push", Op::PUSH}, {"sal", Op::SAL}, {"sar", Op::SAR}, {"shr", Op::SHR},
      {"sub", Op::SUB}, {"test", Op::TEST}, {"xor", Op::XOR}, {"cvttsd2si", Op::CVTTSD2SI},
      {"cvtsi2sd", Op::CVTSI2SD}};
  ir::DataType typ = ir::DataType::None;
  ir::DataType src_typ = ir::DataType::None;
  bool found = false;
  for (auto& [name, op] : plain)
    if (mn == name) { ins.op = op; found = true; break; }
  if (!found)
    for (auto& [name, op] : suffixed) {
      std::string_view n(name);
      if (mn.size() == n.size() + 1 && mn.substr(0, n.size()) == n &&
          suffix_type(mn.back()) != ir::DataType::None) {
        ins.op = op;
        typ = suffix_type(mn.back());
        found = true;
        break;
      }
    }
  if (!found && mn.size() == 6 && (mn.substr(0, 4) == "movs" || mn.substr(0, 4) == "movz")) {
    ins.op = mn[3] == 's' ? Op::MOVSX : Op::MOVZX;
    src_typ = suffix_type(mn[4]);
    found = src_typ != ir::DataType::None && suffix_type(mn[5]) != ir::DataType::None;
  }
  if (!found && mn.size() > 1 && mn[0] == 'j' && cond_by_name(mn.substr(1), ins.cond)) { ins.op = Op::J; found = true; }
  if (!found && mn.size() > 3 && mn.substr(0, 3) == "set" && cond_by_name(mn.substr(3), ins.cond)) { ins.op = Op::SET; found = true; }
  if (!found && mn.size() > 4 && mn.substr(0, 4) == "cmov" && cond_by_name(mn.substr(4), ins.cond)) { ins.op = Op::CMOV; found = true; }
  if (!found) return false;
  // Split operands on top-level commas.
  std::vector<std::string_view> parts;
  ops = trim(ops);
  if (!ops.empty()) {
    int depth = 0;
    size_t b = 0;
    for (size_t k = 0; k <= ops.size(); ++k) {
      if (k < ops.size() && ops[k] == '(') ++depth;
      if (k < ops.size() && ops[k] == ')') --depth;
      if (k == ops.size() || (ops[k] == ',' && depth == 0)) {
        parts.push_back(trim(ops.substr(b, k - b)));
        b = k + 1;
      }
    }
  }
  for (size_t k = 0; k < parts.size(); ++k) {
    ir::Arg a;
    // The suffix describes the destination (last) operand; for movzx/movsx
    // and cvtsi2sd the source.
    ir::DataType t = typ;
    if (ins.op == Op::MOVSX || ins.op == Op::MOVZX) t = k == 0 ? src_typ : ir::DataType::None;
    if (ins.op == Op::CVTSI2SD) t = k == 0 ? typ : ir::DataType::None;
    bool branch = ins.op == Op::J || ins.op == Op::JMP || ins.op == Op::CALL;
    if (!parse_arg(prog, parts[k], t, a, branch)) return false;
    if (!ins.args.push_back(a)) return false;
  }
  if (ins.op == Op::IMUL && ins.args.size() == 2) {
    // X86_ast's IMUL (arg, Some reg): same order.
  }
  return true;
}

}  // namespace gas_detail

// Parses X86_gas output. Errors name the line.
inline Result<ir::Program> parse_gas(std::string_view text) {
  using namespace gas_detail;
  using K = ir::Line::Kind;
  ir::Program p;
  size_t lineno = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++lineno;
    std::string_view s = trim(raw);
    if (s.empty()) continue;
    auto fail = [&](const char* why) {
      return make_error("line ", lineno, ": ", why, ": ", std::string(s));
    };
    ir::Line l;
    if (s.substr(0, 2) == "/*") {
      l.kind = K::Comment;
      p.lines.push_back(std::move(l));
      continue;
    }
    if (s.back() == ':' && s.find_first_of(" \t") == std::string_view::npos) {
      l.kind = K::NewLabel;
      l.text = p.keep(s.substr(0, s.size() - 1));
      p.lines.push_back(std::move(l));
      continue;
    }
    size_t sp = s.find_first_of(" \t");
    std::string_view word = s.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view() : trim(s.substr(sp));
    auto cst = [&](K kind) -> bool {
      l.kind = kind;
      return parse_constant(p, rest, l.constant);
    };
    if (word[0] == '.') {
      if (word == ".file") {
        if (!rest.empty() && rest[0] == '"') continue;  // the `.file ""` header
        size_t k = rest.find_first_of(" \t");
        l.kind = K::File;
        l.n = std::stoll(std::string(rest.substr(0, k)));
        std::string name;
        if (!parse_string_literal(rest.substr(k), name)) return fail("bad .file");
        l.text = p.keep(name);
      } else if (word == ".loc") {
        l.kind = K::Loc;
        std::vector<int64_t> v;
        size_t k = 0;
        while (k < rest.size()) {
          while (k < rest.size() && (rest[k] == ' ' || rest[k] == '\t')) ++k;
          size_t b = k;
          while (k < rest.size() && rest[k] != ' ' && rest[k] != '\t') ++k;
          if (k > b) v.push_back(std::stoll(std::string(rest.substr(b, k - b))));
        }
        if (v.size() < 2) return fail("bad .loc");
        l = p.add_loc(v[0], v[1], v.size() > 2 ? v[2] : -1);
      } else if (word == ".text" || word == ".data") {
        const std::string_view names[] = {p.keep(word)};
        l = p.add_section(names, std::nullopt, {});
      } else if (word == ".section") {
        size_t c = rest.find(',');
        const std::string_view names[] = {p.keep(trim(rest.substr(0, c)))};
        std::optional<std::string_view> flags;
        std::vector<std::string_view> args;
        if (c != std::string_view::npos) {
          std::string_view r = rest.substr(c + 1);
          if (!r.empty() && r[0] == '"') {
            size_t q = r.find('"', 1);
            flags = p.keep(r.substr(1, q - 1));
            r = r.substr(q + 1);
            if (!r.empty() && r[0] == ',') r.remove_prefix(1);
          }
          while (!r.empty()) {
            size_t k = r.find(',');
            args.push_back(p.keep(trim(r.substr(0, k))));
            if (k == std::string_view::npos) break;
            r = r.substr(k + 1);
          }
        }
        l = p.add_section(names, flags, args);
      } else if (word == ".align") {
        l.kind = K::Align;
        l.n = std::stoll(std::string(rest));
      } else if (word == ".quad") {
        if (!cst(K::Quad)) return fail("bad constant");
      } else if (word == ".long") {
        if (!cst(K::Long)) return fail("bad constant");
      } else if (word == ".word") {
        if (!cst(K::Word)) return fail("bad constant");
      } else if (word == ".byte") {
        if (!cst(K::Byte)) return fail("bad constant");
      } else if (word == ".ascii") {
        l.kind = K::Bytes;
        std::string bytes;
        if (!parse_string_literal(rest, bytes)) return fail("bad string");
        l.text = p.keep(bytes);
      } else if (word == ".space") {
        l.kind = K::Space;
        l.n = std::stoll(std::string(rest));
      } else if (word == ".globl") {
        l.kind = K::Global;
        l.text = p.keep(rest);
      } else if (word == ".cfi_startproc") {
        l.kind = K::CfiStartproc;
      } else if (word == ".cfi_endproc") {
        l.kind = K::CfiEndproc;
      } else if (word == ".cfi_adjust_cfa_offset") {
        l.kind = K::CfiAdjustCfaOffset;
        l.n = std::stoll(std::string(rest));
      } else if (word == ".set" || word == ".size" || word == ".type") {
        size_t c = rest.find(',');
        if (c == std::string_view::npos) return fail("missing comma");
        l.text = p.keep(trim(rest.substr(0, c)));
        std::string_view r = trim(rest.substr(c + 1));
        if (word == ".type") {
          l = p.add_type(l.text, p.keep(r));
        } else {
          l.kind = word == ".set" ? K::Set : K::Size;
          if (!parse_constant(p, r, l.constant)) return fail("bad constant");
        }
      } else {
        return fail("unknown directive");
      }
      p.lines.push_back(std::move(l));
      continue;
    }
    l.kind = K::Ins;
    ir::Instr ins;
    if (!parse_instruction(p, word, rest, ins)) return fail("unknown instruction");
    l = p.add(ins);
    p.lines.push_back(std::move(l));
  }
  return p;
}

}  // namespace ocamljit::testing
