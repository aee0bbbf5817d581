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
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

// Copies the next space-separated word of `*cursor` (up to `end`) into `word` (at most `size` - 1 bytes)
// and advances `*cursor` past it.
static void next_word(const char **cursor, const char *end, char *word, size_t size) {
    const char *p = *cursor;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    size_t n = 0;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\n') {
        if (n + 1 < size) word[n++] = *p;
        p++;
    }
    word[n] = 0;
    *cursor = p;
}

// The errno the control file asks for `operation` on `fd`, or 0. Thread-safe and async-signal-safe (a
// signal handler may write to a pipe): raw system calls and local buffers only, so that it never calls
// back into the functions it interposes nor takes a lock.
static int injected_errno(int fd, const char *operation) {
    static const char *control;
    static int looked_up;
    if (!looked_up) {
        control = getenv("BACKINGD_FAULT_CONTROL");
        looked_up = 1;
    }
    if (control == NULL) return 0;
    int control_fd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
    if (control_fd < 0) return 0;
    char text[1024];
    ssize_t length = syscall(SYS_read, control_fd, text, sizeof text);
    syscall(SYS_close, control_fd);
    if (length <= 0) return 0;
    const char *cursor = text, *end = text + length;
    char path[4096];
    ssize_t path_length = -1;
    while (cursor < end) {
        char op[16], name[16], pattern[512];
        next_word(&cursor, end, op, sizeof op);
        next_word(&cursor, end, name, sizeof name);
        next_word(&cursor, end, pattern, sizeof pattern);
        while (cursor < end && *cursor != '\n') cursor++;
        if (cursor < end) cursor++;
        if (pattern[0] == 0 || strcmp(op, operation) != 0) continue;
        if (path_length < 0) {
            char link[32] = "/proc/self/fd/";
            char digits[12];
            int count = 0;
            unsigned value = (unsigned)fd;
            do {
                digits[count++] = (char)('0' + value % 10);
                value /= 10;
            } while (value != 0 && count < (int)sizeof digits);
            size_t at = strlen(link);
            while (count > 0) link[at++] = digits[--count];
            link[at] = 0;
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
