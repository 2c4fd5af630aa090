// PrivateDir: a directory of one run's files (the region file, SQLite's -wal and -shm), created
// exclusively with mode 0700 so no other user can plant, read or replace anything in it. The
// coordinator creates it and, on destruction, removes the regular files left in it and the
// directory itself, unless kept (--keep). Never crosses processes (workers open files by path).
// remove_private_dir is `shmlab clean`'s way to remove the directory of a dead run.
#pragma once

#include <string>

namespace shmlab::sys {

class PrivateDir {
 public:
  // mkdir(path, 0700): fails (std::system_error) if anything already has that name.
  static PrivateDir create(std::string path);

  PrivateDir() = default;
  PrivateDir(PrivateDir&& other) noexcept;
  PrivateDir& operator=(PrivateDir&& other) noexcept;
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  ~PrivateDir();

  const std::string& path() const { return path_; }
  // Leaves the directory and its files in place (--keep).
  void keep() noexcept { owned_ = false; }

 private:
  explicit PrivateDir(std::string path) : path_(std::move(path)), owned_(true) {}
  std::string path_;
  bool owned_ = false;
};

// Removes the regular files in directory `path` and then the directory, never following a symlink
// and only if the directory is a real one owned by `uid`; returns "" or why not (never throws).
// Subdirectories and other entries are left, and then the directory stays too.
std::string remove_private_dir(const std::string& path, unsigned uid);

}  // namespace shmlab::sys
