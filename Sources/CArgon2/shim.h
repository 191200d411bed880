#ifndef FOOTHOLD_CARGON2_SHIM_H
#define FOOTHOLD_CARGON2_SHIM_H
// Debian's libargon2 (the reference implementation of RFC 9106), for password hashes.
#include <argon2.h>
#endif
