#include "shmlab/control/control_snapshot.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "shmlab/control/header_check.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

// The largest control block any valid run lays out (1024 workers, write log and rings full),
// with room to spare: anything bigger is refused before a byte is copied.
constexpr std::uint64_t kMaxControlBytes = std::uint64_t{256} << 20;

// Reads exactly `n` bytes at `offset`; false when the object ended first.
bool pread_all(int fd, void* to, std::size_t n, off_t offset, const std::string& name) {
  auto* p = static_cast<char*>(to);
  while (n != 0) {
    const ssize_t r =
        sys::check(sys::call_name("pread", name), [&] { return ::pread(fd, p, n, offset); });
    if (r == 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += r;
  }
  return true;
}

}  // namespace

ControlSnapshot ControlSnapshot::read(const std::string& name) {
  ControlSnapshot s;
  s.name_ = name;
  s.fd_ = sys::UniqueFd(sys::check(sys::call_name("shm_open", name), [&] {
    return ::shm_open(name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
  }));
  struct stat st {};
  sys::check(sys::call_name("fstat", name), [&] { return ::fstat(s.fd_.get(), &st); });
  const auto refuse = [&](const std::string& why, int err) {
    sys::throw_errno(sys::call_name("inspect", name) + ": " + why, err);
  };
  if (!S_ISREG(st.st_mode)) refuse("not a regular object", EINVAL);
  if (st.st_uid != ::getuid())
    refuse(fmt::format("owned by uid {}, not {}", st.st_uid, ::getuid()), EPERM);
  // A short object is copied as it is and the header check names it truncated.
  if (static_cast<std::uint64_t>(st.st_size) > kMaxControlBytes)
    refuse(fmt::format("{} bytes is more than any control block's size", st.st_size), EINVAL);
  s.size_ = static_cast<std::size_t>(st.st_size);
  s.bytes_.resize((s.size_ + sizeof(Line) - 1) / sizeof(Line));
  // The object may have shrunk since fstat: a short read is refused, never read past.
  if (!pread_all(s.fd_.get(), s.bytes_.data(), s.size_, 0, name))
    refuse("it shrank while it was read", EINVAL);
  const std::string why = control_header_problem(s.data(), s.size_, ::getuid());
  if (!why.empty()) refuse(why, EINVAL);
  return s;
}

std::span<const WorkerSlot> ControlSnapshot::slots() const {
  const auto* base = static_cast<const char*>(data()) + header().slots_offset;
  return {reinterpret_cast<const WorkerSlot*>(base), params().workers};
}

std::span<const WriteEntry> ControlSnapshot::write_log(std::uint32_t worker_index) const {
  const ControlHeader& h = header();
  if (h.write_log_offset == 0) return {};
  const auto* base =
      reinterpret_cast<const WriteEntry*>(static_cast<const char*>(data()) + h.write_log_offset);
  return {base + std::uint64_t{worker_index} * h.params.increments, h.params.increments};
}

std::uint64_t ControlSnapshot::ring_count_now(std::uint32_t worker_index) const {
  const ControlHeader& h = header();
  const std::uint64_t offset = h.trace_offset + std::uint64_t{worker_index} * h.trace_stride;
  const auto* copied =
      reinterpret_cast<const TraceRingHeader*>(static_cast<const char*>(data()) + offset);
  std::uint64_t now = copied->appended.load(std::memory_order_relaxed);
  std::uint64_t fresh = 0;  // `appended` is the ring header's first member
  if (::pread(fd_.get(), &fresh, sizeof(fresh), static_cast<off_t>(offset)) ==
      static_cast<ssize_t>(sizeof(fresh)))
    now = fresh;
  return now;
}

}  // namespace shmlab
