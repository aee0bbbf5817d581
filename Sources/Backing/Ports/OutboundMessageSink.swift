/// Where outgoing messages go (web-hooks with a durable outbox, or a test recorder).
///
/// `submit` is synchronous so that messages keep the order in which the job produced them, even when
/// several jobs and background tasks submit concurrently. Durability is a separate barrier: a caller
/// that must not answer before its messages are safe awaits ``flush()``.
public protocol OutboundMessageSink: Sendable {
    /// Accepts messages, in order. Must not block on I/O.
    func submit(_ messages: [OutboundMessage])
    /// Returns once everything submitted before the call is durable.
    func flush() async
}
