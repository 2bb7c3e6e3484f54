// bench-runner: runs the commands of a plan, interleaved, and prints one sample per run.
//
//   bench-runner [-r RUNS] [-w WARMUP] [-t TIMEOUT_S] -o OUTDIR PLAN
//
// PLAN is a text file; each non-empty line not starting with '#' is one command, fields
// separated by tabs:   WORKLOAD  SYSTEM  STDIN-FILE  [NAME=VALUE ...]  PROGRAM  [ARG ...]
// Consecutive lines with the same WORKLOAD form a group; a group is run WARMUP + RUNS rounds,
// each round running every command of the group once, in plan order (A B C A B C ...), so
// that drifts of the machine hit every system alike.
//
// Each run: stdin from STDIN-FILE, stdout to OUTDIR/WORKLOAD.SYSTEM.out, stderr to
// OUTDIR/WORKLOAD.SYSTEM.err (both overwritten by each run). Wall time is measured around
// fork..wait4 with CLOCK_MONOTONIC; peak RSS is wait4's ru_maxrss (what /usr/bin/time %M
// reports). Lines of stderr of the form "BENCH key=value ..." are copied into the sample.
//
// Output (stdout), one line per run, tab-separated:
//   WORKLOAD SYSTEM ROUND WALL_US CPU_US RSS_KB STATUS [key=value ...]
// CPU_US is user + system time of the command and of every descendant it waited for (as,
// gcc...): on a shared machine it is the figure that other processes disturb least.
// ROUND <= 0 are warm-up rounds. STATUS is the exit code, "sigN", or "timeout".
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Command {
  std::string workload;
  std::string system;
  std::string stdin_file;
  std::vector<std::string> env;   // NAME=VALUE, set in the child only
  std::vector<std::string> argv;
};

struct Sample {
  long long wall_us = 0;
  long long cpu_us = 0;
  long rss_kb = 0;
  std::string status;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

// Returns the commands, or an error message naming the line.
std::optional<std::vector<Command>> read_plan(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open plan";
    return std::nullopt;
  }
  std::vector<Command> plan;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = split_tabs(line);
    if (f.size() < 4) {
      error = path + ":" + std::to_string(lineno) + ": expected WORKLOAD SYSTEM STDIN PROGRAM";
      return std::nullopt;
    }
    Command c{f[0], f[1], f[2], {}, {}};
    size_t i = 3;
    // Leading NAME=VALUE fields are environment assignments, as in sh.
    for (; i < f.size() && f[i].find('=') != std::string::npos && f[i][0] != '/'; ++i)
      c.env.push_back(f[i]);
    for (; i < f.size(); ++i) c.argv.push_back(f[i]);
    if (c.argv.empty()) {
      error = path + ":" + std::to_string(lineno) + ": no program";
      return std::nullopt;
    }
    plan.push_back(std::move(c));
  }
  return plan;
}

long long now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// Opens PATH for the child's fd TARGET; exits the child on failure (it reports why).
void redirect(const std::string& path, int flags, int target) {
  int fd = open(path.c_str(), flags, 0644);
  if (fd < 0 || dup2(fd, target) < 0) {
    std::fprintf(stderr, "bench-runner: %s: %s\n", path.c_str(), std::strerror(errno));
    _exit(127);
  }
  close(fd);
}

Sample run(const Command& c, const std::string& outdir, int timeout_s) {
  const std::string base = outdir + "/" + c.workload + "." + c.system;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);

  const long long start = now_us();
  pid_t pid = fork();
  if (pid == 0) {
    sigprocmask(SIG_UNBLOCK, &chld, nullptr);
    redirect(c.stdin_file, O_RDONLY, 0);
    redirect(base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 1);
    redirect(base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 2);
    for (const std::string& kv : c.env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> argv;
    for (const std::string& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "bench-runner: %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  Sample s;
  if (pid < 0) {
    s.status = "fork-failed";
    return s;
  }
  // Sleep until the child ends or the deadline passes (no polling: precise wall time).
  bool timed_out = false;
  const long long deadline = start + static_cast<long long>(timeout_s) * 1000000;
  int wstatus = 0;
  rusage ru{};
  for (;;) {
    pid_t r = wait4(pid, &wstatus, WNOHANG, &ru);
    if (r == pid) break;
    long long left = deadline - now_us();
    if (left <= 0) {
      kill(pid, SIGKILL);
      wait4(pid, &wstatus, 0, &ru);
      timed_out = true;
      break;
    }
    timespec ts{static_cast<time_t>(left / 1000000), static_cast<long>(left % 1000000) * 1000};
    sigtimedwait(&chld, nullptr, &ts);
  }
  s.wall_us = now_us() - start;
  s.rss_kb = ru.ru_maxrss;
  s.cpu_us = (static_cast<long long>(ru.ru_utime.tv_sec) + ru.ru_stime.tv_sec) * 1000000 +
             ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  if (timed_out)
    s.status = "timeout";
  else if (WIFSIGNALED(wstatus))
    s.status = "sig" + std::to_string(WTERMSIG(wstatus));
  else
    s.status = std::to_string(WEXITSTATUS(wstatus));
  return s;
}

// The "BENCH k=v ..." lines the workload printed on stderr, as tab-separated fields.
std::string bench_fields(const std::string& err_path) {
  std::ifstream in(err_path);
  std::string line, fields;
  while (std::getline(in, line)) {
    if (line.rfind("BENCH ", 0) != 0) continue;
    std::istringstream words(line.substr(6));
    std::string w;
    while (words >> w) fields += "\t" + w;
  }
  return fields;
}

int usage() {
  std::fprintf(stderr, "usage: bench-runner [-r RUNS] [-w WARMUP] [-t TIMEOUT_S] -o OUTDIR PLAN\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 7, warmup = 1, timeout_s = 600;
  std::string outdir;
  int opt;
  while ((opt = getopt(argc, argv, "r:w:t:o:")) != -1) {
    switch (opt) {
      case 'r': runs = std::atoi(optarg); break;
      case 'w': warmup = std::atoi(optarg); break;
      case 't': timeout_s = std::atoi(optarg); break;
      case 'o': outdir = optarg; break;
      default: return usage();
    }
  }
  if (optind + 1 != argc || outdir.empty() || runs < 1 || warmup < 0 || timeout_s < 1)
    return usage();
  std::string error;
  std::optional<std::vector<Command>> plan = read_plan(argv[optind], error);
  if (!plan) {
    std::fprintf(stderr, "bench-runner: %s\n", error.c_str());
    return 2;
  }
  const std::vector<Command>& cmds = *plan;
  for (size_t g = 0; g < cmds.size();) {
    size_t end = g;
    while (end < cmds.size() && cmds[end].workload == cmds[g].workload) ++end;
    for (int round = 1 - warmup; round <= runs; ++round) {
      for (size_t i = g; i < end; ++i) {
        Sample s = run(cmds[i], outdir, timeout_s);
        std::cout << cmds[i].workload << '\t' << cmds[i].system << '\t' << round << '\t'
                  << s.wall_us << '\t' << s.cpu_us << '\t' << s.rss_kb << '\t' << s.status
                  << bench_fields(outdir + "/" + cmds[i].workload + "." + cmds[i].system + ".err")
                  << std::endl;
      }
    }
    g = end;
  }
  return 0;
}
