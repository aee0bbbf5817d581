#pragma once
/// Non-variadic wrappers for the variadic C functions of libmicrohttpd and libcurl, which Swift
/// cannot import. Each wrapper fixes the argument types, so Swift calls them with checked types.
#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>
#include <curl/curl.h>

/// Starts an MHD daemon. `thread_pool_size` 0 = no pool; `connection_limit` 0 = MHD's default;
/// `connection_timeout_seconds` 0 = none; `memory_limit` 0 = MHD's default per-connection pool.
struct MHD_Daemon *cshims_mhd_start(unsigned int flags, uint16_t port, MHD_AccessHandlerCallback handler,
                                    void *handler_cls, MHD_RequestCompletedCallback completed,
                                    void *completed_cls, unsigned int thread_pool_size,
                                    unsigned int connection_limit, unsigned int connection_timeout_seconds,
                                    size_t memory_limit);

/// Receives one formatted MHD error-log line (no trailing newline guaranteed); `cls` is the caller's.
typedef void (*cshims_mhd_log_function)(void *cls, const char *message);

/// The options of `cshims_mhd_start_at`; zero fields mean "MHD's default" (or "none" for the timeout).
struct cshims_mhd_options {
    unsigned int thread_pool_size;
    unsigned int connection_limit;
    unsigned int connection_timeout_seconds;
    size_t memory_limit;
    /// Routes MHD's error log here when set (the caller must also pass MHD_USE_ERROR_LOG in `flags`).
    cshims_mhd_log_function log;
    void *log_cls;
};

/// Starts an MHD daemon bound to `address` (a `sockaddr_in` or `sockaddr_in6`; IPv6 needs MHD_USE_IPv6 in
/// `flags`). `options` may be NULL; when its `log` is set, MHD keeps `options` (and `log_cls`) as the
/// logger's context, so both must then outlive the daemon.
struct MHD_Daemon *cshims_mhd_start_at(unsigned int flags, const struct sockaddr *address,
                                       MHD_AccessHandlerCallback handler, void *handler_cls,
                                       MHD_RequestCompletedCallback completed, void *completed_cls,
                                       const struct cshims_mhd_options *options);

/// The socket of a connection, or -1 if MHD does not tell.
int cshims_mhd_connection_fd(struct MHD_Connection *connection);

/// The port a daemon started with port 0 is bound to, or 0 if unknown.
uint16_t cshims_mhd_bound_port(struct MHD_Daemon *daemon);

CURLcode cshims_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode cshims_curl_setopt_ptr(CURL *handle, CURLoption option, const void *value);
CURLcode cshims_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode cshims_curl_setopt_write_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode cshims_curl_setopt_header_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode cshims_curl_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode cshims_curl_getinfo_ptr(CURL *handle, CURLINFO info, void **out);
CURLMcode cshims_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

#include <sys/types.h>

/// Starts `path` (an absolute path; no PATH search happens in the child) with `argv` and `envp`
/// (NULL-terminated) as a supervised child, its standard input `stdin_fd` and its standard output and
/// error `output_fd`. The child
/// - gets `death_signal` when the calling *thread* ends (PR_SET_PDEATHSIG; also when the process is
///   killed with SIGKILL), so the caller must stay on a thread that lives as long as the child;
/// - leads its own process group (a terminal's Ctrl-C reaches the caller only, which stops it in order;
///   `kill(-pid, …)` reaches whatever the child runs under it);
/// - starts with default signal dispositions, an empty signal mask and no other open descriptors.
/// Only async-signal-safe calls happen between fork and exec. Returns the child's pid, or -1 with
/// `errno` set (including the child's `execve` error, reported back through a close-on-exec pipe).
pid_t cshims_spawn_supervised(const char *path, char *const argv[], char *const envp[], int stdin_fd,
                              int output_fd, int death_signal);
