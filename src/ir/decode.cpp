#include "ir/decode.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace ocamljit::ir {
namespace {

static_assert(static_cast<int>(Op::XORPD) == 87, "Op must follow X86_ast.instruction");

constexpr int kMaxConstantDepth = 64;     // the backend nests 2 deep at most
constexpr uint8_t kFirstDirective = 0x80;
static_assert(std::is_trivially_copyable_v<Line> && std::is_trivially_copyable_v<Instr>);
const Line kBlankLine{};
const Instr kBlankInstr{};
// The largest stdlib unit's IR is ~200 KiB; a Line takes ~300 bytes of memory
// per byte-sized line at worst, so the input size is capped.
constexpr size_t kMaxInputSize = size_t{256} << 20;

// Number of operands of each opcode (IMUL is special: 1 or 2).
int arity(Op op) {
  switch (op) {
    case Op::CDQ: case Op::CQO: case Op::FABS: case Op::FCHS: case Op::FCOMPP: case Op::FCOS:
    case Op::FLD1: case Op::FLDLG2: case Op::FLDLN2: case Op::FLDZ: case Op::FPATAN:
    case Op::FPTAN: case Op::FSIN: case Op::FSQRT: case Op::FYL2X: case Op::HLT:
    case Op::LEAVE: case Op::NOP: case Op::RET:
      return 0;
    case Op::BSWAP: case Op::CALL: case Op::DEC: case Op::FADD: case Op::FCOMP: case Op::FDIV:
    case Op::FDIVR: case Op::FILD: case Op::FISTP: case Op::FLD: case Op::FLDCW: case Op::FMUL:
    case Op::FNSTCW: case Op::FNSTSW: case Op::FSTP: case Op::FSUB: case Op::FSUBR: case Op::FXCH:
    case Op::IDIV: case Op::INC: case Op::J: case Op::JMP: case Op::NEG: case Op::POP:
    case Op::PUSH: case Op::SET:
      return 1;
    default:
      return 2;
  }
}

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  Status program(Program& p) {
    p.clear();
    if (size_ > kMaxInputSize)
      return make_error("IR: input of ", size_, " bytes is larger than the limit of ",
                        kMaxInputSize, " bytes");
    if (size_ < sizeof kMagic + 1 || std::memcmp(data_, kMagic, sizeof kMagic) != 0)
      return make_error("IR: byte offset 0: not an ocamljit IR (bad magic)");
    pos_ = sizeof kMagic;
    if (data_[pos_] != kVersion)
      return make_error("IR: byte offset ", pos_, ": unsupported IR version ",
                        static_cast<int>(data_[pos_]), " (this build reads version ",
                        static_cast<int>(kVersion), ")");
    ++pos_;
    program_ = &p;
    uint64_t n = 0;
    if (!count(n, "line count")) return take_error();
    in_lines_ = true;
    names_.reserve(remaining() / 16);  // a name takes ~20 bytes where defined
    // Real programs take ~6 bytes per line: do not trust n beyond that.
    p.lines.reserve(std::min<uint64_t>(n, remaining() / 2 + 16));
    for (line_ = 0; line_ < n; ++line_) {
      // Filled in place, from a copy of a blank line: value-initialising
      // (emplace_back()) compiles to a `rep stos`, slow for so few bytes.
      p.lines.push_back(kBlankLine);
      if (!line(p.lines.back())) return take_error();
    }
    if (pos_ != size_) {
      fail(pos_, "trailing bytes after the last line");
      return take_error();
    }
    return ok_status();
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  uint64_t line_ = 0;
  bool in_lines_ = false;
  Program* program_ = nullptr;
  // Views into the input: a reference copies nothing, whatever its length.
  // One table per thread, reused from unit to unit for its memory.
  std::vector<std::string_view>& names_ = name_table();

  static std::vector<std::string_view>& name_table() {
    thread_local std::vector<std::string_view> table;
    table.clear();
    return table;
  }
  std::optional<Error> error_;

  size_t remaining() const { return size_ - pos_; }

  [[gnu::cold, gnu::noinline]] bool fail(size_t at, const std::string& what) {
    if (!error_) {
      if (in_lines_)
        error_ = make_error("IR: line ", line_, " (byte offset ", at, "): ", what);
      else
        error_ = make_error("IR: byte offset ", at, ": ", what);
    }
    return false;
  }
  Error take_error() { return error_ ? *error_ : make_error("IR: internal decoder error"); }

  // The error paths stay out of line: the readers of bytes and varints,
  // called for every field, are then small enough to be inlined.
  [[gnu::cold, gnu::noinline]] bool fail_with(size_t at, const char* message, const char* what) {
    return fail(at, std::string(message) + what);
  }
  // The same for any message (make_error's pieces): the callers pass
  // pointers and numbers, and build no string inline.
  template <class... Parts>
  [[gnu::cold, gnu::noinline]] bool fail_parts(size_t at, const Parts&... parts) {
    return fail(at, make_error(parts...).message);
  }

  bool u8(uint8_t& out, const char* what) {
    if (pos_ >= size_) [[unlikely]]
      return fail_with(pos_, "truncated input, expected ", what);
    out = data_[pos_++];
    return true;
  }

  bool uvarint(uint64_t& out, const char* what) {
    // One byte (most values: tags, small numbers, name references) first.
    if (pos_ < size_ && data_[pos_] < 0x80) [[likely]] {
      out = data_[pos_++];
      return true;
    }
    return long_uvarint(out, what);
  }

  bool long_uvarint(uint64_t& out, const char* what) {
    size_t start = pos_;
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = 0;
      if (!u8(b, what)) return false;
      if (shift == 63 && (b & 0x7E) != 0) return fail_with(start, "varint overflows 64 bits: ", what);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) break;
      if (shift == 63) return fail_with(start, "varint longer than 10 bytes: ", what);
    }
    out = v;
    return true;
  }

  bool svarint(int64_t& out, const char* what) {
    uint64_t u = 0;
    if (!uvarint(u, what)) return false;
    out = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }

  // A count of items that each take at least one byte: bounded by the input.
  bool count(uint64_t& out, const char* what) {
    size_t start = pos_;
    if (!uvarint(out, what)) return false;
    if (out > remaining())
      return fail_parts(start, what, " ", out, " exceeds the remaining input");
    return true;
  }

  bool raw(std::string_view& out, const char* what) {
    size_t start = pos_;
    uint64_t len = 0;
    if (!uvarint(len, what)) return false;
    if (len > remaining())
      return fail_parts(start, what, " of length ", len, " exceeds the remaining input");
    out = std::string_view(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    return true;
  }

  // A one-byte reference to a name already defined (most names) takes
  // this short path, small enough to inline with no stack frame.
  bool name(std::string_view& out, const char* what) {
    if (pos_ < size_) [[likely]] {
      const uint8_t ref = data_[pos_];
      if (ref != 0 && ref < 0x80 && ref <= names_.size()) [[likely]] {
        ++pos_;
        out = names_[ref - 1];
        return true;
      }
    }
    return any_name(out, what);
  }

  [[gnu::noinline]] bool any_name(std::string_view& out, const char* what) {
    size_t start = pos_;
    uint64_t ref = 0;
    if (!uvarint(ref, what)) return false;
    if (ref == 0) {
      if (!raw(out, what)) return false;
      names_.push_back(out);
      return true;
    }
    if (ref > names_.size())
      return fail_parts(start, "reference to undefined name #", ref - 1, " (", what, ")");
    out = names_[ref - 1];
    return true;
  }

  template <class E>
  bool enum_byte(E& out, int limit, const char* what) {
    size_t start = pos_;
    uint8_t b = 0;
    if (!u8(b, what)) return false;
    if (b >= limit) return fail_parts(start, "bad ", what, " ", b);
    out = static_cast<E>(b);
    return true;
  }

  static bool data_type_ok(int v) { return v <= static_cast<int>(DataType::Proc); }

  // Numbers and labels (nearly every constant) on a short path; sums and
  // differences through the recursive reader.
  bool constant(Constant& c, int depth) {
    if (pos_ < size_) [[likely]] {
      const uint8_t tag = data_[pos_];
      if (tag == 0) {
        ++pos_;
        c.kind = Constant::Kind::Int;
        return svarint(c.value, "constant value");
      }
      if (tag == 2) {
        ++pos_;
        c.kind = Constant::Kind::Label;
        return name(c.label, "constant label");
      }
    }
    return any_constant(c, depth);
  }

  [[gnu::noinline]] bool any_constant(Constant& c, int depth) {
    size_t start = pos_;
    if (depth > kMaxConstantDepth) return fail(start, "constant nested too deeply");
    uint8_t tag = 0;
    if (!u8(tag, "constant tag")) return false;
    switch (tag) {
      case 0: c.kind = Constant::Kind::Int; return svarint(c.value, "constant value");
      case 1: c.kind = Constant::Kind::This; return true;
      case 2: c.kind = Constant::Kind::Label; return name(c.label, "constant label");
      case 3: case 4: {
        c.kind = tag == 3 ? Constant::Kind::Add : Constant::Kind::Sub;
        Constant& a = program_->operands.emplace_back();
        Constant& b = program_->operands.emplace_back();
        c.lhs = &a;
        c.rhs = &b;
        return any_constant(a, depth + 1) && any_constant(b, depth + 1);
      }
      default:
        return fail_parts(start, "bad constant tag ", tag);
    }
  }

  bool arg(Arg& a) {
    size_t start = pos_;
    uint8_t b = 0;
    if (!u8(b, "operand")) return false;
    int kind = b >> 4, low = b & 0xF;
    auto no_payload = [&] {
      return low == 0 || fail_parts(start, "bad operand byte ", b);
    };
    switch (kind) {
      case 0x0: a.kind = Arg::Kind::Imm; return no_payload() && svarint(a.imm, "immediate");
      case 0x1: a.kind = Arg::Kind::Sym; return no_payload() && name(a.sym, "symbol");
      case 0x2: a.kind = Arg::Kind::Reg8L; a.reg = static_cast<Reg64>(low); return true;
      case 0x3:
        if (low > static_cast<int>(Reg8H::DH))
          return fail_parts(start, "bad high byte register ", low);
        a.kind = Arg::Kind::Reg8H; a.reg8h = static_cast<Reg8H>(low); return true;
      case 0x4: a.kind = Arg::Kind::Reg16; a.reg = static_cast<Reg64>(low); return true;
      case 0x5: a.kind = Arg::Kind::Reg32; a.reg = static_cast<Reg64>(low); return true;
      case 0x6: a.kind = Arg::Kind::Reg64; a.reg = static_cast<Reg64>(low); return true;
      case 0x7: a.kind = Arg::Kind::Xmm; a.xmm = low; return true;
      case 0x8: a.kind = Arg::Kind::Tos; return no_payload();
      case 0x9: a.kind = Arg::Kind::St; a.st = low; return true;
      case 0xA: return mem(a, low, start);
      case 0xB:
        if (!data_type_ok(low)) return fail_parts(start, "bad data type ", low);
        a.kind = Arg::Kind::MemRip;
        a.rip_type = static_cast<DataType>(low);
        return name(a.sym, "RIP-relative symbol") && svarint(a.displ, "displacement");
      default:
        return fail_parts(start, "bad operand kind ", kind);
    }
  }

  bool mem(Arg& a, int type, size_t start) {
    if (!data_type_ok(type)) return fail_parts(start, "bad data type ", type);
    a.kind = Arg::Kind::Mem;
    Mem& m = a.mem;
    m.type = static_cast<DataType>(type);
    uint8_t flags = 0, regs = 0;
    if (!u8(flags, "address flags") || !u8(regs, "address registers")) return false;
    static constexpr int kScales[] = {0, 1, 2, 4, 8};
    int scale_code = flags & 0x1F;
    if (scale_code > 4) return fail_parts(pos_ - 2, "bad address flags ", flags);
    m.arch = (flags & 0x80) ? Arch::X86 : Arch::X64;
    m.scale = kScales[scale_code];
    m.idx = static_cast<Reg64>(regs >> 4);
    if (flags & 0x40) m.base = static_cast<Reg64>(regs & 0xF);
    else if ((regs & 0xF) != 0) return fail(pos_ - 1, "base register given but absent");
    if (flags & 0x20) {
      std::string_view s;
      if (!name(s, "address symbol")) return false;
      m.sym = s;
    }
    return svarint(m.displ, "displacement");
  }

  bool instruction(Instr& ins, uint8_t tag) {
    ins.op = static_cast<Op>(tag);
    if (ins.op == Op::CMOV || ins.op == Op::J || ins.op == Op::SET) {
      if (!enum_byte(ins.cond, 16, "condition")) return false;
    } else if (ins.op == Op::ROUNDSD) {
      if (!enum_byte(ins.rounding, 4, "rounding mode")) return false;
    }
    int n = arity(ins.op);
    if (ins.op == Op::IMUL) {
      size_t start = pos_;
      uint8_t two = 0;
      if (!u8(two, "imul operand count")) return false;
      if (two > 1) return fail_parts(start, "bad imul operand flag ", two);
      n = two ? 2 : 1;
    }
    ins.args.resize(n);
    for (auto& a : ins.args)
      if (!arg(a)) return false;
    return true;
  }

  bool names(NameList& out, const char* what) {
    uint64_t n = 0;
    if (!count(n, what)) return false;
    auto& pool = program_->name_lists;
    out.first = static_cast<uint32_t>(pool.size());
    out.count = static_cast<uint32_t>(n);
    for (uint64_t k = 0; k < n; ++k)
      if (!name(pool.emplace_back(), what)) return false;
    return true;
  }

  bool small_int(int64_t& out, const char* what) { return svarint(out, what); }

  // Inlined into the loop of `program` (its one caller): a call per line
  // costs as much as decoding most lines.
  [[gnu::always_inline]] bool line(Line& l) {
    size_t start = pos_;
    uint8_t tag = 0;
    if (!u8(tag, "line tag")) return false;
    if (tag < kFirstDirective) {
      if (tag > static_cast<uint8_t>(Op::XORPD))
        return fail_parts(start, "bad instruction tag ", tag);
      l.kind = Line::Kind::Ins;
      l.index = static_cast<uint32_t>(program_->instrs.size());
      program_->instrs.push_back(kBlankInstr);  // see kBlankLine
      return instruction(program_->instrs.back(), tag);
    }
    using K = Line::Kind;
    switch (tag - kFirstDirective) {
      case 0x00: {
        l.kind = K::Align;
        uint8_t data = 0;
        if (!u8(data, "align flag")) return false;
        if (data > 1) return fail_parts(pos_ - 1, "bad align flag ", data);
        l.flag = data == 1;
        return small_int(l.n, "alignment");
      }
      case 0x01: l.kind = K::Byte; return constant(l.constant, 0);
      case 0x02: l.kind = K::Bytes; return raw(l.text, "bytes");
      case 0x03: l.kind = K::Comment; return raw(l.text, "comment");
      case 0x04: l.kind = K::Global; return name(l.text, "global symbol");
      case 0x05: l.kind = K::Long; return constant(l.constant, 0);
      case 0x06:
        l.kind = K::NewLabel;
        return name(l.text, "label") &&
               enum_byte(l.dtype, static_cast<int>(DataType::Proc) + 1, "data type");
      case 0x07: l.kind = K::Quad; return constant(l.constant, 0);
      case 0x08: {
        l.kind = K::Section;
        l.index = static_cast<uint32_t>(program_->sections.size());
        SectionSpec& sec = program_->sections.emplace_back();
        if (!names(sec.names, "section name")) return false;
        uint8_t has_flags = 0;
        if (!u8(has_flags, "section flags presence")) return false;
        if (has_flags > 1)
          return fail_parts(pos_ - 1, "bad section flags presence ", has_flags);
        if (has_flags) {
          std::string_view f;
          if (!name(f, "section flags")) return false;
          sec.flags = f;
        }
        return names(sec.args, "section argument");
      }
      case 0x09: l.kind = K::Space; return small_int(l.n, "space size");
      case 0x0A: l.kind = K::Word; return constant(l.constant, 0);
      case 0x0B:
        l.kind = K::External;
        return name(l.text, "external symbol") &&
               enum_byte(l.dtype, static_cast<int>(DataType::Proc) + 1, "data type");
      case 0x0C: l.kind = K::Mode386; return true;
      case 0x0D: l.kind = K::Model; return raw(l.text, "model");
      case 0x0E: l.kind = K::CfiAdjustCfaOffset; return small_int(l.n, "CFA offset");
      case 0x0F: l.kind = K::CfiEndproc; return true;
      case 0x10: l.kind = K::CfiStartproc; return true;
      case 0x11: l.kind = K::File; return small_int(l.n, "file number") && raw(l.text, "file name");
      case 0x12: l.kind = K::IndirectSymbol; return name(l.text, "indirect symbol");
      case 0x13: {
        l.kind = K::Loc;
        l.index = static_cast<uint32_t>(program_->locs.size());
        LocSpec& loc = program_->locs.emplace_back();
        return small_int(l.n, "file number") && small_int(loc.line, "line number") &&
               small_int(loc.column, "column");
      }
      case 0x14: l.kind = K::PrivateExtern; return name(l.text, "private extern symbol");
      case 0x15: l.kind = K::Set; return name(l.text, "set symbol") && constant(l.constant, 0);
      case 0x16: l.kind = K::Size; return name(l.text, "size symbol") && constant(l.constant, 0);
      case 0x17:
        l.kind = K::Type;
        l.index = static_cast<uint32_t>(program_->name_lists.size());
        return name(l.text, "type symbol") && name(program_->name_lists.emplace_back(), "symbol type");
      default:
        return fail_parts(start, "bad directive tag ", tag);
    }
  }
};

}  // namespace

Status decode(const uint8_t* data, size_t size, Program& into) {
  if (data == nullptr && size != 0) {
    into.clear();
    return make_error("IR: no data");
  }
  Status s = Reader(data, size).program(into);
  if (!s) into.clear();  // no partial program that could pass for one
  return s;
}

Result<Program> decode(const uint8_t* data, size_t size) {
  Program p;
  if (Status s = decode(data, size, p); !s) return s.error();
  return p;
}

}  // namespace ocamljit::ir
