#include "shmlab/control/control_block.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

#include "shmlab/control/header_check.hpp"
#include "shmlab/sys/align.hpp"
#include "shmlab/sys/clock.hpp"
#include "shmlab/sys/syscall.hpp"

namespace shmlab {
namespace {

void init_robust_mutex(pthread_mutex_t* m) {
  pthread_mutexattr_t attr;
  ::pthread_mutexattr_init(&attr);
  ::pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  ::pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  const int err = ::pthread_mutex_init(m, &attr);
  ::pthread_mutexattr_destroy(&attr);
  if (err != 0) sys::throw_errno("pthread_mutex_init(control block)", err);
}

}  // namespace

std::uint64_t write_id(std::uint32_t worker_index, std::uint64_t op, std::uint64_t increments) {
  return 1 + std::uint64_t{worker_index} * increments + op;
}

std::uint64_t trace_capacity_for(const RunParams& p) {
  if (!p.trace) return 0;
  const std::uint64_t wanted = kTraceEventsPerOp * p.increments + 8;
  const std::uint64_t share =
      std::max(kTraceMinPerWorker, kTraceMaxTotal / std::max(p.workers, 1u));
  return std::min({wanted, kTraceMaxPerWorker, share});
}

ControlLayout control_layout(const RunParams& p) {
  ControlLayout l;
  l.slots_offset = sys::align_up(sizeof(ControlHeader), 64);
  const std::uint64_t writes = std::uint64_t{p.workers} * p.increments * writes_per_op(p);
  const bool logged = writes <= kMaxLoggedWrites;
  const std::uint64_t slots = p.workers + (p.scenario_params.auditor ? 1 : 0);
  const std::uint64_t log_offset = l.slots_offset + sizeof(WorkerSlot) * slots;
  l.write_log_offset = logged ? log_offset : 0;
  l.trace_offset = sys::align_up(log_offset + (logged ? sizeof(WriteEntry) * writes : 0), 64);
  l.trace_stride = sys::align_up(
      sizeof(TraceRingHeader) + sizeof(TraceEvent) * trace_ring_slots(trace_capacity_for(p)), 64);
  l.total_size = sys::align_up(l.trace_offset + l.trace_stride * p.workers, 4096);
  return l;
}

std::size_t ControlBlock::size_for(const RunParams& p) { return control_layout(p).total_size; }

ControlBlock ControlBlock::create(const RunParams& params) {
  return ControlBlock(
      format(sys::ShmObject::create(fmt::format("/{}", params.run_id), size_for(params)), params));
}

ControlBlock ControlBlock::create_private(const RunParams& params) {
  return ControlBlock(format(sys::ShmObject::create_anonymous(
                                 fmt::format("{}-worker-control", params.run_id), size_for(params)),
                             params));
}

sys::ShmObject ControlBlock::format(sys::ShmObject object, const RunParams& params) {
  const ControlLayout layout = control_layout(params);
  const std::size_t size = layout.total_size;
  auto* h = new (object.data()) ControlHeader{};
  h->version = kControlVersion;
  h->header_size = sizeof(ControlHeader);
  h->total_size = size;
  h->owner_pid = ::getpid();
  h->owner_uid = ::getuid();
  h->created_ms = sys::realtime_ms();
  h->params = params;
  h->slots_offset = layout.slots_offset;
  h->write_log_offset = layout.write_log_offset;
  h->trace_offset = layout.trace_offset;
  h->trace_stride = layout.trace_stride;
  init_robust_mutex(&h->mutex);
  for (LockTableEntry& e : h->locks) init_robust_mutex(&e.mutex);
  auto* slots = reinterpret_cast<WorkerSlot*>(static_cast<char*>(object.data()) + h->slots_offset);
  if (params.scenario_params.auditor) new (&slots[params.workers]) WorkerSlot{};
  for (std::uint32_t i = 0; i < params.workers; ++i) {
    new (&slots[i]) WorkerSlot{};
    auto* ring = new (static_cast<char*>(object.data()) + h->trace_offset + i * h->trace_stride)
        TraceRingHeader{};
    ring->capacity = trace_capacity_for(params);  // informational: readers use the params'
  }
  // The magic goes last: a reader that sees it sees a complete header.
  std::atomic_thread_fence(std::memory_order_release);
  h->magic = kControlMagic;
  return object;
}

ControlBlock ControlBlock::attach(const std::string& name) {
  sys::ShmObject object = sys::ShmObject::open(name, sizeof(ControlHeader));
  const std::string why = control_header_problem(object.data(), object.size(), ::getuid());
  if (!why.empty()) sys::throw_errno(sys::call_name("attach", name) + ": " + why, EINVAL);
  return ControlBlock(std::move(object));
}

WorkerSlot& ControlBlock::slot(std::uint32_t worker_index) const { return slots()[worker_index]; }

std::span<WorkerSlot> ControlBlock::slots() const {
  auto* base = static_cast<char*>(object_.data()) + header().slots_offset;
  return {reinterpret_cast<WorkerSlot*>(base), header().params.workers};
}

WorkerSlot& ControlBlock::auditor_slot() const {
  if (!params().scenario_params.auditor) throw std::logic_error("this run has no auditor");
  auto* base = static_cast<char*>(object_.data()) + header().slots_offset;
  return reinterpret_cast<WorkerSlot*>(base)[params().workers];
}

std::span<WriteEntry> ControlBlock::write_log(std::uint32_t worker_index) const {
  const ControlHeader& h = header();
  if (h.write_log_offset == 0) return {};
  auto* base =
      reinterpret_cast<WriteEntry*>(static_cast<char*>(object_.data()) + h.write_log_offset);
  const std::uint64_t per_worker = h.params.increments * writes_per_op(h.params);
  return {base + std::uint64_t{worker_index} * per_worker, per_worker};
}

TraceRing ControlBlock::trace(std::uint32_t worker_index) const {
  // The capacity comes from the validated params, never from the ring's own (writable) header.
  char* ring = static_cast<char*>(object_.data()) + header().trace_offset +
               std::uint64_t{worker_index} * header().trace_stride;
  return {reinterpret_cast<TraceRingHeader*>(ring),
          reinterpret_cast<TraceEvent*>(ring + sizeof(TraceRingHeader)),
          trace_capacity_for(params())};
}

}  // namespace shmlab
