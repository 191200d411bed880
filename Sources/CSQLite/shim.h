#ifndef FOOTHOLD_CSQLITE_SHIM_H
#define FOOTHOLD_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import; binding needs it so SQLite copies
// buffers that Swift may free right after the call.
static inline sqlite3_destructor_type foothold_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

// sqlite3_db_config is variadic; Swift cannot call variadic C functions.
static inline int foothold_sqlite_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}

// Process-wide settings, before the library initializes (sqlite3_config is variadic too).
// Memory statistics off: with them on, every sqlite3_malloc and sqlite3_free takes a global
// mutex, which measured 6% of the writer thread's time under a stream of inserts.
static inline int foothold_sqlite_configure(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
