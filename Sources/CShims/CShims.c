#include "CShims.h"

#include <stdarg.h>
#include <stdio.h>

struct MHD_Daemon *cshims_mhd_start(unsigned int flags, uint16_t port, MHD_AccessHandlerCallback handler,
                                    void *handler_cls, MHD_RequestCompletedCallback completed,
                                    void *completed_cls, unsigned int thread_pool_size,
                                    unsigned int connection_limit, unsigned int connection_timeout_seconds,
                                    size_t memory_limit) {
    struct MHD_OptionItem options[6];
    int n = 0;
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, completed_cls};
    if (thread_pool_size > 0)
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size, NULL};
    if (connection_limit > 0)
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, connection_limit, NULL};
    if (connection_timeout_seconds > 0)
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds, NULL};
    if (memory_limit > 0)
        options[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)memory_limit, NULL};
    options[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls, MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/// MHD's logger is printf-style; this formats the line and hands it on as a plain string.
static void cshims_mhd_log_trampoline(void *cls, const char *format, va_list ap) {
    const struct cshims_mhd_options *options = cls;
    char line[512];
    vsnprintf(line, sizeof line, format, ap);
    options->log(options->log_cls, line);
}

struct MHD_Daemon *cshims_mhd_start_at(unsigned int flags, const struct sockaddr *address,
                                       MHD_AccessHandlerCallback handler, void *handler_cls,
                                       MHD_RequestCompletedCallback completed, void *completed_cls,
                                       const struct cshims_mhd_options *options) {
    static struct cshims_mhd_options no_options;
    if (options == NULL) options = &no_options;
    struct MHD_OptionItem items[8];
    int n = 0;
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, completed_cls};
    if (address != NULL) items[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)address};
    if (options->thread_pool_size > 0)
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, options->thread_pool_size, NULL};
    if (options->connection_limit > 0)
        items[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, options->connection_limit, NULL};
    if (options->connection_timeout_seconds > 0)
        items[n++] =
            (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, options->connection_timeout_seconds, NULL};
    if (options->memory_limit > 0)
        items[n++] =
            (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)options->memory_limit, NULL};
    if (options->log != NULL)
        items[n++] =
            (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)cshims_mhd_log_trampoline, (void *)options};
    items[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls, MHD_OPTION_ARRAY, items, MHD_OPTION_END);
}

int cshims_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : (int)info->connect_fd;
}

uint16_t cshims_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

CURLcode cshims_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
CURLcode cshims_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
CURLcode cshims_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
CURLcode cshims_curl_setopt_write_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
}
CURLcode cshims_curl_setopt_header_callback(CURL *h, size_t (*cb)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
}
CURLcode cshims_curl_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
CURLcode cshims_curl_getinfo_ptr(CURL *h, CURLINFO i, void **out) { return curl_easy_getinfo(h, i, out); }
CURLMcode cshims_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
