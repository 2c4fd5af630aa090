// The one way shmlab calls the OS: errno captured at once, EINTR retried, failures thrown as
// std::system_error naming the call and its argument ("shm_open(\"/shmlab-ab12\")").
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>

namespace shmlab::sys {

// Throws std::system_error(err) whose what() is "<call>: <strerror(err)>".
[[noreturn]] void throw_errno(std::string_view call, int err);

// Calls f() until it does not fail with EINTR; returns its result (-1 leaves errno set).
template <class F>
auto retry_eintr(F&& f) {
  for (;;) {
    auto r = f();
    if (!(r == -1 && errno == EINTR)) return r;
  }
}

// Calls f() with EINTR retried; on -1 throws naming `call`.
template <class F>
auto check(std::string_view call, F&& f) {
  auto r = retry_eintr(f);
  if (r == -1) throw_errno(call, errno);
  return r;
}

// Quotes an argument for error messages: call_name("open", path) -> open("path").
std::string call_name(std::string_view call, std::string_view arg);

// Throws as throw_errno(call_name(call, arg), err). Out of line and cold, so that a hot caller
// inlines only the call and its test.
[[noreturn, gnu::cold]] void throw_errno(const char* call, std::string_view arg, int err);

// Like check(), but builds the name `call("arg")` only when the call fails: for hot paths, where
// formatting a string per call would cost more than the call.
template <class F>
auto check(const char* call, std::string_view arg, F&& f) {
  auto r = retry_eintr(f);
  if (r == -1) [[unlikely]]
    throw_errno(call, arg, errno);
  return r;
}

}  // namespace shmlab::sys
