// The assembler proper: sections, labels, branch relaxation, constant
// expressions and GNU as's choice of relocations. Instruction bytes come
// from the encoder; this file decides where they go and what they refer to.
//
// Model: a section is a buffer of fixed bytes plus "frags", variable-size
// pieces (relaxable branches, code alignment) inserted at positions of the
// buffer, as in GNU as. A location is (section, position in the fixed
// bytes, number of frags before it); its final offset is the position plus
// the sizes of those frags.
#include "asm/assembler.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "asm/eh_frame.hpp"
#include "asm/encoder.hpp"
#include "asm/name_index.hpp"
#include "ir/stable_pool.hpp"

namespace ocamljit::assembler {
namespace {

using obj::SectionIndex;
using obj::SymbolIndex;
namespace E = obj::elf;

struct Loc {
  uint32_t sec = 0;
  uint32_t nfrags = 0;
  uint64_t pos = 0;
};  // 16 bytes: labels, fixups and line marks hold one or two

struct Frag {
  enum class Kind : uint8_t { Branch, Align } kind = Kind::Branch;
  uint64_t pos = 0;
  uint64_t size = 0;
  size_t line = 0;
  // Branch
  bool conditional = false;
  uint8_t cond = 0;
  bool plt = false;
  bool relaxable = false;
  uint32_t target = 0;  // label id
  // Align
  uint64_t align = 1;
};

struct Sec {
  SectionIndex index = 0;
  std::vector<uint8_t> fixed;
  std::vector<Frag> frags;
  std::vector<uint64_t> cum;  // cum[k]: total size of frags [0, k)
  bool code = false;
  bool merge = false;
  uint64_t offset(const Loc& l) const { return l.pos + cum[l.nfrags]; }
};

// Fields ordered for size (88 bytes; a tiny unit has ~60 labels).
struct Label {
  std::string_view name;      // into the IR (or a literal)
  Loc loc;
  const ir::Constant* size_expr = nullptr;
  const ir::Constant* set_expr = nullptr;  // `.set name, expr`
  Loc set_loc;
  uint32_t size_line = 0;
  uint32_t set_line = 0;
  std::optional<SymbolIndex> symbol;        // once it has a symbol table entry
  bool defined = false;
  bool global = false;
  obj::SymbolKind kind = obj::SymbolKind::NoType;
  bool is_local_label() const { return name.size() >= 2 && name[0] == '.' && name[1] == 'L'; }
};

struct InsFix {
  uint64_t seq = 0;  // creation order (GNU as emits relocations in it)
  Loc loc;  // of the field
  Fixup fx;
  uint32_t label = 0;
  size_t line = 0;
};

struct DataFix {
  uint64_t seq = 0;
  Loc loc;
  uint8_t size = 0;
  const ir::Constant* expr = nullptr;
  size_t line = 0;
};

// One `.cfi_startproc` ... `.cfi_endproc` region.
struct CfiProc {
  Loc start, end;
  // Its CFA adjustments: Assembler::cfi_adjust_[first_adjust, +adjust_count)
  // (procedures do not nest, so each one's are contiguous).
  uint32_t first_adjust = 0, adjust_count = 0;
  size_t line = 0;
};

struct LineMark {
  Loc loc;
  uint32_t file = 0, line = 0, column = 0;
};

// Expression arithmetic wraps around like GNU as's 64-bit values (and
// never overflows a signed type).
int64_t wadd(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); }
int64_t wsub(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); }
int64_t wmul(int64_t a, int64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); }

// A constant expression as a sum of coefficient * label, plus a constant.
struct Linear {
  std::vector<std::pair<uint32_t, int64_t>> terms;  // label id, coefficient
  int64_t this_coeff = 0;
  int64_t constant = 0;
};

// One per thread, reused from unit to unit: its buffers keep their capacity,
// and so do those of the Object it assembles into (see `assemble`), so that
// a unit like the previous ones allocates nothing.
class Assembler {
 public:
  Status run(const ir::Program& p, std::string_view unit, obj::Object& out) {
    obj_ = std::move(out);
    Status s = assemble(p, unit);
    trim_symbols();
    out = std::move(obj_);
    return s;
  }

 private:
  Status assemble(const ir::Program& p, std::string_view unit) {
    reset(p, unit);
    // GNU as always creates these three, in this order.
    select_section(".text", E::SHT_PROGBITS, E::SHF_ALLOC | E::SHF_EXECINSTR, 0);
    select_section(".data", E::SHT_PROGBITS, E::SHF_ALLOC | E::SHF_WRITE, 0);
    select_section(".bss", E::SHT_NOBITS, E::SHF_ALLOC | E::SHF_WRITE, 0);
    cur_ = 0;
    for (size_t i = 0; i < prog_->lines.size(); ++i) {
      Status s = line(i, prog_->lines[i]);
      if (!s) return s.error();
    }
    if (open_cfi_) return err(open_cfi_->line, ".cfi_startproc without .cfi_endproc");
    for (auto& sec : secs_) {
      for (const Frag& f : sec.frags)
        if (f.kind == Frag::Kind::Branch && undefined_local(f.target))
          return err(f.line, "undefined local label ", labels_[f.target].name);
    }
    for (const InsFix& f : ins_fixes_)
      if (undefined_local(f.label)) return err(f.line, "undefined local label ", labels_[f.label].name);
    for (auto& sec : secs_) relax(sec);
    return finish();
  }

  const ir::Program* prog_ = nullptr;
  std::string unit_;
  obj::Object obj_;
  std::vector<Sec> secs_;
  uint32_t cur_ = 0;
  ir::StablePool<Label> labels_;  // references stay valid while labels are added
  NameIndex label_ids_;
  std::vector<InsFix> ins_fixes_;
  std::vector<DataFix> data_fixes_;
  std::vector<LineMark> marks_;
  std::vector<CfiProc> cfi_;
  std::vector<std::pair<Loc, int64_t>> cfi_adjust_;  // of every CfiProc: where, by how much
  std::optional<CfiProc> open_cfi_;
  Encoded enc_;
  uint64_t seq_ = 0;
  // Sequence of the relocation being added; branch frags' relocations come
  // after every other one, as GNU as creates them while relaxing.
  uint64_t cur_seq_ = 0;
  std::vector<uint64_t> reloc_seq_;

  // Buffers of the previous unit, kept for the next one: section contents
  // (with their capacity), strings (symbol and file names), per-section state.
  std::vector<std::vector<uint8_t>> spare_bytes_;
  std::vector<std::string> spare_strings_;
  std::vector<Sec> spare_secs_;
  // A buffer that grew beyond this (a big unit) is not kept.
  static constexpr size_t kKeepBytes = size_t{1} << 20;

  void keep_bytes(std::vector<uint8_t>&& b) {
    if (b.capacity() == 0 || b.capacity() > kKeepBytes) return;
    b.clear();
    spare_bytes_.push_back(std::move(b));
  }
  void keep_string(std::string&& s) {
    if (s.capacity() <= 15) return;  // inline storage: nothing to keep
    spare_strings_.push_back(std::move(s));
  }
  std::vector<uint8_t> take_bytes() {
    if (spare_bytes_.empty()) return {};
    std::vector<uint8_t> b = std::move(spare_bytes_.back());
    spare_bytes_.pop_back();
    return b;
  }
  // A string holding `text`, in a kept buffer when there is one.
  std::string take_string(std::string_view text) {
    if (text.size() <= 15) return std::string(text);
    if (spare_strings_.empty()) {
      // Room for a longer name next time (OCaml symbol names lengthen as a session goes on).
      std::string s;
      s.reserve(std::max<size_t>(text.size(), 47));
      s.assign(text);
      return s;
    }
    std::string s = std::move(spare_strings_.back());
    spare_strings_.pop_back();
    s.assign(text);
    return s;
  }

  // Empties obj_ (the caller's Object, from the previous unit), keeping
  // the memory of its vectors and, in the spares, of their elements.
  void recycle_object() {
    for (obj::Section& s : obj_.sections) {
      keep_bytes(std::move(s.bytes));
      keep_string(std::move(s.name));
      keep_string(std::move(s.origin));
    }
    nsyms_ = 0;  // the symbols stay, to be overwritten in place (add_symbol)
    for (std::string& f : obj_.files) keep_string(std::move(f));
    obj_.sections.clear();
    obj_.groups.clear();
    obj_.relocations.clear();
    obj_.files.clear();
    obj_.lines.clear();
    for (Sec& sec : secs_) {
      keep_bytes(std::move(sec.fixed));
      spare_secs_.push_back(std::move(sec));
    }
    secs_.clear();
  }

  void reset(const ir::Program& p, std::string_view unit) {
    prog_ = &p;
    unit_.assign(unit);
    recycle_object();
    obj_.name.assign(unit_);
    obj_.sections.reserve(7);  // a tiny unit has 6; 7 Sections stay below malloc's large-chunk size
    cur_ = 0;
    labels_.clear();
    label_ids_.clear();
    ins_fixes_.clear();
    data_fixes_.clear();
    marks_.clear();
    cfi_.clear();
    cfi_adjust_.clear();
    open_cfi_.reset();
    seq_ = 0;
    cur_seq_ = 0;
    reloc_seq_.clear();
    size_marks_.clear();
    sec_syms_.clear();
    seen_sections_.clear();
  }

  // The error at line `line_no`, its message made of make_error's pieces:
  // callers pass pointers and numbers, and build no string inline (the
  // line loop stays small).
  template <class... Parts>
  [[gnu::cold, gnu::noinline]] Error err(size_t line_no, const Parts&... parts) const {
    const std::string what = make_error(parts...).message;
    const ir::Line& l = prog_->lines[line_no];
    std::string where = "unit " + unit_ + ": line " + std::to_string(line_no);
    if (const ir::Instr* ins = l.kind == ir::Line::Kind::Ins ? prog_->instr(l) : nullptr)
      where += " (" + describe(*ins) + ")";
    return Error{where + ": " + what};
  }

  // `.L` labels never leave the unit: a reference to an undefined one is a bug.
  bool undefined_local(uint32_t id) const {
    const Label& l = labels_[id];
    return !l.defined && !l.set_expr && l.is_local_label();
  }

  Loc here() const {
    const Sec& s = secs_[cur_];
    return Loc{cur_, static_cast<uint32_t>(s.frags.size()), s.fixed.size()};
  }

  // A name seen lately: inline, no call; else the table.
  [[gnu::always_inline]] uint32_t label_id(std::string_view name) {
    uint32_t id = 0;
    if (label_ids_.find_recent(name, id)) return id;
    return any_label_id(name);
  }
  [[gnu::noinline]] uint32_t any_label_id(std::string_view name) {
    bool inserted = false;
    const uint32_t id = label_ids_.find_or_add(name, static_cast<uint32_t>(labels_.size()), inserted);
    if (inserted) labels_.emplace_back().name = name;
    return id;
  }

  // A unit has a handful of sections: a linear search beats hashing.
  std::optional<uint32_t> find_section(std::string_view name) const {
    for (uint32_t k = 0; k < secs_.size(); ++k)
      if (obj_.sections[secs_[k].index].name == name) return k;
    return std::nullopt;
  }

  void select_section(std::string_view name, uint32_t type, uint64_t flags, uint64_t entsize) {
    if (auto k = find_section(name)) {
      cur_ = *k;
      return;
    }
    SectionIndex si = static_cast<SectionIndex>(obj_.sections.size());
    obj::Section s;
    s.name = take_string(name);
    s.type = type;
    s.flags = flags;
    s.alignment = 1;
    s.entsize = entsize;
    s.bytes = take_bytes();  // receives the fixed bytes in `finish`
    obj_.sections.push_back(std::move(s));
    Sec sec;
    if (!spare_secs_.empty()) {
      sec = std::move(spare_secs_.back());
      spare_secs_.pop_back();
      sec.frags.clear();
      sec.cum.clear();
    }
    sec.index = si;
    sec.code = (flags & E::SHF_EXECINSTR) != 0;
    sec.merge = (flags & E::SHF_MERGE) != 0;
    if (sec.fixed.capacity() == 0) sec.fixed = take_bytes();
    sec.fixed.clear();
    sec.fixed.reserve(128);  // a tiny unit's sections fit: no regrowth
    cur_ = static_cast<uint32_t>(secs_.size());
    secs_.push_back(std::move(sec));
  }

  Status section_line(size_t i, const ir::Line& l) {
    const ir::SectionSpec* spec = prog_->section(l);
    if (spec == nullptr) return err(i, "section index out of range");
    const auto names = prog_->names(spec->names);
    if (names.empty()) return err(i, "section without a name");
    std::string_view name = names[0];
    if (names.size() == 1) {
      // The same interned name as an earlier `.section` line (`.data` and
      // `.text` come back again and again): no string comparison.
      for (const auto& [seen, k] : seen_sections_)
        if (seen.data() == name.data() && seen.size() == name.size()) {
          cur_ = k;
          return ok_status();
        }
    }
    std::string joined;
    if (names.size() > 1) {
      joined = names[0];
      for (size_t k = 1; k < names.size(); ++k) (joined += ',') += names[k];
      name = joined;
    }
    if (auto k = find_section(name)) {
      cur_ = *k;
      if (names.size() == 1) seen_sections_.emplace_back(name, cur_);
      return ok_status();
    }
    uint64_t flags = 0;
    uint32_t type = E::SHT_PROGBITS;
    uint64_t entsize = 0;
    auto prefixed = [&](std::string_view p) {
      return name.starts_with(p) && (name.size() == p.size() || name[p.size()] == '.');
    };
    if (spec->flags) {
      for (char c : *spec->flags) {
        switch (c) {
          case 'a': flags |= E::SHF_ALLOC; break;
          case 'w': flags |= E::SHF_WRITE; break;
          case 'x': flags |= E::SHF_EXECINSTR; break;
          case 'M': flags |= E::SHF_MERGE; break;
          case 'S': flags |= E::SHF_STRINGS; break;
          default: return err(i, "unsupported section flag '", c, "'");
        }
      }
    } else if (prefixed(".text")) {
      flags = E::SHF_ALLOC | E::SHF_EXECINSTR;
    } else if (prefixed(".data") || prefixed(".bss")) {
      flags = E::SHF_ALLOC | E::SHF_WRITE;
    } else if (prefixed(".rodata")) {
      flags = E::SHF_ALLOC;
    }
    if (prefixed(".bss")) type = E::SHT_NOBITS;
    const auto args = prog_->names(spec->args);
    if (!args.empty()) {
      const std::string_view t = args[0];
      if (t == "@progbits" || t == "%progbits") type = E::SHT_PROGBITS;
      else if (t == "@nobits" || t == "%nobits") type = E::SHT_NOBITS;
      else if (t == "@note" || t == "%note") type = 7;  // SHT_NOTE
      else return err(i, "unsupported section type ", t);
      if (args.size() > 1) {
        std::string text(args[1]);
        try {
          entsize = std::stoull(text);
        } catch (...) {
          return err(i, "bad section entry size ", text);
        }
      }
    }
    select_section(name, type, flags, entsize);
    if (names.size() == 1) seen_sections_.emplace_back(name, cur_);
    return ok_status();
  }
  // Names of `.section` lines (views into the IR) and their sections, this unit.
  std::vector<std::pair<std::string_view, uint32_t>> seen_sections_;

  // Inlined into the loop of `assemble`: a call per line, with its Status
  // returned through memory, costs as much as most lines' own work.
  [[gnu::always_inline]] Status line(size_t i, const ir::Line& l) {
    using K = ir::Line::Kind;
    Sec& sec = secs_[cur_];
    switch (l.kind) {
      case K::Ins: {
        const ir::Instr* ins = prog_->instr(l);
        if (ins == nullptr) return err(i, "instruction index out of range");
        return instruction(i, *ins);
      }
      case K::Align: {
        if (l.n <= 0 || (l.n & (l.n - 1)) != 0) return err(i, ".align ", l.n, " is not a power of two");
        uint64_t a = static_cast<uint64_t>(l.n);
        auto& s = obj_.sections[sec.index];
        if (a > s.alignment) s.alignment = a;
        if (sec.frags.empty()) {
          // Nothing variable before: the padding is known now.
          uint64_t n = pad(sec.fixed.size(), a);
          if (sec.code) code_padding(n, sec.fixed);
          else sec.fixed.insert(sec.fixed.end(), n, 0);
        } else {
          Frag f;
          f.kind = Frag::Kind::Align;
          f.pos = sec.fixed.size();
          f.align = a;
          f.line = i;
          sec.frags.push_back(f);
        }
        return ok_status();
      }
      case K::Byte: return data(i, l.constant, 1);
      case K::Word: return data(i, l.constant, 2);
      case K::Long: return data(i, l.constant, 4);
      case K::Quad: return data(i, l.constant, 8);
      case K::Bytes:
        sec.fixed.insert(sec.fixed.end(), l.text.begin(), l.text.end());
        return ok_status();
      case K::Space:
        if (l.n < 0) return err(i, ".space with a negative size");
        sec.fixed.insert(sec.fixed.end(), static_cast<size_t>(l.n), 0);
        return ok_status();
      case K::Comment: return ok_status();
      case K::Global: labels_[label_id(l.text)].global = true; return ok_status();
      case K::NewLabel: {
        Label& lab = labels_[label_id(l.text)];
        if (lab.defined || lab.set_expr) return err(i, "label ", l.text, " defined twice");
        lab.defined = true;
        lab.loc = here();
        return ok_status();
      }
      case K::Section: return section_line(i, l);
      case K::CfiStartproc:
        if (open_cfi_) return err(i, ".cfi_startproc inside another procedure");
        open_cfi_.emplace();
        open_cfi_->start = here();
        open_cfi_->line = i;
        open_cfi_->first_adjust = static_cast<uint32_t>(cfi_adjust_.size());
        return ok_status();
      case K::CfiAdjustCfaOffset:
        if (!open_cfi_) return err(i, ".cfi_adjust_cfa_offset outside .cfi_startproc/.cfi_endproc");
        if (here().sec != open_cfi_->start.sec) return err(i, "CFI procedure spans two sections");
        cfi_adjust_.push_back({here(), l.n});
        ++open_cfi_->adjust_count;
        return ok_status();
      case K::CfiEndproc:
        if (!open_cfi_) return err(i, ".cfi_endproc without .cfi_startproc");
        if (here().sec != open_cfi_->start.sec) return err(i, "CFI procedure spans two sections");
        open_cfi_->end = here();
        cfi_.push_back(*open_cfi_);
        open_cfi_.reset();
        return ok_status();
      case K::File:
        if (l.n < 0 || l.n > 1000000) return err(i, ".file number out of range");
        if (obj_.files.size() <= static_cast<size_t>(l.n)) obj_.files.resize(static_cast<size_t>(l.n) + 1);
        obj_.files[static_cast<size_t>(l.n)] = take_string(l.text);
        return ok_status();
      case K::Loc: {
        const ir::LocSpec* loc = prog_->loc(l);
        if (loc == nullptr) return err(i, ".loc index out of range");
        marks_.push_back(LineMark{here(), static_cast<uint32_t>(l.n), static_cast<uint32_t>(loc->line),
                                  static_cast<uint32_t>(loc->column < 0 ? 0 : loc->column)});
        return ok_status();
      }
      case K::Set: {
        Label& lab = labels_[label_id(l.text)];
        if (lab.defined) return err(i, "symbol ", l.text, " already defined");
        lab.set_expr = &l.constant;
        lab.set_loc = here();
        lab.set_line = static_cast<uint32_t>(i);
        return ok_status();
      }
      case K::Size: {
        Label& lab = labels_[label_id(l.text)];
        lab.size_expr = &l.constant;
        lab.size_line = static_cast<uint32_t>(i);
        // `.` in a .size expression means here.
        size_marks_.push_back({label_id(l.text), here()});
        return ok_status();
      }
      case K::Type: {
        const std::string_view* type = prog_->symbol_type(l);
        if (type == nullptr) return err(i, ".type index out of range");
        const std::string_view t = *type;
        Label& lab = labels_[label_id(l.text)];
        if (t == "@function" || t == "%function") lab.kind = obj::SymbolKind::Func;
        else if (t == "@object" || t == "%object") lab.kind = obj::SymbolKind::Object;
        else if (t == "@notype" || t == "%notype") lab.kind = obj::SymbolKind::NoType;
        else return err(i, "unsupported symbol type ", t);
        return ok_status();
      }
      case K::External:
      case K::Mode386:
      case K::Model:
        return err(i, "MASM-only directive");
      case K::IndirectSymbol:
      case K::PrivateExtern:
        return err(i, "Mach-O-only directive");
    }
    return err(i, "unknown directive");
  }

  std::vector<std::pair<uint32_t, Loc>> size_marks_;

  // GNU as accepts any value that fits the field as signed or unsigned.
  static bool fits(int64_t value, uint8_t size) {
    if (size >= 8) return true;
    const int64_t lo = -(int64_t(1) << (8 * size - 1)), hi = (int64_t(1) << (8 * size)) - 1;
    return value >= lo && value <= hi;
  }
  // Checked inline (every data directive), the message built out of line.
  Status check_range(size_t line_no, int64_t value, uint8_t size) const {
    if (fits(value, size)) [[likely]] return ok_status();
    return range_error(line_no, value, size);
  }
  [[gnu::cold, gnu::noinline]] Error range_error(size_t line_no, int64_t value, uint8_t size) const {
    return err(line_no, "value ", value, " does not fit in ", size, " bytes");
  }

  Status data(size_t i, const ir::Constant& c, uint8_t size) {
    Sec& sec = secs_[cur_];
    if (c.kind == ir::Constant::Kind::Int) {
      // Plain numbers (most of a frametable) need no deferred evaluation.
      if (!fits(c.value, size)) [[unlikely]] return range_error(i, c.value, size);
      const size_t at = sec.fixed.size();
      sec.fixed.resize(at + size);
      put(sec.fixed, at, static_cast<uint64_t>(c.value), size);
      return ok_status();
    }
    DataFix d;
    d.seq = seq_++;
    d.loc = here();
    d.size = size;
    d.expr = &c;
    d.line = i;
    data_fixes_.push_back(d);
    sec.fixed.insert(sec.fixed.end(), size, 0);
    return ok_status();
  }

  Status instruction(size_t i, const ir::Instr& ins) {
    Sec& sec = secs_[cur_];
    BranchTarget bt = branch_target(ins);
    if (bt.is_branch) {
      Frag f;
      f.kind = Frag::Kind::Branch;
      f.pos = sec.fixed.size();
      f.line = i;
      f.conditional = bt.conditional;
      f.cond = bt.cond;
      f.plt = bt.plt;
      f.target = label_id(bt.symbol);
      sec.frags.push_back(f);
      return ok_status();
    }
    Status s = encode(ins, enc_);
    if (!s) return err(i, s.error().message);
    Loc base = here();
    for (auto& fx : enc_.fixups) {
      InsFix f;
      f.seq = seq_++;
      f.loc = base;
      f.loc.pos += fx.offset;
      f.label = label_id(fx.symbol);
      f.fx = std::move(fx);
      f.line = i;
      ins_fixes_.push_back(std::move(f));
    }
    sec.fixed.insert(sec.fixed.end(), enc_.bytes, enc_.bytes + enc_.length);
    return ok_status();
  }

  // --- relaxation -------------------------------------------------------

  // GNU as (elf_symbol_resolved_in_segment_p): a jump may be relaxed when
  // its target is in the same section and cannot be preempted, i.e. is
  // not weak and carries no @PLT (as is not run with -mshared).
  bool relaxable(const Sec& sec, const Frag& f) const {
    const Label& t = labels_[f.target];
    return !f.plt && t.defined && t.loc.sec == static_cast<uint32_t>(&sec - secs_.data());
  }

  static uint64_t near_size(const Frag& f) { return f.conditional ? 6 : 5; }

  static uint64_t pad(uint64_t addr, uint64_t align) { return (align - addr % align) % align; }

  void relax(Sec& sec) {
    const size_t n = sec.frags.size();
    sec.cum.assign(n + 1, 0);
    // Initial layout: relaxable branches short, alignment from there.
    uint64_t running = 0;
    for (size_t k = 0; k < n; ++k) {
      Frag& f = sec.frags[k];
      if (f.kind == Frag::Kind::Branch) {
        f.relaxable = relaxable(sec, f);
        f.size = f.relaxable ? 2 : near_size(f);
      } else {
        f.size = pad(f.pos + running, f.align);
      }
      running += f.size;
      sec.cum[k + 1] = running;
    }
    // Grow short branches whose target is out of reach, until nothing
    // changes. Like GNU as's relax_segment: frags before the current one
    // have their new addresses, targets after it are shifted by the growth
    // so far ("stretch").
    std::vector<uint64_t>& old = relax_old_;
    for (bool changed = true; changed;) {
      changed = false;
      old = sec.cum;
      int64_t stretch = 0;
      for (size_t k = 0; k < n; ++k) {
        Frag& f = sec.frags[k];
        uint64_t addr = f.pos + sec.cum[k];
        uint64_t new_size = f.size;
        if (f.kind == Frag::Kind::Align) {
          new_size = pad(addr, f.align);
        } else if (f.relaxable && f.size == 2) {
          const Loc& t = labels_[f.target].loc;
          int64_t target;
          if (t.nfrags <= k) target = static_cast<int64_t>(t.pos + sec.cum[t.nfrags]);
          else target = static_cast<int64_t>(t.pos + old[t.nfrags]) + stretch;
          int64_t aim = target - static_cast<int64_t>(addr) - 1;
          if (aim < -127 || aim > 128) new_size = near_size(f);
        }
        if (new_size != f.size) {
          changed = true;
          stretch += static_cast<int64_t>(new_size) - static_cast<int64_t>(f.size);
          f.size = new_size;
        }
        sec.cum[k + 1] = sec.cum[k] + f.size;
      }
    }
  }

  std::vector<uint64_t> relax_old_;  // relax's scratch

  // --- output -----------------------------------------------------------

  SymbolIndex section_symbol(uint32_t sec) {
    auto& slot = sec_syms_[sec];
    if (!slot) {
      obj::Symbol& s = add_symbol(obj_.sections[secs_[sec].index].name);
      s.section = secs_[sec].index;
      s.kind = obj::SymbolKind::Section;
      s.binding = obj::Binding::Local;
      slot = last_symbol();
    }
    return *slot;
  }
  std::vector<std::optional<SymbolIndex>> sec_syms_;

  // The unit's symbols are obj_.symbols[0, nsyms_): those of the previous
  // unit are overwritten in place, each name in its own buffer, then the
  // rest is trimmed (trim_symbols), rather than every name moved to the
  // spares and back.
  size_t nsyms_ = 0;

  // A new last symbol: default fields, `name`.
  obj::Symbol& add_symbol(std::string_view name) {
    if (nsyms_ < obj_.symbols.size()) {
      obj::Symbol& s = obj_.symbols[nsyms_++];
      std::string buffer = std::move(s.name);
      s = obj::Symbol{};
      buffer.assign(name);
      s.name = std::move(buffer);
      return s;
    }
    ++nsyms_;
    obj::Symbol& s = obj_.symbols.emplace_back();
    s.name = take_string(name);
    return s;
  }
  SymbolIndex last_symbol() const { return static_cast<SymbolIndex>(nsyms_ - 1); }
  // Drops the previous unit's symbols beyond this one's, keeping their names' buffers.
  void trim_symbols() {
    if (nsyms_ >= obj_.symbols.size()) return;
    for (size_t k = nsyms_; k < obj_.symbols.size(); ++k) keep_string(std::move(obj_.symbols[k].name));
    obj_.symbols.erase(obj_.symbols.begin() + static_cast<std::ptrdiff_t>(nsyms_), obj_.symbols.end());
  }

  SymbolIndex label_symbol(uint32_t id) {
    Label& l = labels_[id];
    if (!l.symbol) {
      obj::Symbol& s = add_symbol(l.name);
      s.binding = l.global || !l.defined ? obj::Binding::Global : obj::Binding::Local;
      if (l.defined) {
        s.section = secs_[l.loc.sec].index;
        s.value = secs_[l.loc.sec].offset(l.loc);
      }
      s.kind = l.kind;
      l.symbol = last_symbol();
    }
    return *l.symbol;
  }

  void add_reloc(const Sec& sec, uint64_t offset, uint32_t type, SymbolIndex sym, int64_t addend) {
    obj::Relocation r;
    r.section = sec.index;
    r.offset = offset;
    r.type = type;
    r.symbol = sym;
    r.addend = addend;
    obj_.relocations.push_back(r);
    reloc_seq_.push_back(cur_seq_);
  }

  // GNU as's need_plt32_p: branches to symbols that may be preempted or are
  // undefined get PLT32, branches to local symbols PC32.
  bool need_plt32(const Label& l) const { return !l.defined || l.global; }

  // The symbol and addend a relocation against label `id` plus `addend`
  // uses: GNU as replaces local symbols by their section symbol, except in
  // mergeable sections when there is an offset (`fx_offset`).
  std::pair<SymbolIndex, int64_t> reloc_target(uint32_t id, int64_t addend, int64_t fx_offset,
                                               bool adjustable) {
    Label& l = labels_[id];
    if (adjustable && l.defined && !l.global && !(secs_[l.loc.sec].merge && fx_offset != 0)) {
      const Sec& ts = secs_[l.loc.sec];
      return {section_symbol(l.loc.sec), wadd(addend, static_cast<int64_t>(ts.offset(l.loc)))};
    }
    return {label_symbol(id), addend};
  }

  // The low `n` bytes of `v`, little-endian, at `off`. Fields are 1, 2, 4 or
  // 8 bytes: one store each on a little-endian host, not a loop of bytes.
  static void put(std::vector<uint8_t>& bytes, uint64_t off, uint64_t v, int n) {
    uint8_t* at = bytes.data() + off;
    if constexpr (std::endian::native == std::endian::little) {
      switch (n) {
        case 1: *at = static_cast<uint8_t>(v); return;
        case 2: { const auto w = static_cast<uint16_t>(v); std::memcpy(at, &w, 2); return; }
        case 4: { const auto w = static_cast<uint32_t>(v); std::memcpy(at, &w, 4); return; }
        case 8: std::memcpy(at, &v, 8); return;
        default: break;
      }
    }
    for (int k = 0; k < n; ++k) at[k] = static_cast<uint8_t>(v >> (8 * k));
  }

  Status linearize(const ir::Constant& c, int64_t sign, Linear& out, size_t line_no, int depth = 0) {
    if (depth > 64) return err(line_no, "expression too deep");
    using K = ir::Constant::Kind;
    switch (c.kind) {
      case K::Int: out.constant = wadd(out.constant, wmul(sign, c.value)); return ok_status();
      case K::This: out.this_coeff = wadd(out.this_coeff, sign); return ok_status();
      case K::Label: {
        auto [base, v] = split_symbol_suffix(c.label);
        if (v != Fixup::Variant::None) return err(line_no, "@PLT/@GOTPCREL in a data expression");
        uint32_t id = label_id(c.label);
        // `.set` symbols are expanded in place.
        if (labels_[id].set_expr && !labels_[id].defined) {
          if (labels_[id].set_expr == &c) return err(line_no, "recursive .set");
          return linearize(*labels_[id].set_expr, sign, out, line_no, depth + 1);
        }
        out.terms.push_back({id, sign});
        return ok_status();
      }
      case K::Add:
      case K::Sub:
        if (!c.lhs || !c.rhs) return err(line_no, "malformed expression");
        if (Status s = linearize(*c.lhs, sign, out, line_no, depth + 1); !s) return s;
        return linearize(*c.rhs, c.kind == K::Add ? sign : -sign, out, line_no, depth + 1);
    }
    return err(line_no, "malformed expression");
  }

  struct Group {
    uint32_t key;
    int64_t coeff;
    uint32_t members;       // labels folded in
    uint32_t first_label;   // the first of them
    int64_t first_coeff;
  };
  Linear lin_;                       // evaluate's scratch
  std::vector<Group> by_sec_, und_;  // evaluate's scratch

  // Evaluates `c` at location `at`: either a number, or one symbol plus a
  // number, optionally pc-relative (minus the location's own section).
  struct Value {
    bool constant = true;
    int64_t number = 0;
    std::optional<uint32_t> label;   // +1 label (defined elsewhere, global or undefined)
    std::optional<uint32_t> section; // +1 section (local labels folded into it)
    uint32_t section_label = 0;      // the single local label, when there was one
    bool single_label = false;
    bool pcrel = false;              // minus the current location
  };

  Result<Value> evaluate(const ir::Constant& c, const Loc& at, size_t line_no) {
    // A lone label (most data relocations: frametables, closures): the
    // Value the general path below makes of it, without linearising.
    if (c.kind == ir::Constant::Kind::Label &&
        split_symbol_suffix(c.label).second == Fixup::Variant::None) {
      const uint32_t id = label_id(c.label);
      const Label& l = labels_[id];
      Value v;
      v.constant = false;
      if (l.defined) {
        v.number = static_cast<int64_t>(secs_[l.loc.sec].offset(l.loc));
        v.section = l.loc.sec;
        v.single_label = true;
        v.section_label = id;
        return v;
      }
      if (!l.set_expr && !l.is_local_label()) {
        v.label = id;
        return v;
      }
    }
    Linear& lin = lin_;  // reused: no allocation per expression
    lin.terms.clear();
    lin.this_coeff = lin.constant = 0;
    if (Status s = linearize(c, 1, lin, line_no); !s) return s.error();
    // Fold defined labels into per-section coefficients (expressions have
    // a handful of terms: small vectors beat hash maps here).
    std::vector<Group>& by_sec = by_sec_;
    std::vector<Group>& und = und_;
    by_sec.clear();
    und.clear();
    auto add = [](std::vector<Group>& gs, uint32_t key, int64_t coeff, std::optional<uint32_t> label) {
      for (Group& g : gs)
        if (g.key == key) {
          g.coeff = wadd(g.coeff, coeff);
          if (label) ++g.members;
          return;
        }
      gs.push_back(Group{key, coeff, label ? 1u : 0u, label.value_or(0), coeff});
    };
    Value v;
    v.number = lin.constant;
    for (auto [id, coeff] : lin.terms) {
      const Label& l = labels_[id];
      if (undefined_local(id)) return err(line_no, "undefined local label ", l.name);
      if (!l.defined) {
        add(und, id, coeff, std::nullopt);
        continue;
      }
      add(by_sec, l.loc.sec, coeff, id);
      v.number = wadd(v.number, wmul(coeff, static_cast<int64_t>(secs_[l.loc.sec].offset(l.loc))));
    }
    if (lin.this_coeff != 0) {
      add(by_sec, at.sec, lin.this_coeff, std::nullopt);
      v.number = wadd(v.number, wmul(lin.this_coeff, static_cast<int64_t>(secs_[at.sec].offset(at))));
    }
    int plus = 0;
    const Group* plus_group = nullptr;
    for (const Group& g : by_sec) {
      const uint32_t sec = g.key;
      const int64_t coeff = g.coeff;
      if (coeff == 0) continue;
      if (coeff == 1) {
        ++plus;
        v.section = sec;
        plus_group = &g;
      } else if (coeff == -1 && sec == at.sec && !v.pcrel) {
        v.pcrel = true;
      } else {
        return err(line_no, "expression is not representable by a relocation");
      }
    }
    for (const Group& g : und) {
      const uint32_t id = g.key;
      const int64_t coeff = g.coeff;
      if (coeff == 0) continue;
      if (coeff != 1) return err(line_no, "expression is not representable by a relocation");
      ++plus;
      v.label = id;
    }
    if (plus > 1) return err(line_no, "expression is not representable by a relocation");
    if (v.pcrel) {
      // value = X + number' - here; `number` already has -offset(here's
      // term) folded in, so the relocation's addend adds the field offset.
      v.number = wadd(v.number, static_cast<int64_t>(secs_[at.sec].offset(at)));
      if (plus == 0) return err(line_no, "expression is not representable by a relocation");
    }
    if (plus_group && plus_group->members == 1 && plus_group->first_coeff == 1) {
      // One label alone: it may keep its own symbol (global, or mergeable).
      v.single_label = true;
      v.section_label = plus_group->first_label;
    }
    v.constant = plus == 0;
    return v;
  }

  // .eh_frame from the CFI directives, as the last section.
  std::vector<CfiProcedure> procs_;                     // eh_frame's scratch
  std::vector<std::pair<uint64_t, int64_t>> adjusted_;  // of procs_: at offset, by how much
  std::vector<EhFrameReloc> eh_relocs_;

  void eh_frame() {
    std::vector<CfiProcedure>& procs = procs_;
    procs.clear();
    adjusted_.clear();
    for (const auto& [loc, delta] : cfi_adjust_) adjusted_.push_back({secs_[loc.sec].offset(loc), delta});
    for (const CfiProc& p : cfi_) {
      const Sec& sec = secs_[p.start.sec];
      CfiProcedure cp;
      cp.section = p.start.sec;
      cp.start = sec.offset(p.start);
      cp.end = sec.offset(p.end);
      cp.adjustments = std::span(adjusted_).subspan(p.first_adjust, p.adjust_count);
      procs.push_back(cp);
    }
    std::vector<EhFrameReloc>& relocs = eh_relocs_;
    relocs.clear();
    obj::Section s;
    s.name = ".eh_frame";
    s.type = E::SHT_PROGBITS;
    s.flags = E::SHF_ALLOC;
    s.alignment = 8;
    s.bytes = take_bytes();
    build_eh_frame(procs, relocs, s.bytes);
    const SectionIndex si = static_cast<SectionIndex>(obj_.sections.size());
    obj_.sections.push_back(std::move(s));
    for (const EhFrameReloc& er : relocs) {
      obj::Relocation r;
      r.section = si;
      r.offset = er.offset;
      r.type = E::R_X86_64_PC32;
      r.symbol = *sec_syms_[er.section];
      r.addend = er.addend;
      obj_.relocations.push_back(r);
      reloc_seq_.push_back(er.offset);
    }
    obj::Symbol& sym = add_symbol(".eh_frame");
    sym.section = si;
    sym.kind = obj::SymbolKind::Section;
  }

  std::vector<uint8_t> nobits_;                // finish's scratch
  std::vector<size_t> reloc_order_;             // finish's scratch
  std::vector<obj::Relocation> relocs_sorted_;  // finish's scratch

  Status finish() {
    // A symbol for every section, as GNU as does.
    obj_.symbols.reserve(secs_.size() + labels_.size() + 1);
    obj_.relocations.reserve(ins_fixes_.size() + data_fixes_.size() + 2 * cfi_.size());
    sec_syms_.assign(secs_.size(), std::nullopt);
    for (uint32_t k = 0; k < secs_.size(); ++k) section_symbol(k);
    // Final section contents.
    for (auto& sec : secs_) {
      auto& s = obj_.sections[sec.index];
      if (sec.frags.empty() && s.type != E::SHT_NOBITS) {
        s.bytes.swap(sec.fixed);  // nothing variable: the fixed bytes are final
        sec.fixed.clear();  // s.bytes' spare buffer: empty, and `here` still valid
        continue;
      }
      // NOBITS contents are only checked: built in a scratch buffer.
      std::vector<uint8_t>& out = s.type == E::SHT_NOBITS ? nobits_ : s.bytes;
      out.clear();
      out.reserve(sec.fixed.size() + sec.cum.back());
      uint64_t prev = 0;
      for (size_t k = 0; k < sec.frags.size(); ++k) {
        const Frag& f = sec.frags[k];
        out.insert(out.end(), sec.fixed.begin() + static_cast<std::ptrdiff_t>(prev),
                   sec.fixed.begin() + static_cast<std::ptrdiff_t>(f.pos));
        prev = f.pos;
        uint64_t addr = out.size();
        if (f.kind == Frag::Kind::Align) {
          if (sec.code) code_padding(f.size, out);
          else out.insert(out.end(), f.size, 0);
          continue;
        }
        const Label& t = labels_[f.target];
        if (f.relaxable) {
          int64_t target = static_cast<int64_t>(sec.offset(t.loc));
          if (f.size == 2) {
            int64_t rel = target - static_cast<int64_t>(addr + 2);
            out.push_back(f.conditional ? static_cast<uint8_t>(0x70 + f.cond) : 0xEB);
            out.push_back(static_cast<uint8_t>(rel));
          } else {
            int64_t rel = target - static_cast<int64_t>(addr + f.size);
            if (f.conditional) {
              out.push_back(0x0F);
              out.push_back(static_cast<uint8_t>(0x80 + f.cond));
            } else {
              out.push_back(0xE9);
            }
            for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(rel) >> (8 * b)));
          }
        } else {
          if (f.conditional) {
            out.push_back(0x0F);
            out.push_back(static_cast<uint8_t>(0x80 + f.cond));
          } else {
            out.push_back(0xE9);
          }
          uint64_t field = out.size();
          out.insert(out.end(), 4, 0);
          uint32_t type = (f.plt || need_plt32(t)) ? E::R_X86_64_PLT32 : E::R_X86_64_PC32;
          cur_seq_ = (uint64_t(1) << 62) + k;
          auto [sym, addend] = reloc_target(f.target, -4, 0, !f.plt);
          add_reloc(sec, field, type, sym, addend);
        }
      }
      out.insert(out.end(), sec.fixed.begin() + static_cast<std::ptrdiff_t>(prev), sec.fixed.end());
      if (s.type == E::SHT_NOBITS) {
        for (uint8_t b : out)
          if (b != 0) return Error{"unit " + unit_ + ": non-zero data in NOBITS section " + s.name};
        s.nobits_size = out.size();
      }
    }
    // Named labels, in order of first mention.
    for (uint32_t id = 0; id < labels_.size(); ++id) {
      Label& l = labels_[id];
      if (l.set_expr && !l.defined) {
        auto v = evaluate(*l.set_expr, l.set_loc, l.set_line);
        if (!v) return v.error();
        if (v->constant) {
          obj::Symbol& s = add_symbol(l.name);
          s.absolute = true;
          s.value = static_cast<uint64_t>(v->number);
          s.binding = l.global ? obj::Binding::Global : obj::Binding::Local;
          l.symbol = last_symbol();
        } else if (v->section && !v->pcrel) {
          l.defined = true;
          l.loc = Loc{*v->section, 0, static_cast<uint64_t>(v->number)};
        } else {
          return err(l.set_line, ".set of a non-constant expression");
        }
      }
    }
    for (uint32_t id = 0; id < labels_.size(); ++id) {
      const Label& l = labels_[id];
      if (l.defined && !l.is_local_label()) label_symbol(id);
      else if (l.global && !l.defined && !l.symbol) label_symbol(id);
    }
    // Instruction fixups.
    for (const InsFix& f : ins_fixes_) {
      cur_seq_ = f.seq;
      Sec& sec = secs_[f.loc.sec];
      auto& bytes = obj_.sections[sec.index].bytes;
      uint64_t field = sec.offset(f.loc);
      const Fixup& fx = f.fx;
      const Label& l = labels_[f.label];
      if (fx.variant == Fixup::Variant::GotPcrel) {
        uint32_t type = !fx.relaxable_got ? E::R_X86_64_GOTPCREL
                        : fx.has_rex      ? E::R_X86_64_REX_GOTPCRELX
                                          : E::R_X86_64_GOTPCRELX;
        add_reloc(sec, field, type, label_symbol(f.label), fx.offset_expr - 4);
        // GNU as references the GOT symbol as soon as a GOT relocation is used.
        label_symbol(label_id("_GLOBAL_OFFSET_TABLE_"));
        continue;
      }
      if (fx.variant == Fixup::Variant::Plt) {
        add_reloc(sec, field, E::R_X86_64_PLT32, label_symbol(f.label), fx.offset_expr - 4);
        continue;
      }
      if (fx.pcrel) {
        if (l.defined && l.loc.sec == f.loc.sec && !l.global) {
          int64_t v = static_cast<int64_t>(sec.offset(l.loc)) + fx.offset_expr - static_cast<int64_t>(field + 4);
          if (v < INT32_MIN || v > INT32_MAX) return err(f.line, "pc-relative displacement out of range");
          put(bytes, field, static_cast<uint64_t>(v), 4);
          continue;
        }
        uint32_t type = fx.is_branch && need_plt32(l) ? E::R_X86_64_PLT32 : E::R_X86_64_PC32;
        // In a mergeable section GNU as keeps the symbol whenever the addend
        // (which includes the -4 of the pc-relative field) is not zero.
        auto [sym, addend] = reloc_target(f.label, fx.offset_expr - 4, fx.offset_expr - 4, true);
        add_reloc(sec, field, type, sym, addend);
        continue;
      }
      uint32_t type = fx.size == 8   ? E::R_X86_64_64
                      : fx.size == 4 ? (fx.signed32 ? E::R_X86_64_32S : E::R_X86_64_32)
                      : fx.size == 2 ? E::R_X86_64_16
                                     : E::R_X86_64_8;
      auto [sym, addend] = reloc_target(f.label, fx.offset_expr, fx.offset_expr, true);
      add_reloc(sec, field, type, sym, addend);
    }
    // Data directives.
    for (const DataFix& d : data_fixes_) {
      cur_seq_ = d.seq;
      Sec& sec = secs_[d.loc.sec];
      auto& bytes = obj_.sections[sec.index].bytes;
      uint64_t field = sec.offset(d.loc);
      auto r = evaluate(*d.expr, d.loc, d.line);
      if (!r) return r.error();
      const Value& v = *r;
      if (v.constant) {
        if (Status s = check_range(d.line, v.number, d.size); !s) return s;
        if (obj_.sections[sec.index].type == E::SHT_NOBITS) {
          if (v.number != 0) return err(d.line, "non-zero data in a NOBITS section");
          continue;
        }
        put(bytes, field, static_cast<uint64_t>(v.number), d.size);
        continue;
      }
      uint32_t type;
      if (v.pcrel) {
        type = d.size == 8 ? E::R_X86_64_PC64 : d.size == 4 ? E::R_X86_64_PC32
             : d.size == 2 ? E::R_X86_64_PC16 : E::R_X86_64_PC8;
      } else {
        type = d.size == 8 ? E::R_X86_64_64 : d.size == 4 ? E::R_X86_64_32
             : d.size == 2 ? E::R_X86_64_16 : E::R_X86_64_8;
      }
      int64_t addend = v.number;
      SymbolIndex sym;
      if (v.label) {
        sym = label_symbol(*v.label);
      } else if (v.single_label && labels_[v.section_label].global) {
        const Label& l = labels_[v.section_label];
        sym = label_symbol(v.section_label);
        addend = wsub(addend, static_cast<int64_t>(secs_[l.loc.sec].offset(l.loc)));
      } else if (v.single_label && secs_[*v.section].merge) {
        const Label& l = labels_[v.section_label];
        int64_t rest = wsub(addend, static_cast<int64_t>(secs_[l.loc.sec].offset(l.loc)));
        // A difference with `.` still has its subtrahend when GNU as
        // decides, so it counts as an offset too.
        if (rest != 0 || v.pcrel) {
          sym = label_symbol(v.section_label);
          addend = wsub(addend, static_cast<int64_t>(secs_[l.loc.sec].offset(l.loc)));
        } else {
          sym = section_symbol(*v.section);
        }
      } else {
        sym = section_symbol(*v.section);
      }
      add_reloc(sec, field, type, sym, addend);
    }
    if (!cfi_.empty()) eh_frame();
    // GNU as's order: per section, fixups in creation order, then those of
    // relaxed branches.
    const auto reloc_before = [&](size_t a, size_t b) {
      const auto& ra = obj_.relocations[a];
      const auto& rb = obj_.relocations[b];
      if (ra.section != rb.section) return ra.section < rb.section;
      return reloc_seq_[a] < reloc_seq_[b];
    };
    bool sorted = true;  // usually: sections are mostly filled one after the other
    for (size_t k = 1; k < obj_.relocations.size() && sorted; ++k) sorted = !reloc_before(k, k - 1);
    if (!sorted) {
      std::vector<size_t>& order = reloc_order_;
      order.resize(obj_.relocations.size());
      for (size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::stable_sort(order.begin(), order.end(), reloc_before);
      std::vector<obj::Relocation>& in_order = relocs_sorted_;
      in_order.clear();
      for (size_t k : order) in_order.push_back(obj_.relocations[k]);
      obj_.relocations.swap(in_order);
    }
    // Symbol sizes.
    for (auto& [id, at] : size_marks_) {
      Label& l = labels_[id];
      auto r = evaluate(*l.size_expr, at, l.size_line);
      if (!r) return r.error();
      if (!r->constant) return err(l.size_line, ".size of a non-constant expression");
      if (l.symbol) obj_.symbols[*l.symbol].size = static_cast<uint64_t>(r->number);
    }
    // Line table.
    for (const LineMark& m : marks_) {
      obj::LineEntry e;
      e.section = secs_[m.loc.sec].index;
      e.offset = secs_[m.loc.sec].offset(m.loc);
      e.file = m.file;
      e.line = m.line;
      e.column = m.column;
      obj_.lines.push_back(e);
    }
    return ok_status();
  }
};

}  // namespace

Status assemble(const ir::Program& program, std::string_view unit_name, obj::Object& out) {
  thread_local Assembler assembler;
  return assembler.run(program, unit_name, out);
}

Result<obj::Object> assemble(const ir::Program& program, const std::string& unit_name) {
  obj::Object out;
  if (Status s = assemble(program, unit_name, out); !s) return s.error();
  return out;
}

}  // namespace ocamljit::assembler
