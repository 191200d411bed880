#ifndef FOOTHOLD_CZLIB_SHIM_H
#define FOOTHOLD_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are macros (they pass the version and struct size); Swift needs functions.
static inline int foothold_deflate_init_gzip(z_streamp stream, int level) {
    // windowBits 15 + 16 asks zlib for a gzip wrapper (RFC 1952) instead of raw zlib.
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

static inline int foothold_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
#endif
