/// How an ``HTTPServer`` listens and what it accepts.
public struct HTTPServerConfiguration: Sendable {
    /// The address to bind: an IPv4 or IPv6 literal, or `localhost` (= `127.0.0.1`). Default `127.0.0.1`.
    public var host: String
    /// The port to bind; 0 picks a free one, which ``HTTPServer/port`` then reports. Default 0.
    public var port: UInt16
    /// MHD worker threads (each runs its own epoll loop). They never block: handlers run as Swift tasks.
    public var threadPoolSize: Int
    /// Connections held at once (idle keep-alive and suspended ones count); more are refused at accept.
    /// The default, 1,100, holds 1,000 concurrent clients; ``HTTPServer/start()`` raises the process's
    /// open-file soft limit towards the hard one if it is too low for this.
    public var connectionLimit: Int
    /// The largest request body accepted, in bytes; a larger one is answered 413 as soon as its declared or
    /// received size passes this, and never buffered beyond it. Default 16 MiB.
    public var maxBodySize: Int
    /// The most request-body bytes buffered at once over all connections; a body that would pass it is
    /// answered 503 with `Retry-After` (before it is read when its length is declared, else as soon as it
    /// passes). Default 256 MiB.
    public var maxInflightBytes: Int
    /// Connections idle this long are closed. Default 60 s.
    public var idleTimeout: Duration
    /// How long ``HTTPServer/shutdown()`` waits for in-flight requests before answering them 503. Default 10 s.
    public var shutdownGracePeriod: Duration

    public init(
        host: String = "127.0.0.1", port: UInt16 = 0, threadPoolSize: Int = 4, connectionLimit: Int = 1_100,
        maxBodySize: Int = 16 << 20, maxInflightBytes: Int = 256 << 20, idleTimeout: Duration = .seconds(60),
        shutdownGracePeriod: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.threadPoolSize = threadPoolSize
        self.connectionLimit = connectionLimit
        self.maxBodySize = maxBodySize
        self.maxInflightBytes = maxInflightBytes
        self.idleTimeout = idleTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}
