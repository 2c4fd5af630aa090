#include "shmlab/pg/libpq.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <system_error>

namespace shmlab::pg {
namespace {

// The soname of libpq's ABI since PostgreSQL 8.2: what Debian's libpq5 installs.
constexpr const char* kLibPq = "libpq.so.5";

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(ELIBACC, std::generic_category(),
                          fmt::format("{} (install Debian's libpq5 package)", what));
}

template <class F>
void load(void* handle, F& out, const char* name) {
  void* sym = ::dlsym(handle, name);
  if (sym == nullptr) fail(fmt::format("dlsym(\"{}\", \"{}\"): {}", kLibPq, name, ::dlerror()));
  out = reinterpret_cast<F>(sym);
}

LibPq open_libpq() {
  // RTLD_LOCAL: libpq's symbols serve only this table, never another library's lookups.
  void* handle = ::dlopen(kLibPq, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) fail(fmt::format("dlopen(\"{}\"): {}", kLibPq, ::dlerror()));
  LibPq t{};
#define SHMLAB_LOAD(name) load(handle, t.name, #name)
  SHMLAB_LOAD(PQconnectdb);
  SHMLAB_LOAD(PQfinish);
  SHMLAB_LOAD(PQstatus);
  SHMLAB_LOAD(PQerrorMessage);
  SHMLAB_LOAD(PQsetNoticeProcessor);
  SHMLAB_LOAD(PQbackendPID);
  SHMLAB_LOAD(PQtransactionStatus);
  SHMLAB_LOAD(PQexec);
  SHMLAB_LOAD(PQexecParams);
  SHMLAB_LOAD(PQprepare);
  SHMLAB_LOAD(PQexecPrepared);
  SHMLAB_LOAD(PQresultStatus);
  SHMLAB_LOAD(PQresultErrorField);
  SHMLAB_LOAD(PQclear);
  SHMLAB_LOAD(PQntuples);
  SHMLAB_LOAD(PQnfields);
  SHMLAB_LOAD(PQgetvalue);
  SHMLAB_LOAD(PQgetlength);
  SHMLAB_LOAD(PQgetisnull);
  SHMLAB_LOAD(PQcmdTuples);
  SHMLAB_LOAD(PQconninfoParse);
  SHMLAB_LOAD(PQconninfoFree);
  SHMLAB_LOAD(PQconsumeInput);
  SHMLAB_LOAD(PQnotifies);
  SHMLAB_LOAD(PQfreemem);
#undef SHMLAB_LOAD
  return t;
}

}  // namespace

const LibPq& libpq() {
  static const LibPq table = open_libpq();  // a failed load throws and is tried again next call
  return table;
}

}  // namespace shmlab::pg
