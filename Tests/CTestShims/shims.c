#include "CTestShims.h"
#include <fcntl.h>
#include <unistd.h>

int foothold_test_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int foothold_test_spawn_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int foothold_test_spawn_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}
