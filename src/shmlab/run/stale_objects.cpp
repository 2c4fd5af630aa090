#include "shmlab/run/stale_objects.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "shmlab/control/control_block.hpp"
#include "shmlab/control/header_check.hpp"
#include "shmlab/sys/private_dir.hpp"
#include "shmlab/sys/syscall.hpp"
#include "shmlab/sys/unique_fd.hpp"

namespace shmlab {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool alive(pid_t pid) {
  // EPERM: the pid exists but belongs to someone else — not ours to call dead.
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

// Whether the control block of `run_id` in `dir` says the run was kept on purpose. Anyone may
// have put something under that name: O_NONBLOCK so that a FIFO cannot hang us, O_NOFOLLOW, and
// only a regular file of ours whose header says it is ours is believed.
bool kept_run(const std::string& dir, const std::string& run_id) {
  const std::string path = dir + "/" + run_id;
  sys::UniqueFd fd(sys::retry_eintr([&] {
    return ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  }));
  if (!fd) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid()) return false;
  // Only the header is read: the kept flag lives there, and the header check needs the size.
  auto header = std::make_unique<ControlHeader>();
  auto* bytes = reinterpret_cast<char*>(header.get());
  if (::pread(fd.get(), bytes, sizeof(ControlHeader), 0) !=
      static_cast<ssize_t>(sizeof(ControlHeader))) {
    return false;
  }
  // The size check of the whole block needs the object's size, not the bytes read.
  if (header->magic != kControlMagic ||
      header->total_size != static_cast<std::uint64_t>(st.st_size) ||
      header->owner_uid != ::getuid())
    return false;
  return header->kept.load(std::memory_order_relaxed) != 0;
}

}  // namespace

bool parse_run_object_name(const std::string& name, std::string& run_id, pid_t& pid) {
  std::string_view s = name;
  if (s.rfind("sem.", 0) == 0) s.remove_prefix(4);  // named semaphores live as sem.<name>
  constexpr std::string_view kPrefix = "shmlab-";
  if (s.rfind(kPrefix, 0) != 0) return false;
  std::size_t i = kPrefix.size();
  long long p = 0;
  const std::size_t digits_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - digits_start < 10) {
    p = p * 10 + (s[i] - '0');
    ++i;
  }
  if (i == digits_start || p <= 0 || p > 0x3fffffff || i >= s.size() || s[i] != '-') return false;
  ++i;
  const std::size_t hex_start = i;
  while (i < s.size() && is_hex(s[i])) ++i;
  if (i - hex_start != 8) return false;
  if (i < s.size() && s[i] != '-' && s[i] != '.') return false;  // a suffix follows a separator
  run_id = std::string(s.substr(0, i));
  pid = static_cast<pid_t>(p);
  return true;
}

std::vector<StaleObject> find_stale_objects(const std::vector<std::string>& dirs) {
  std::vector<StaleObject> out;
  std::map<std::string, bool> kept;  // run id → kept (control blocks are looked up once)
  for (const std::string& dir : dirs) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
    if (!d) continue;
    while (const dirent* e = ::readdir(d.get())) {
      StaleObject o;
      o.dir = dir;
      o.name = e->d_name;
      if (!parse_run_object_name(o.name, o.run_id, o.owner)) continue;
      struct stat st {};
      if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (!(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) || st.st_uid != ::getuid()) continue;
      o.is_dir = S_ISDIR(st.st_mode);
      if (o.is_dir && o.name != o.run_id) continue;  // a run's directory is named by its id
      if (alive(o.owner)) continue;
      out.push_back(std::move(o));
    }
  }
  // A run is kept when its control block (in whichever dir holds it) says so.
  for (const StaleObject& o : out) {
    if (kept.count(o.run_id) != 0) continue;
    bool k = false;
    for (const std::string& dir : dirs) k = k || kept_run(dir, o.run_id);
    kept[o.run_id] = k;
  }
  for (StaleObject& o : out) o.kept = kept[o.run_id];
  return out;
}

std::string remove_stale_object(const StaleObject& object) {
  const std::string path = object.dir + "/" + object.name;
  if (object.is_dir) return sys::remove_private_dir(path, ::getuid());
  if (::unlink(path.c_str()) != 0) return std::strerror(errno);
  return {};
}

}  // namespace shmlab
