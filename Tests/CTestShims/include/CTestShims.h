// glibc's GNU extensions the tests' ChildProcess needs; Swift's Glibc module is not built
// with _GNU_SOURCE, so they are wrapped here.
#pragma once
#include <spawn.h>

/// pipe2(fds, O_CLOEXEC).
int foothold_test_pipe_cloexec(int fds[2]);
/// posix_spawn_file_actions_addclosefrom_np: the child closes every descriptor from `from` on.
int foothold_test_spawn_closefrom(posix_spawn_file_actions_t *actions, int from);
/// posix_spawn_file_actions_addchdir_np: the child starts in `path`.
int foothold_test_spawn_chdir(posix_spawn_file_actions_t *actions, const char *path);
