// Files and descriptors: reading documents, atomic writes of corrected and
// promoted documents, capturing what a phrase writes on fds 1 and 2.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "doc/doc.hpp"

namespace ocamljit::doc {

namespace {

std::string errno_text() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(errno_text());
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

Result<std::string> read_all(int fd) {
  std::string s;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(errno_text());
    }
    if (n == 0) break;
    s.append(buf, static_cast<std::size_t>(n));
  }
  return s;
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return make_error(path, ": cannot read: ", errno_text());
  struct stat st;
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) return make_error(path, ": cannot read: Is a directory");
  auto s = read_all(fd.get());
  if (!s) return make_error(path, ": cannot read: ", s.error().message);
  return s;
}

Status write_file_atomic(const std::string& link, std::string_view contents, const std::string& mode_from) {
  // Through a symbolic link, replace the file it points to, not the link.
  std::string path = link;
  if (char* real = ::realpath(link.c_str(), nullptr)) {
    path = real;
    std::free(real);
  }
  // A device or a pipe (`--output /dev/null`) is written into: renaming a
  // file over it would replace the device node itself.
  struct stat target;
  if (::stat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode)) {
    Fd out(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (out.get() < 0) return make_error(link, ": cannot write: ", errno_text());
    Status w = write_all(out.get(), contents);
    if (!w) return make_error(link, ": cannot write: ", w.error().message);
    return ok_status();
  }
  std::string dir = ".";
  std::string::size_type slash = path.rfind('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmp = dir + "/." + base + ".tmp-XXXXXX";
  Fd fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) return make_error(link, ": cannot write: ", errno_text());
  mode_t mode = 0644;
  struct stat st;
  if (!mode_from.empty() && ::stat(mode_from.c_str(), &st) == 0) mode = st.st_mode & 07777;
  Status w = write_all(fd.get(), contents);
  if (w && ::fchmod(fd.get(), mode) != 0) w = make_error(errno_text());
  if (w && ::close(fd.release()) != 0) w = make_error(errno_text());
  if (w && ::rename(tmp.c_str(), path.c_str()) != 0) w = make_error(errno_text());
  if (!w) {
    ::unlink(tmp.c_str());
    return make_error(link, ": cannot write: ", w.error().message);
  }
  return ok_status();
}

// The capture in progress, if any: a phrase that calls `exit` ends the process
// while fds 1 and 2 point into the capture file; the handler below puts them
// back and reports it rather than exiting silently with the phrase's status.
// A capture left redirected between phrases is only put back.
namespace {

OutputCapture* active_capture = nullptr;
OutputCapture* redirecting_capture = nullptr;

void exit_during_capture() {
  bool during_phrase = active_capture != nullptr;
  if (redirecting_capture) redirecting_capture->release();
  if (!during_phrase) return;
  static const char msg[] = "ocamljit-doc: a phrase called exit; stopping\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(2);
}

// Output kept in the file before it is emptied (it only grows while the
// descriptors stay redirected).
constexpr off_t kept_output_limit = 1 << 20;

}  // namespace

Result<std::unique_ptr<OutputCapture>> OutputCapture::create() {
  static const bool registered = std::atexit(exit_during_capture) == 0;
  (void)registered;
  int fd = ::memfd_create("ocamljit-doc-output", MFD_CLOEXEC);
  if (fd < 0) return make_error("cannot create the output capture file: ", errno_text());
  return std::unique_ptr<OutputCapture>(new OutputCapture(fd));
}

OutputCapture::~OutputCapture() {
  release();
  ::close(fd_);
}

Status OutputCapture::begin() {
  std::fflush(stdout);
  std::fflush(stderr);
  if (saved_out_ < 0 || mark_ > kept_output_limit) {
    if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)
      return make_error("cannot reset the output capture file: ", errno_text());
    mark_ = 0;
  } else {
    // Whatever was written since the last end() is nobody's output.
    mark_ = ::lseek(fd_, 0, SEEK_CUR);
    if (mark_ < 0) return make_error("cannot read the captured output: ", errno_text());
  }
  if (saved_out_ < 0) {
    // Saved out of the children's reach (shell blocks, Sys.command).
    saved_out_ = ::fcntl(1, F_DUPFD_CLOEXEC, 3);
    saved_err_ = ::fcntl(2, F_DUPFD_CLOEXEC, 3);
    if (saved_out_ < 0 || saved_err_ < 0 || ::dup2(fd_, 1) < 0 || ::dup2(fd_, 2) < 0) {
      std::string why = errno_text();
      release();
      return make_error("cannot redirect the standard outputs: ", why);
    }
    redirecting_capture = this;
  }
  active_capture = this;
  return ok_status();
}

Result<std::string> OutputCapture::end() {
  if (active_capture == this) active_capture = nullptr;
  std::fflush(stdout);
  std::fflush(stderr);
  off_t end = ::lseek(fd_, 0, SEEK_CUR);
  if (end < 0) return make_error("cannot read the captured output: ", errno_text());
  std::string out(static_cast<std::size_t>(std::max<off_t>(end - mark_, 0)), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + got, out.size() - got, mark_ + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error("cannot read the captured output: ", errno_text());
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  mark_ = end;
  return out;
}

void OutputCapture::release() {
  if (redirecting_capture == this) redirecting_capture = nullptr;
  if (active_capture == this) active_capture = nullptr;
  std::fflush(stdout);
  std::fflush(stderr);
  if (saved_out_ >= 0) {
    ::dup2(saved_out_, 1);
    ::close(saved_out_);
    saved_out_ = -1;
  }
  if (saved_err_ >= 0) {
    ::dup2(saved_err_, 2);
    ::close(saved_err_);
    saved_err_ = -1;
  }
}

}  // namespace ocamljit::doc
