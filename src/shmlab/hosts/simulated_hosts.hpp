// SimulatedHosts: the N "other hosts" of a `--hosts N` run. Host k (1-based) is a network
// namespace "<run id>-h<k>" joined to the coordinator's namespace by a veth pair: "sl<hex>h<k>"
// on the coordinator's side with the subnet's first address, "eth0" inside with the second. Each
// pair has a /30 of its own from 10.173.0.0/16, skipping every subnet that overlaps an address or
// a route of this machine; the choice and the address assignment happen under a lock (an
// abstract Unix socket), so that concurrent runs never pick the same subnet.
//
// Created and removed by the coordinator (move-only, never crosses processes); the destructor
// removes every link and namespace made, a half-built set included. A SIGKILLed coordinator's
// namespaces are found by their names and removed by `shmlab clean` (stale_hosts.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shmlab::hosts {

inline constexpr std::uint32_t kMaxHosts = 64;

struct Host {
  std::string netns;           // "<run id>-h<k>", under /run/netns
  std::string link;            // the coordinator's end of the veth pair
  std::string server_address;  // on `link`: where the server listens for this host
  std::string worker_address;  // on the namespace's eth0
  std::string subnet;          // "a.b.c.d/30"
};

class SimulatedHosts {
 public:
  // Throws std::system_error naming the missing privilege (EPERM) or the `ip` command that
  // failed; nothing is left behind when it throws.
  static SimulatedHosts create(const std::string& run_id, std::uint32_t count);

  SimulatedHosts() = default;
  SimulatedHosts(SimulatedHosts&& other) noexcept : hosts_(std::move(other.hosts_)) {
    other.hosts_.clear();
  }
  SimulatedHosts& operator=(SimulatedHosts&& other) noexcept;
  SimulatedHosts(const SimulatedHosts&) = delete;
  SimulatedHosts& operator=(const SimulatedHosts&) = delete;
  ~SimulatedHosts() { remove(); }

  // Removes every link and namespace. Idempotent; never throws.
  void remove() noexcept;

  const std::vector<Host>& hosts() const { return hosts_; }
  // The host worker `index` (0-based) runs on: ((index) mod N).
  const Host& host_of_worker(std::uint32_t index) const { return hosts_[index % hosts_.size()]; }

 private:
  std::vector<Host> hosts_;  // each one fully or partly made (remove() tolerates both)
};

// The name of host k's link, from the run id "shmlab-<pid>-<hex>": "sl<hex>h<k>" (at most 15
// characters, as the kernel requires).
std::string link_name(const std::string& run_id, std::uint32_t k);

// Removes one host's link and namespace; false if either is still there after. Never throws.
bool remove_host(const std::string& netns, const std::string& link) noexcept;

}  // namespace shmlab::hosts
