// Files and descriptors: atomic writes, read errors, capture of fds 1 and 2.
#include <gtest/gtest.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "support/temp_dir.hpp"
#include "doc/doc.hpp"

using namespace ocamljit;
using namespace ocamljit::doc;

namespace {

using ocamljit::test_support::TempDir;

}  // namespace

TEST(DocFiles, AtomicWriteReplacesAndKeepsMode) {
  TempDir d;
  std::string f = d.path + "/doc.md";
  ASSERT_TRUE(write_file_atomic(f, "first\n").ok());
  ASSERT_EQ(chmod(f.c_str(), 0600), 0);
  ASSERT_TRUE(write_file_atomic(f, "second\n", f).ok());
  auto r = read_file(f);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "second\n");
  struct stat st;
  ASSERT_EQ(stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(d.entries(), std::vector<std::string>{"doc.md"});  // no temporary file left
}

// `--output /dev/null` must not replace the device node: a FIFO stands for it.
TEST(DocFiles, WritesIntoADeviceOrPipeInsteadOfReplacingIt) {
  TempDir d;
  std::string fifo = d.path + "/pipe";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  pid_t reader = fork();
  ASSERT_GE(reader, 0);
  if (reader == 0) {  // the child drains the pipe into a regular file
    alarm(5);          // if nobody ever writes into the pipe, do not hang the test
    FILE* in = fopen(fifo.c_str(), "r");
    FILE* out = fopen((d.path + "/drained").c_str(), "w");
    int c;
    while ((c = fgetc(in)) != EOF) fputc(c, out);
    fclose(out);
    _exit(0);
  }
  ASSERT_TRUE(write_file_atomic(fifo, "through the pipe\n").ok());
  int status = 0;
  ASSERT_EQ(waitpid(reader, &status, 0), reader);
  struct stat st;
  ASSERT_EQ(stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));  // still a pipe, not a file renamed over it
  auto r = read_file(d.path + "/drained");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "through the pipe\n");
}

TEST(DocFiles, ErrorsNameTheFile) {
  TempDir d;
  auto r = read_file(d.path + "/missing.md");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing.md: cannot read: "), std::string::npos);
  auto dir = read_file(d.path);
  EXPECT_FALSE(dir.ok());
  Status w = write_file_atomic(d.path + "/no/such/dir/x.md", "x");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find("x.md: cannot write: "), std::string::npos);
}

TEST(DocFiles, CaptureBothOutputsInOrderAndRestore) {
  auto c = OutputCapture::create();
  ASSERT_TRUE(c.ok());
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE((*c)->begin().ok());
    std::printf("out %d\n", round);
    std::fflush(stdout);
    (void)!write(2, "err\n", 4);
    (void)!write(1, "last", 4);
    auto text = (*c)->end();
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, "out " + std::to_string(round) + "\nerr\nlast");
  }
  // Still redirected between captures: a write there belongs to nobody.
  struct stat captured, original;
  ASSERT_EQ(fstat(1, &captured), 0);
  (void)!write(1, "between", 7);
  ASSERT_TRUE((*c)->begin().ok());
  (void)!write(2, "third", 5);
  auto third = (*c)->end();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, "third");
  (*c)->release();
  // fd 1 is the original again.
  ASSERT_EQ(fstat(1, &original), 0);
  EXPECT_FALSE(captured.st_dev == original.st_dev && captured.st_ino == original.st_ino);
  EXPECT_EQ(write(1, "", 0), 0);
}

TEST(DocFiles, AtomicWriteThroughSymlinkKeepsTheLink) {
  TempDir d;
  std::string target = d.path + "/real.md", link = d.path + "/link.md";
  ASSERT_TRUE(write_file_atomic(target, "old\n").ok());
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  ASSERT_TRUE(write_file_atomic(link, "new\n", link).ok());
  struct stat st;
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  auto r = read_file(target);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "new\n");
}
