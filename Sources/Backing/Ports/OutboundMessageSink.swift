/// Where the engine's effects go: journal records and outgoing messages (the web-hook outbox with its
/// journal, or a test recorder).
///
/// A transactional outbox: the journal records and the messages of one ``submit(_:journal:)`` become
/// durable together (one commit), so a restart never finds a record without the messages it caused or
/// the reverse. `submit` is synchronous so that effects keep the order in which the job produced them,
/// even when several jobs and background tasks submit concurrently. Durability is a separate barrier: a
/// caller that must not answer before its effects are safe awaits ``flush()``.
public protocol OutboundMessageSink: Sendable {
    /// Accepts messages and the journal records of the same step, in order. Must not block on I/O.
    func submit(_ messages: [OutboundMessage], journal: [JournalRecord])
    /// Returns once everything submitted before the call is durable.
    /// - Throws: ``StorageFailure`` when the database failed before it was: what was submitted and not
    ///   committed is dropped, never committed later, so the caller must not acknowledge it.
    func flush() async throws(StorageFailure)
}

extension OutboundMessageSink {
    /// Messages that change no engine state (nothing to journal).
    public func submit(_ messages: [OutboundMessage]) { submit(messages, journal: []) }
}
