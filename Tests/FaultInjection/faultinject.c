// An LD_PRELOAD interposer for the disk-fault tests (Tests/EndToEndTests/DiskFaultTests.swift): it fails
// write, pwrite and fsync/fdatasync calls on files whose path contains a pattern, as a control file says
// at the time of the call, so that a test can break and mend a running node's disk.
//
// The control file is named by BACKINGD_FAULT_CONTROL. Each line is `OPERATION ERRNO PATTERN`:
// OPERATION is `write` (write, pwrite, pwrite64) or `fsync` (fsync, fdatasync), ERRNO is `EIO`, `EROFS`
// or `ENOSPC`, and PATTERN a substring of the file's path (`outbox.sqlite`). An empty or missing file
// injects nothing. Every other call goes straight to the kernel.
//
// Built by the tests with the C compiler of the Swift toolchain: cc -shared -fPIC -o faultinject.so faultinject.c
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

// The errno the control file asks for `operation` on `fd`, or 0. Uses raw system calls only, so that it
// never calls back into the functions it interposes.
static int injected_errno(int fd, const char *operation) {
    const char *control = getenv("BACKINGD_FAULT_CONTROL");
    if (control == NULL) return 0;
    int control_fd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
    if (control_fd < 0) return 0;
    char text[1024];
    ssize_t length = syscall(SYS_read, control_fd, text, sizeof text - 1);
    syscall(SYS_close, control_fd);
    if (length <= 0) return 0;
    text[length] = 0;
    char path[4096];
    ssize_t path_length = -1;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char op[16], name[16], pattern[512];
        if (sscanf(line, "%15s %15s %511s", op, name, pattern) != 3 || strcmp(op, operation) != 0) continue;
        if (path_length < 0) {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            path_length = syscall(SYS_readlinkat, AT_FDCWD, link, path, sizeof path - 1);
            if (path_length <= 0) return 0;
            path[path_length] = 0;
        }
        if (strstr(path, pattern) == NULL) continue;
        if (strcmp(name, "EROFS") == 0) return EROFS;
        if (strcmp(name, "ENOSPC") == 0) return ENOSPC;
        return EIO;
    }
    return 0;
}

ssize_t write(int fd, const void *buffer, size_t count) {
    int error = injected_errno(fd, "write");
    if (error != 0) {
        errno = error;
        return -1;
    }
    return syscall(SYS_write, fd, buffer, count);
}

ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    int error = injected_errno(fd, "write");
    if (error != 0) {
        errno = error;
        return -1;
    }
    return syscall(SYS_pwrite64, fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void *buffer, size_t count, off_t offset) { return pwrite(fd, buffer, count, offset); }

int fsync(int fd) {
    int error = injected_errno(fd, "fsync");
    if (error != 0) {
        errno = error;
        return -1;
    }
    return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd) {
    int error = injected_errno(fd, "fsync");
    if (error != 0) {
        errno = error;
        return -1;
    }
    return (int)syscall(SYS_fdatasync, fd);
}
