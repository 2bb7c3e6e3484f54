#include "ir/gas_printer.hpp"

#include "ir/register_names.hpp"

#include <cinttypes>
#include <cstdio>
#include <optional>

namespace ocamljit::ir {
namespace {

const char* const kCond[] = {"l", "ge", "le", "g", "b", "ae", "be", "a",
                             "e", "ne", "o", "no", "s", "ns", "p", "np"};
const char* const kRounding[] = {"roundsd.up", "roundsd.down", "roundsd.near", "roundsd.trunc"};

// Thrown only inside this file, turned into an Error by to_gas.
struct Unprintable {
  std::string why;
};

class Printer {
 public:
  explicit Printer(const Program& p) : program(p) {}
  const Program& program;
  std::string out;

  void line(const Line& l) {
    using K = Line::Kind;
    switch (l.kind) {
      case K::Ins: {
        const Instr* i = program.instr(l);
        if (i == nullptr) throw Unprintable{"instruction index out of range"};
        instr(*i);
        break;
      }
      case K::Align: out += "\t.align\t"; num(l.n); break;
      case K::Byte: out += "\t.byte\t"; cst(l.constant); break;
      case K::Bytes: out += "\t.ascii\t\""; string_literal(l.text); out += '"'; break;
      case K::Comment: out += "\t\t\t\t/* "; out += l.text; out += " */"; break;
      case K::Global: out += "\t.globl\t"; out += l.text; break;
      case K::Long: out += "\t.long\t"; cst(l.constant); break;
      case K::NewLabel: out += l.text; out += ':'; break;
      case K::Quad: out += "\t.quad\t"; cst(l.constant); break;
      case K::Section: section(l); break;
      case K::Space: out += "\t.space\t"; num(l.n); break;
      case K::Word: out += "\t.word\t"; cst(l.constant); break;
      case K::CfiAdjustCfaOffset: out += "\t.cfi_adjust_cfa_offset "; num(l.n); break;
      case K::CfiEndproc: out += "\t.cfi_endproc"; break;
      case K::CfiStartproc: out += "\t.cfi_startproc"; break;
      case K::File:
        out += "\t.file\t"; num(l.n); out += "\t\""; string_literal(l.text); out += '"';
        break;
      case K::IndirectSymbol: out += "\t.indirect_symbol "; out += l.text; break;
      case K::Loc: {
        const LocSpec* loc = program.loc(l);
        if (loc == nullptr) throw Unprintable{".loc index out of range"};
        // X86_gas omits a negative column (Location.none).
        out += "\t.loc\t"; num(l.n); out += '\t'; num(loc->line);
        if (loc->column >= 0) { out += '\t'; num(loc->column); }
        break;
      }
      case K::PrivateExtern: out += "\t.private_extern "; out += l.text; break;
      case K::Set: out += "\t.set "; out += l.text; out += ", "; cst(l.constant); break;
      case K::Size: out += "\t.size "; out += l.text; out += ','; cst(l.constant); break;
      case K::Type: {
        const std::string_view* type = program.symbol_type(l);
        if (type == nullptr) throw Unprintable{".type index out of range"};
        out += "\t.type "; out += l.text; out += ','; out += *type;
        break;
      }
      case K::External: case K::Mode386: case K::Model:
        throw Unprintable{"MASM-only directive"};
    }
    out += '\n';
  }

 private:
  void num(int64_t n) { out += std::to_string(n); }

  // X86_proc.string_of_string_literal: octal escapes; a digit right after an
  // escape is escaped too, so that it cannot extend the escape.
  void string_literal(std::string_view s) {
    bool last_was_escape = false;
    char buf[8];
    for (unsigned char c : s) {
      if (c >= '0' && c <= '9') {
        if (last_was_escape) {
          std::snprintf(buf, sizeof buf, "\\%o", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
      } else if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
        out += static_cast<char>(c);
        last_was_escape = false;
      } else {
        std::snprintf(buf, sizeof buf, "\\%o", c);
        out += buf;
        last_was_escape = true;
      }
    }
  }

  // OCaml's %S (String.escaped between quotes).
  void ocaml_quoted(std::string_view s) {
    out += '"';
    char buf[8];
    for (unsigned char c : s) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case '\b': out += "\\b"; break;
        default:
          if (c >= ' ' && c <= '~') {
            out += static_cast<char>(c);
          } else {
            std::snprintf(buf, sizeof buf, "\\%03u", c);
            out += buf;
          }
      }
    }
    out += '"';
  }

  void section(const Line& l) {
    const SectionSpec* spec = program.section(l);
    if (spec == nullptr) throw Unprintable{".section index out of range"};
    const auto n = program.names(spec->names);
    if (n.size() == 1 && (n[0] == ".data" || n[0] == ".text")) {
      out += '\t';
      out += n[0];
      return;
    }
    out += "\t.section ";
    for (size_t i = 0; i < n.size(); ++i) {
      if (i) out += ',';
      out += n[i];
    }
    if (spec->flags) {
      out += ',';
      ocaml_quoted(*spec->flags);
    }
    if (!spec->args.empty()) {
      for (const auto& a : program.names(spec->args)) {
        out += ',';
        out += a;
      }
    }
  }

  static const Constant& sub(const Constant* c) {
    if (c == nullptr) throw Unprintable{"Add/Sub constant without its operands"};
    return *c;
  }

  // X86_gas.cst / scst: only the top level is unparenthesised.
  void cst(const Constant& c) {
    switch (c.kind) {
      case Constant::Kind::Add: scst(sub(c.lhs)); out += " + "; scst(sub(c.rhs)); break;
      case Constant::Kind::Sub: scst(sub(c.lhs)); out += " - "; scst(sub(c.rhs)); break;
      default: scst(c);
    }
  }
  void scst(const Constant& c) {
    switch (c.kind) {
      case Constant::Kind::This: out += '.'; break;
      case Constant::Kind::Label: out += c.label; break;
      case Constant::Kind::Int:
        if (c.value <= 0x7FFFFFFF && c.value >= -0x80000000LL) {
          num(c.value);
        } else {
          char buf[24];
          std::snprintf(buf, sizeof buf, "0x%" PRIx64, static_cast<uint64_t>(c.value));
          out += buf;
        }
        break;
      case Constant::Kind::Add:
        out += '('; scst(sub(c.lhs)); out += " + "; scst(sub(c.rhs)); out += ')'; break;
      case Constant::Kind::Sub:
        out += '('; scst(sub(c.lhs)); out += " - "; scst(sub(c.rhs)); out += ')'; break;
    }
  }

  void reg(const char* name) { out += '%'; out += name; }

  void opt_displ(int64_t d) {
    if (d > 0) { out += '+'; num(d); }
    else if (d < 0) num(d);
  }

  void mem(const Mem& m) {
    const char* const* names = m.arch == Arch::X86 ? kReg32Names : kReg64Names;
    if (!m.sym) {
      if (m.displ != 0 || m.scale == 0) num(m.displ);
    } else {
      out += *m.sym;
      opt_displ(m.displ);
    }
    if (m.scale != 0) {
      out += '(';
      if (m.base) reg(names[static_cast<int>(*m.base)]);
      if (m.base || m.scale != 1) out += ',';
      reg(names[static_cast<int>(m.idx)]);
      if (m.scale != 1) { out += ','; num(m.scale); }
      out += ')';
    }
  }

  void arg(const Arg& a) {
    switch (a.kind) {
      case Arg::Kind::Sym: out += '$'; out += a.sym; break;
      case Arg::Kind::Imm: out += '$'; num(a.imm); break;
      case Arg::Kind::Reg8L: reg(kReg8LNames[static_cast<int>(a.reg)]); break;
      case Arg::Kind::Reg8H: reg(kReg8HNames[static_cast<int>(a.reg8h)]); break;
      case Arg::Kind::Reg16: reg(kReg16Names[static_cast<int>(a.reg)]); break;
      case Arg::Kind::Reg32: reg(kReg32Names[static_cast<int>(a.reg)]); break;
      case Arg::Kind::Reg64: reg(kReg64Names[static_cast<int>(a.reg)]); break;
      case Arg::Kind::Xmm: out += "%xmm"; num(a.xmm); break;
      case Arg::Kind::Tos: out += "%tos"; break;
      case Arg::Kind::St: out += "%st("; num(a.st); out += ')'; break;
      case Arg::Kind::Mem: mem(a.mem); break;
      case Arg::Kind::MemRip: out += a.sym; opt_displ(a.displ); out += "(%rip)"; break;
    }
  }

  static DataType type_of(const Arg& a) {
    switch (a.kind) {
      case Arg::Kind::Mem: return a.mem.type;
      case Arg::Kind::MemRip: return a.rip_type;
      case Arg::Kind::Reg8L: case Arg::Kind::Reg8H: return DataType::Byte;
      case Arg::Kind::Reg16: return DataType::Word;
      case Arg::Kind::Reg32: return DataType::Dword;
      case Arg::Kind::Reg64: return DataType::Qword;
      case Arg::Kind::Imm: case Arg::Kind::Sym: return DataType::None;
      case Arg::Kind::Xmm: case Arg::Kind::Tos: case Arg::Kind::St: break;
    }
    throw Unprintable{"no size suffix for a floating-point register operand"};
  }

  static const char* suffix(const Arg& a) {
    switch (type_of(a)) {
      case DataType::Byte: return "b";
      case DataType::Word: return "w";
      case DataType::Dword: case DataType::Real8: return "l";
      case DataType::Qword: return "q";
      case DataType::Real4: return "s";
      case DataType::None: return "";
      case DataType::Oword: case DataType::Near: case DataType::Proc: break;
    }
    throw Unprintable{"no size suffix for an OWORD/NEAR/PROC operand"};
  }

  const Arg& operand(const Instr& i, size_t k) {
    if (k >= i.args.size()) throw Unprintable{"missing operand"};
    return i.args[k];
  }

  void i0(const char* s) { out += '\t'; out += s; }
  void i1(const std::string& s, const Arg& x) { out += '\t'; out += s; out += '\t'; arg(x); }
  void i1_s(const std::string& s, const Arg& x) { i1(s + suffix(x), x); }
  void i2(const std::string& s, const Arg& x, const Arg& y) {
    out += '\t'; out += s; out += '\t'; arg(x); out += ", "; arg(y);
  }
  void i2_s(const std::string& s, const Arg& x, const Arg& y) { i2(s + suffix(y), x, y); }
  void i2_ss(const std::string& s, const Arg& x, const Arg& y) {
    i2(s + suffix(x) + suffix(y), x, y);
  }
  void i1_call_jmp(const std::string& s, const Arg& x) {
    if (x.kind == Arg::Kind::Mem && x.mem.arch == Arch::X86 && x.mem.scale == 0 &&
        !x.mem.base && x.mem.sym) {
      i1(s, x);  // a jump label, written without `*`
    } else if (x.kind == Arg::Kind::Reg32 || x.kind == Arg::Kind::Reg64 ||
               x.kind == Arg::Kind::Mem || x.kind == Arg::Kind::MemRip) {
      out += '\t'; out += s; out += "\t*"; arg(x);
    } else if (x.kind == Arg::Kind::Sym) {
      out += '\t'; out += s; out += '\t'; out += x.sym;
    } else {
      throw Unprintable{"bad call/jump target"};
    }
  }

  static bool is_st0(const Arg& a) { return a.kind == Arg::Kind::St && a.st == 0; }
  static bool is_real4_mem(const Arg& a) {
    return a.kind == Arg::Kind::Mem && a.mem.type == DataType::Real4;
  }

  void instr(const Instr& i) {
    auto A = [&](size_t k) -> const Arg& { return operand(i, k); };
    std::string cond = kCond[static_cast<int>(i.cond) & 15];
    switch (i.op) {
      case Op::ADD: i2_s("add", A(0), A(1)); break;
      case Op::ADDSD: i2("addsd", A(0), A(1)); break;
      case Op::AND: i2_s("and", A(0), A(1)); break;
      case Op::ANDPD: i2("andpd", A(0), A(1)); break;
      case Op::BSWAP: i1("bswap", A(0)); break;
      case Op::CALL: i1_call_jmp("call", A(0)); break;
      case Op::CDQ: i0("cltd"); break;
      case Op::CMOV: i2("cmov" + cond, A(0), A(1)); break;
      case Op::CMP: i2_s("cmp", A(0), A(1)); break;
      case Op::COMISD: i2("comisd", A(0), A(1)); break;
      case Op::CQO: i0("cqto"); break;
      case Op::CVTSD2SI: i2("cvtsd2si", A(0), A(1)); break;
      case Op::CVTSD2SS: i2("cvtsd2ss", A(0), A(1)); break;
      case Op::CVTSI2SD: i2(std::string("cvtsi2sd") + suffix(A(0)), A(0), A(1)); break;
      case Op::CVTSS2SD: i2("cvtss2sd", A(0), A(1)); break;
      case Op::CVTTSD2SI: i2_s("cvttsd2si", A(0), A(1)); break;
      case Op::DEC: i1_s("dec", A(0)); break;
      case Op::DIVSD: i2("divsd", A(0), A(1)); break;
      case Op::FABS: i0("fabs"); break;
      case Op::FADD: i1_s("fadd", A(0)); break;
      case Op::FADDP: i2("faddp", A(0), A(1)); break;
      case Op::FCHS: i0("fchs"); break;
      case Op::FCOMP: i1_s("fcomp", A(0)); break;
      case Op::FCOMPP: i0("fcompp"); break;
      case Op::FCOS: i0("fcos"); break;
      case Op::FDIV: i1_s("fdiv", A(0)); break;
      // The AT&T fsub/fdiv operand-order bug: X86_gas swaps the mnemonics.
      case Op::FDIVP: i2(is_st0(A(0)) ? "fdivrp" : "fdivp", A(0), A(1)); break;
      case Op::FDIVR: i1_s("fdivr", A(0)); break;
      case Op::FDIVRP: i2(is_st0(A(0)) ? "fdivp" : "fdivrp", A(0), A(1)); break;
      case Op::FILD: i1_s("fild", A(0)); break;
      case Op::FISTP: i1_s("fistp", A(0)); break;
      case Op::FLD: i1(is_real4_mem(A(0)) ? "flds" : "fldl", A(0)); break;
      case Op::FLD1: i0("fld1"); break;
      case Op::FLDCW: i1("fldcw", A(0)); break;
      case Op::FLDLG2: i0("fldlg2"); break;
      case Op::FLDLN2: i0("fldln2"); break;
      case Op::FLDZ: i0("fldz"); break;
      case Op::FMUL: i1_s("fmul", A(0)); break;
      case Op::FMULP: i2("fmulp", A(0), A(1)); break;
      case Op::FNSTCW: i1("fnstcw", A(0)); break;
      case Op::FNSTSW: i1("fnstsw", A(0)); break;
      case Op::FPATAN: i0("fpatan"); break;
      case Op::FPTAN: i0("fptan"); break;
      case Op::FSIN: i0("fsin"); break;
      case Op::FSQRT: i0("fsqrt"); break;
      case Op::FSTP: i1(is_real4_mem(A(0)) ? "fstps" : "fstpl", A(0)); break;
      case Op::FSUB: i1_s("fsub", A(0)); break;
      case Op::FSUBP: i2(is_st0(A(0)) ? "fsubrp" : "fsubp", A(0), A(1)); break;
      case Op::FSUBR: i1_s("fsubr", A(0)); break;
      case Op::FSUBRP: i2(is_st0(A(0)) ? "fsubp" : "fsubrp", A(0), A(1)); break;
      case Op::FXCH: i1("fxch", A(0)); break;
      case Op::FYL2X: i0("fyl2x"); break;
      case Op::HLT: i0("hlt"); break;
      case Op::IDIV: i1_s("idiv", A(0)); break;
      case Op::IMUL:
        if (i.args.size() == 1) i1_s("imul", A(0));
        else i2_s("imul", A(0), A(1));
        break;
      case Op::INC: i1_s("inc", A(0)); break;
      case Op::J: i1_call_jmp("j" + cond, A(0)); break;
      case Op::JMP: i1_call_jmp("jmp", A(0)); break;
      case Op::LEA: i2_s("lea", A(0), A(1)); break;
      case Op::LEAVE: i0("leave"); break;
      case Op::MOV:
        if (A(0).kind == Arg::Kind::Imm && A(1).kind == Arg::Kind::Reg64 &&
            !(A(0).imm <= 0x7FFFFFFF && A(0).imm >= -0x80000000LL))
          i2("movabsq", A(0), A(1));
        else
          i2_s("mov", A(0), A(1));
        break;
      case Op::MOVAPD: i2("movapd", A(0), A(1)); break;
      case Op::MOVLPD: i2("movlpd", A(0), A(1)); break;
      case Op::MOVSD: i2("movsd", A(0), A(1)); break;
      case Op::MOVSS: i2("movss", A(0), A(1)); break;
      case Op::MOVSX: i2_ss("movs", A(0), A(1)); break;
      case Op::MOVSXD: i2("movslq", A(0), A(1)); break;
      case Op::MOVZX: i2_ss("movz", A(0), A(1)); break;
      case Op::MULSD: i2("mulsd", A(0), A(1)); break;
      case Op::NEG: i1("neg", A(0)); break;
      case Op::NOP: i0("nop"); break;
      case Op::OR: i2_s("or", A(0), A(1)); break;
      case Op::POP: i1_s("pop", A(0)); break;
      case Op::PUSH: i1_s("push", A(0)); break;
      case Op::RET: i0("ret"); break;
      case Op::ROUNDSD: i2(kRounding[static_cast<int>(i.rounding) & 3], A(0), A(1)); break;
      case Op::SAL: i2_s("sal", A(0), A(1)); break;
      case Op::SAR: i2_s("sar", A(0), A(1)); break;
      case Op::SET: i1("set" + cond, A(0)); break;
      case Op::SHR: i2_s("shr", A(0), A(1)); break;
      case Op::SQRTSD: i2("sqrtsd", A(0), A(1)); break;
      case Op::SUB: i2_s("sub", A(0), A(1)); break;
      case Op::SUBSD: i2("subsd", A(0), A(1)); break;
      case Op::TEST: i2_s("test", A(0), A(1)); break;
      case Op::UCOMISD: i2("ucomisd", A(0), A(1)); break;
      case Op::XCHG: i2("xchg", A(0), A(1)); break;
      case Op::XOR: i2_s("xor", A(0), A(1)); break;
      case Op::XORPD: i2("xorpd", A(0), A(1)); break;
    }
  }
};

}  // namespace

Result<std::string> to_gas(const Program& program) {
  Printer p(program);
  p.out.reserve(program.lines.size() * 24);
  p.out += "\t.file \"\"\n";  // X86_gas.generate_asm's first line (PR#7037)
  for (size_t k = 0; k < program.lines.size(); ++k) {
    try {
      p.line(program.lines[k]);
    } catch (const Unprintable& u) {
      return make_error("IR: line ", k, ": cannot print as GAS: ", u.why);
    }
  }
  return std::move(p.out);
}

}  // namespace ocamljit::ir
