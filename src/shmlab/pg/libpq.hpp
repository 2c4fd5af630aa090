// LibPq: the libpq functions shmlab calls, loaded with dlopen("libpq.so.5") on first use instead of
// linked. libpq brings two dozen shared libraries (OpenSSL, Kerberos, LDAP…) that would be loaded
// at every exec of shmlab, on every backend, tripling each worker's start-up (docs/postgres.md
// "Linking libpq"); loaded here, only a process that opens a connection pays for them.
#pragma once

#include <libpq-fe.h>

namespace shmlab::pg {

// One pointer per function, named as libpq names it, so that a call reads `libpq().PQexec(…)`.
struct LibPq {
  decltype(&::PQconnectdb) PQconnectdb;
  decltype(&::PQfinish) PQfinish;
  decltype(&::PQstatus) PQstatus;
  decltype(&::PQerrorMessage) PQerrorMessage;
  decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor;
  decltype(&::PQbackendPID) PQbackendPID;
  decltype(&::PQtransactionStatus) PQtransactionStatus;
  decltype(&::PQexec) PQexec;
  decltype(&::PQexecParams) PQexecParams;
  decltype(&::PQprepare) PQprepare;
  decltype(&::PQexecPrepared) PQexecPrepared;
  decltype(&::PQresultStatus) PQresultStatus;
  decltype(&::PQresultErrorField) PQresultErrorField;
  decltype(&::PQclear) PQclear;
  decltype(&::PQntuples) PQntuples;
  decltype(&::PQnfields) PQnfields;
  decltype(&::PQgetvalue) PQgetvalue;
  decltype(&::PQgetlength) PQgetlength;
  decltype(&::PQgetisnull) PQgetisnull;
  decltype(&::PQcmdTuples) PQcmdTuples;
  decltype(&::PQconninfoParse) PQconninfoParse;
  decltype(&::PQconninfoFree) PQconninfoFree;
  decltype(&::PQconsumeInput) PQconsumeInput;
  decltype(&::PQnotifies) PQnotifies;
  decltype(&::PQfreemem) PQfreemem;
};

// The table, loaded once per process (thread-safe; the library stays loaded until exit). Throws
// std::system_error (ELIBACC) naming the library or the missing symbol and saying to install
// Debian's libpq5 when it cannot be loaded.
const LibPq& libpq();

}  // namespace shmlab::pg
