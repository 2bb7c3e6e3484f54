// Shell blocks (mdx's cram tests): `$ command` lines, `> ` continuation
// lines, the output, and `[N]` for a non-zero exit code. Each command runs
// through `sh -c` as mdx runs it, its output and exit code are recorded.
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "doc/doc.hpp"

extern char** environ;

namespace ocamljit::doc {

namespace {

std::size_t indentation(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_exit_code(std::string_view s, int& code) {
  s = rstrip(s);
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  std::string_view digits = s.substr(1, s.size() - 2);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  code = 0;
  for (char c : digits) code = code * 10 + (c - '0');
  return true;
}

bool continues(const CramTest& t) {
  const std::string& last = t.command.back();
  return last.ends_with('\\') || t.command.front().find("<<") != std::string::npos;
}

}  // namespace

Result<CramBlock> parse_cram(const std::vector<std::string>& body) {
  CramBlock b;
  if (body.empty()) return b;
  b.hpad = indentation(body.front());
  std::optional<CramTest> cur;
  bool in_command = false;
  for (const auto& raw : body) {
    std::string l = raw.substr(std::min(indentation(raw), b.hpad));
    int code = 0;
    if (l.starts_with("$ ")) {
      if (cur) b.tests.push_back(std::move(*cur));
      cur = CramTest{};
      cur->command.push_back(l);
      in_command = true;
      continue;
    }
    if (!cur) {
      if (l.empty()) continue;
      if (l.starts_with("$"))
        return make_error("Blocks must start with a command or similar, not with an output line. To indicate a "
                          "line as a command, start it with a dollar followed by a space.");
      return make_error("Blocks must start with a command or similar, not with an output line. Please, make sure "
                        "that there's no spare empty line, particularly between the output and its input.");
    }
    if (in_command && l.starts_with("> ") && continues(*cur)) {
      cur->command.push_back(l);
      continue;
    }
    in_command = false;
    if (is_exit_code(l, code)) {
      cur->exit_code = code;
      b.tests.push_back(std::move(*cur));
      cur.reset();
      continue;
    }
    cur->output.push_back(l);
  }
  if (cur) b.tests.push_back(std::move(*cur));
  return b;
}

std::string cram_command_line(const CramTest& t) {
  bool heredoc = t.command.front().find("<<") != std::string::npos;
  std::string s;
  for (std::size_t i = 0; i < t.command.size(); ++i) {
    std::string_view l = std::string_view(t.command[i]).substr(2);  // "$ " or "> "
    if (!heredoc && l.ends_with('\\')) l.remove_suffix(1);
    if (i) s += heredoc ? "\n" : " ";
    s += l;
  }
  return s;
}

std::vector<std::string> layout_cram(const CramBlock& b) {
  std::vector<std::string> lines;
  std::string pad(b.hpad, ' ');
  for (const auto& t : b.tests) {
    for (const auto& c : t.command) lines.push_back(pad + c);
    for (const auto& o : t.output) {
      std::string_view r = rstrip(o);
      lines.push_back(o.empty() ? "" : r == "..." ? pad + "..." : pad + o);
    }
    if (t.exit_code != 0) lines.push_back(pad + "[" + std::to_string(t.exit_code) + "]");
  }
  return lines;
}

namespace {

// posix_spawn's file actions, freed on every path.
class SpawnActions {
 public:
  SpawnActions() { ok_ = ::posix_spawn_file_actions_init(&a_) == 0; }
  ~SpawnActions() {
    if (ok_) ::posix_spawn_file_actions_destroy(&a_);
  }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  bool ok() const { return ok_; }
  posix_spawn_file_actions_t* get() { return &a_; }

 private:
  posix_spawn_file_actions_t a_;
  bool ok_ = false;
};

}  // namespace

Result<CommandResult> run_shell(const std::string& command, const std::string& dir,
                                const std::vector<std::string>& unset) {
  int fd = ::memfd_create("ocamljit-doc-shell", MFD_CLOEXEC);
  if (fd < 0) return make_error("cannot create the shell output file: ", std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  SpawnActions actions;
  if (!actions.ok() || ::posix_spawn_file_actions_adddup2(actions.get(), fd, 1) != 0 ||
      ::posix_spawn_file_actions_adddup2(actions.get(), fd, 2) != 0 ||
      (!dir.empty() && ::posix_spawn_file_actions_addchdir_np(actions.get(), dir.c_str()) != 0))
    return make_error("cannot prepare the shell: ", std::strerror(errno));
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    std::string_view name = v.substr(0, v.find('='));
    if (std::find(unset.begin(), unset.end(), name) == unset.end()) env_strings.emplace_back(v);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string sh = "sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid;
  int rc = ::posix_spawnp(&pid, "sh", actions.get(), nullptr, argv, envp.data());
  if (rc != 0) return make_error("cannot run sh: ", std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return make_error("cannot wait for sh: ", std::strerror(errno));
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  if (::lseek(fd, 0, SEEK_SET) != 0) return make_error("cannot read the shell output: ", std::strerror(errno));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("cannot read the shell output: ", std::strerror(errno));
    }
    if (n == 0) break;
    r.output.append(buf, static_cast<std::size_t>(n));
  }
  return r;
}

}  // namespace ocamljit::doc
