// Link groups: a set of relocatable objects that refer to each other (in
// cycles, as the members of a C archive do) merged into one Object, which the
// Linker then loads as one unit. This is ld's symbol resolution:
//   - every object keeps its own sections and local symbols;
//   - global symbols are resolved among the objects: a strong definition
//     beats a COMMON one, which beats a weak one; two strong definitions are
//     an error naming both objects; references left undefined stay so (the
//     Linker resolves them against earlier units and the process), weak ones
//     only if no reference is strong;
//   - COMMON symbols without a definition get zeroed space in `.bss.common`;
//   - a COMDAT group whose signature was already seen (in this link or an
//     earlier one) is dropped, with the relocations of its sections and the
//     `.eh_frame` FDEs that describe its code;
//   - sections that are not allocated (debug info, notes) are dropped;
//   - every object's `.eh_frame` is concatenated into one `.eh_frame` ending
//     with a zero terminator, ready for `__register_frame`.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "object/object.hpp"
#include "support/error.hpp"

namespace ocamljit::link {

struct MergedGroup {
  obj::Object object;
  std::vector<std::string> comdats;  // signatures of the COMDAT groups it brings
};

// `name` names the result in messages; `linked_comdats` holds the signatures
// of the COMDAT groups linked by earlier groups.
Result<MergedGroup> merge_objects(std::vector<obj::Object> objects, const std::string& name,
                                  const std::unordered_set<std::string>& linked_comdats);

}  // namespace ocamljit::link
