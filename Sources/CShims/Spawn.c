#define _GNU_SOURCE
#include "CShims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/// Reports `error` to the parent through `report_fd` and ends the child without running atexit handlers.
static void fail_in_child(int report_fd, int error) {
    ssize_t ignored = write(report_fd, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

pid_t cshims_spawn_supervised(const char *path, char *const argv[], char *const envp[], int stdin_fd,
                              int output_fd, int death_signal) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int error = errno;
        close(report[0]);
        close(report[1]);
        errno = error;
        return -1;
    }
    if (pid == 0) {
        // The child: async-signal-safe calls only until execve.
        if (setpgid(0, 0) != 0) fail_in_child(report[1], errno);
        if (prctl(PR_SET_PDEATHSIG, death_signal) != 0) fail_in_child(report[1], errno);
        // The parent may have died before PR_SET_PDEATHSIG took effect: then no signal will come.
        if (getppid() != parent) fail_in_child(report[1], ESRCH);
        struct sigaction initial = {0};
        initial.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &initial, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (dup2(stdin_fd, 0) < 0 || dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0)
            fail_in_child(report[1], errno);
        // Every other descriptor closes (the report pipe is close-on-exec): another child's pipe end or a
        // listening socket of the parent must not live on in this child.
        int below = report[1] > 3 ? (int)syscall(SYS_close_range, 3, report[1] - 1, 0) : 0;
        int above = (int)syscall(SYS_close_range, report[1] + 1, ~0U, 0);
        if (below != 0 || above != 0) {
            for (int fd = 3; fd < 65536; fd++)
                if (fd != report[1]) close(fd);
        }
        execve(path, argv, envp);
        fail_in_child(report[1], errno);
    }
    close(report[1]);
    int error = 0;
    ssize_t got;
    do {
        got = read(report[0], &error, sizeof error);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof error) {
        // The child could not start and has exited (status 127): reap it so no zombie is left.
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        errno = error;
        return -1;
    }
    return pid;
}
