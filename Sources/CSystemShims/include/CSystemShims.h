#ifndef FOOTHOLD_CSYSTEMSHIMS_H
#define FOOTHOLD_CSYSTEMSHIMS_H
#include <sys/socket.h>

/// accept4(2) with the flags the acceptor needs; Glibc's Swift overlay does not export accept4.
int foothold_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
#endif
