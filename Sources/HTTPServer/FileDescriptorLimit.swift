import Glibc

/// The process's open-file limit, which caps how many connections can be held.
enum FileDescriptorLimit {
    /// Raises the soft `RLIMIT_NOFILE` towards the hard limit if it is below `needed`; returns the soft limit
    /// in force afterwards (or `nil` if it cannot be read).
    static func ensure(_ needed: Int) -> Int? {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return nil }
        guard limit.rlim_cur < rlim_t(needed) else { return Int(clamping: limit.rlim_cur) }
        var raised = limit
        raised.rlim_cur = min(limit.rlim_max, rlim_t(needed))
        if setrlimit(resource, &raised) == 0 { return Int(clamping: raised.rlim_cur) }
        return Int(clamping: limit.rlim_cur)
    }
}
