// SlotImage: a worker's slot as plain numbers, for a replica of the control block that lives in
// another process (a `--hosts` worker's private block, run/control_relay.hpp): the worker's side
// takes an image, the coordinator's applies it to its real slot. The step gate's handshake
// (gate_wanted, gate_granted) and what the coordinator writes itself (resumed_ns) are not in it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "shmlab/control/control_block.hpp"

namespace shmlab {

// A field left out of an image; apply_slot_image leaves it as it is.
inline constexpr std::int64_t kNotInImage = INT64_MIN;

// The slot's fields the worker writes, `state` first (read with acquire: what the worker wrote
// before its state change is in the image too). start_ns and end_ns are plain fields: another
// thread than the worker's reads them only once the worker is done or failed (`owner` false),
// and leaves them out before.
std::vector<std::int64_t> slot_image(const WorkerSlot& slot, bool owner);

// Stores an image taken by slot_image, `state` last (release: a reader that sees the state sees
// the counters). An image of another length is ignored: it came from another build.
void apply_slot_image(WorkerSlot& slot, std::span<const std::int64_t> image);

}  // namespace shmlab
