#include "object/object.hpp"

namespace ocamljit::obj {

std::optional<SectionIndex> Object::find_section(const std::string& section_name) const {
  for (SectionIndex i = 0; i < sections.size(); ++i)
    if (sections[i].name == section_name) return i;
  return std::nullopt;
}

std::optional<SymbolIndex> Object::find_symbol(const std::string& symbol_name) const {
  for (SymbolIndex i = 0; i < symbols.size(); ++i)
    if (symbols[i].name == symbol_name) return i;
  return std::nullopt;
}

SectionIndex Object::ensure_section(const std::string& section_name, uint32_t type,
                                    uint64_t flags, uint64_t alignment) {
  if (auto i = find_section(section_name)) return *i;
  Section s;
  s.name = section_name;
  s.type = type;
  s.flags = flags;
  s.alignment = alignment;
  sections.push_back(std::move(s));
  return static_cast<SectionIndex>(sections.size() - 1);
}

SymbolIndex Object::ensure_symbol(const std::string& symbol_name) {
  if (auto i = find_symbol(symbol_name)) return *i;
  Symbol s;
  s.name = symbol_name;
  symbols.push_back(std::move(s));
  return static_cast<SymbolIndex>(symbols.size() - 1);
}

}  // namespace ocamljit::obj
