#include "mktop/process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ocamljit::mktop {
namespace {

std::string quoted(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) {
    if (!s.empty()) s += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t'\"\\$") == std::string::npos;
    s += plain ? a : "'" + a + "'";
  }
  return s;
}

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() { if (fd >= 0) close(fd); }
};

}  // namespace

Result<std::string> run(const std::vector<std::string>& argv, bool echo) {
  if (echo) std::fprintf(stderr, "+ %s\n", quoted(argv).c_str());
  int fds[2];
  if (pipe(fds) != 0) return make_error("pipe: ", std::strerror(errno));
  Fd read_end{fds[0]}, write_end{fds[1]};
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return make_error("fork: ", std::strerror(errno));
  if (pid == 0) {
    dup2(write_end.fd, 1);
    close(read_end.fd);
    close(write_end.fd);
    execvp(args[0], args.data());
    std::fprintf(stderr, "ocamljit-mktop: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(write_end.fd);
  write_end.fd = -1;
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(read_end.fd, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error(argv[0], " failed (", WIFEXITED(status) ? "exit status " : "signal ",
                      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), "): ", quoted(argv));
  return out;
}

}  // namespace ocamljit::mktop
