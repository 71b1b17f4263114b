import VoxStream

/// An in-order reader of one stream that outlives the server it reads from.
///
/// It wraps an ephemeral ordered consumer. Such a consumer lives on one node and is not replicated, so losing
/// that node can end it in two ways: a fetch fails, or fetches quietly come back empty although the stream holds
/// more. In both cases the reader makes a new consumer from the next sequence not yet read. Silence is checked
/// against the stream's last sequence, so an idle live stream costs one stream-info request every few seconds
/// and never a new consumer. While the stream has more, the next batch is fetched while the caller works through
/// the last one.
struct StreamReader {
    let connection: JetStream
    let stream: String
    let subject: String
    let notice: @Sendable (String) -> Void
    private var consumer: PullConsumer
    /// The stream sequence this reader delivers next.
    private(set) var next: UInt64
    /// Empty fetches in a row.
    private var silent = 0
    /// The next batch, fetched while the caller works through the last one (only while the stream has more).
    private var ahead: Task<Result<[PullConsumer.Message], ClusterError>, Never>? = nil

    /// Empty fetches in a row after which the stream's last sequence is checked.
    static let silenceCheck = 5

    init(
        connection: JetStream, stream: String, subject: String, from start: UInt64,
        notice: @escaping @Sendable (String) -> Void
    ) async throws {
        self.connection = connection
        self.stream = stream
        self.subject = subject
        self.notice = notice
        next = start
        consumer = try await StreamReader.open(connection, stream, subject, from: start, notice: notice)
    }

    private static func open(
        _ connection: JetStream, _ stream: String, _ subject: String, from start: UInt64,
        notice: @Sendable (String) -> Void
    ) async throws -> PullConsumer {
        try await Retrying.run("reading \(stream)", notice: notice) {
            try await connection.reader(stream: stream, subject: subject, from: start)
        }
    }

    /// Up to `count` messages in stream order, waiting at most `timeout`; empty when none came (or when the
    /// consumer had to be made again).
    mutating func fetch(_ count: Int, timeout: Duration) async throws -> [PullConsumer.Message] {
        let outcome: Result<[PullConsumer.Message], ClusterError>
        if let ahead {
            outcome = await ahead.value
            self.ahead = nil
        } else {
            outcome = await StreamReader.attempt(consumer, count, timeout)
        }
        switch outcome {
        case .failure(let error):
            notice("reading \(stream) failed (\(error.message)); reading again from \(next)")
            try await Task.sleep(for: .seconds(1))
            try await restart(from: next)
            return []
        case .success(let messages):
            if let last = messages.last {
                next = last.sequence + 1
                silent = 0
                let consumer = consumer
                ahead = Task { await StreamReader.attempt(consumer, count, timeout) }
                return messages
            }
        }
        silent += 1
        guard silent % StreamReader.silenceCheck == 0 else { return [] }
        if let last = try? await connection.lastSequence(stream: stream), last >= next {
            notice("the reader of \(stream) went silent at \(next) while the stream holds up to \(last); reading again")
            try await restart(from: next)
        }
        return []
    }

    /// Reads from `start` on, with a new consumer (the reorder buffer rereads what it dropped this way).
    mutating func restart(from start: UInt64) async throws {
        // A batch fetched ahead belongs to the old consumer's position: dropped.
        ahead = nil
        consumer = try await StreamReader.open(connection, stream, subject, from: start, notice: notice)
        next = start
        silent = 0
    }

    private static func attempt(
        _ consumer: PullConsumer, _ count: Int, _ timeout: Duration
    ) async -> Result<[PullConsumer.Message], ClusterError> {
        do throws(ClusterError) {
            return .success(try await consumer.fetch(count, timeout: timeout))
        } catch {
            return .failure(error)
        }
    }
}
