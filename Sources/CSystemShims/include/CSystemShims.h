#ifndef FOOTHOLD_CSYSTEMSHIMS_H
#define FOOTHOLD_CSYSTEMSHIMS_H
#include <stdint.h>
#include <sys/socket.h>

/// accept4(2) with the flags the acceptor needs; Glibc's Swift overlay does not export accept4.
int foothold_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/// Interest bits for foothold_epoll_ctl, and the bits foothold_epoll_wait reports.
enum {
    FOOTHOLD_EPOLL_IN = 0x001,
    FOOTHOLD_EPOLL_OUT = 0x004,
    FOOTHOLD_EPOLL_ERR = 0x008,
    FOOTHOLD_EPOLL_HUP = 0x010,
};

/// epoll_create1(EPOLL_CLOEXEC).
int foothold_epoll_create(void);
/// eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC).
int foothold_eventfd(void);
/// epoll_ctl ADD (op 0), MOD (op 1) or DEL (op 2) of `fd` with `events`, tagged with `token`.
int foothold_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// epoll_wait, unpacked into parallel arrays so Swift never touches the packed epoll_event.
int foothold_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);
/// Caps glibc's malloc arenas (mallopt M_ARENA_MAX) before threads start; 0 where unsupported.
int foothold_limit_malloc_arenas(int count);
/// mallopt(M_TRIM_THRESHOLD): how much freed memory at the top of a heap glibc keeps rather than returns.
int foothold_set_malloc_trim_threshold(long bytes);
/// Names the calling thread (first 15 bytes), for ps, top and perf; a no-op where unsupported.
void foothold_name_thread(const char *name);

// Raises the calling thread's nice value by `delta` (Linux: this thread only); 0 on success.
int foothold_lower_thread_priority(int delta);
#endif
