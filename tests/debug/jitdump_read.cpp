// A reader of perf jitdump files written independently of the writer
// (src/debug/jitdump.cpp), from the specification in linux
// tools/perf/Documentation/jitdump-specification.txt. Checks the framing
// and prints one line per record:
//   LOAD <code_addr hex> <code_size hex> <name>      (the perf map's format)
//   DEBUG <code_addr hex> <entries> <file>:<line> (first entry)
// Exit status 1 with a message on the first inconsistency.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what, size_t at) {
  std::fprintf(stderr, "jitdump_read: %s at byte %zu\n", what.c_str(), at);
  std::exit(1);
}

struct Reader {
  const std::vector<uint8_t>& b;
  size_t at = 0;
  template <class T>
  T get() {
    if (at + sizeof(T) > b.size()) fail("truncated field", at);
    T v;
    std::memcpy(&v, b.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  std::string cstr(size_t limit) {
    size_t end = at;
    while (end < limit && b[end] != 0) ++end;
    if (end >= limit) fail("unterminated string", at);
    std::string s(reinterpret_cast<const char*>(b.data() + at), end - at);
    at = end + 1;
    return s;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: jitdump_read FILE\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) fail(std::string("cannot open ") + argv[1], 0);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Reader r{bytes};
  if (r.get<uint32_t>() != 0x4A695444) fail("bad magic", 0);
  if (r.get<uint32_t>() != 1) fail("unsupported version", 4);
  const uint32_t header_size = r.get<uint32_t>();
  if (header_size < 40 || header_size > bytes.size()) fail("bad header size", 8);
  if (r.get<uint32_t>() != 62) fail("not EM_X86_64", 12);
  r.get<uint32_t>();
  const uint32_t pid = r.get<uint32_t>();
  uint64_t last_time = r.get<uint64_t>();
  r.at = header_size;
  uint64_t next_index = 0;
  std::set<uint64_t> described;  // code addresses with a DEBUG_INFO not yet followed by their CODE_LOAD
  while (r.at < bytes.size()) {
    const size_t start = r.at;
    const uint32_t id = r.get<uint32_t>();
    const uint32_t size = r.get<uint32_t>();
    const uint64_t time = r.get<uint64_t>();
    if (size < 16 || start + size > bytes.size()) fail("bad record size", start);
    if (time < last_time) fail("timestamps go backwards", start);
    last_time = time;
    const size_t end = start + size;
    if (id == 0) {  // JIT_CODE_LOAD
      if (r.get<uint32_t>() != pid) fail("CODE_LOAD pid differs from the header's", start);
      r.get<uint32_t>();
      const uint64_t vma = r.get<uint64_t>();
      const uint64_t addr = r.get<uint64_t>();
      const uint64_t code_size = r.get<uint64_t>();
      const uint64_t index = r.get<uint64_t>();
      if (vma != addr) fail("vma differs from code_addr", start);
      if (index != next_index++) fail("code_index out of sequence", start);
      const std::string name = r.cstr(end);
      if (r.at + code_size != end) fail("code bytes do not fill the record", start);
      described.erase(addr);
      std::printf("LOAD %llx %llx %s\n", static_cast<unsigned long long>(addr),
                  static_cast<unsigned long long>(code_size), name.c_str());
    } else if (id == 2) {  // JIT_CODE_DEBUG_INFO
      const uint64_t addr = r.get<uint64_t>();
      const uint64_t n = r.get<uint64_t>();
      std::string first;
      uint64_t prev = 0;
      for (uint64_t k = 0; k < n; ++k) {
        const uint64_t a = r.get<uint64_t>();
        const uint32_t line = r.get<uint32_t>();
        r.get<uint32_t>();
        const std::string file = r.cstr(end);
        if (a < addr || a < prev) fail("debug entry addresses out of order", start);
        prev = a;
        if (k == 0) first = file + ":" + std::to_string(line);
      }
      if (r.at != end) fail("DEBUG_INFO entries do not fill the record", start);
      described.insert(addr);
      std::printf("DEBUG %llx %llu %s\n", static_cast<unsigned long long>(addr),
                  static_cast<unsigned long long>(n), first.c_str());
    } else if (id > 5) {
      fail("unknown record id " + std::to_string(id), start);
    }
    r.at = end;
  }
  if (!described.empty()) fail("DEBUG_INFO without a following CODE_LOAD", bytes.size());
  return 0;
}
