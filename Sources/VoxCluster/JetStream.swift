import CNats
import Foundation
import VoxStream

/// An error from NATS or JetStream, in the client's and the server's words.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public let message: String
    public var description: String { message }

    /// An error in Vox's own words.
    public init(message: String) { self.message = message }

    init(_ what: String, _ status: natsStatus, _ code: jsErrCode = jsErrCode(0)) {
        let text = natsStatus_GetText(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
        message = "\(what): \(text)" + (code.rawValue != 0 ? " (JetStream error \(code.rawValue))" : "")
    }
}

/// A connection to a NATS server with JetStream: streams, publishing de-duplicated by message id, durable pull
/// consumers with explicit acknowledgement (libnats, Debian's `libnats-dev`). Every call waits on the network, so
/// each runs on the connection's own serial queue (a consumer's fetches on the consumer's), never on Swift's
/// cooperative pool. C types stay in this file and in ``PullConsumer``'s.
public final class JetStream: @unchecked Sendable {
    // @unchecked: the C handles are touched only on `queue`, one call at a time (libnats' connection is itself
    // thread-safe, so consumers fetch on their own queues meanwhile).
    private let connection: OpaquePointer
    private let context: OpaquePointer
    private let queue: DispatchQueue
    /// Asynchronous publishes that failed, counted by the C error handler.
    private let failures: UnsafeMutablePointer<Int64>

    private init(
        connection: OpaquePointer, context: OpaquePointer, queue: DispatchQueue, failures: UnsafeMutablePointer<Int64>
    ) {
        self.connection = connection
        self.context = context
        self.queue = queue
        self.failures = failures
    }

    // Every call holds a reference while it runs on the queue, so nothing uses the handles once this runs.
    deinit {
        jsCtx_Destroy(context)
        natsConnection_Destroy(connection)
        failures.deallocate()
    }

    /// Connects to `url` (e.g. `nats://127.0.0.1:4222`, several separated by commas).
    public static func connect(url: String) async throws(ClusterError) -> JetStream {
        let queue = DispatchQueue(label: "vox-nats")
        let result: Result<JetStream, ClusterError> = await JetStream.run(on: queue) {
            var connection: OpaquePointer? = nil
            var status = natsConnection_ConnectTo(&connection, url)
            guard status == NATS_OK, let connection else {
                return .failure(ClusterError("cannot connect to NATS at \(url)", status))
            }
            var context: OpaquePointer? = nil
            let failures = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
            failures.initialize(to: 0)
            status = vox_nats_jetstream(&context, connection, failures)
            guard status == NATS_OK, let context else {
                natsConnection_Destroy(connection)
                failures.deallocate()
                return .failure(ClusterError("NATS at \(url) has no JetStream (start nats-server with -js)", status))
            }
            return .success(JetStream(connection: connection, context: context, queue: queue, failures: failures))
        }
        return try result.get()
    }

    /// Creates the stream `name` over `subject` (file storage), or accepts it when it exists.
    /// - Parameters:
    ///   - replicas: Copies kept by a cluster (1 on a single server).
    ///   - duplicateWindow: How long the server remembers message ids to drop republished messages.
    public func addStream(
        name: String, subject: String, replicas: Int = 1, duplicateWindow: Duration = .seconds(120)
    ) async throws(ClusterError) {
        let nanoseconds = duplicateWindow.totalNanoseconds
        let result: Result<Void, ClusterError> = await JetStream.run(on: queue) { [self] in
            var code = jsErrCode(0)
            let status = vox_nats_add_stream(self.context, name, subject, Int32(replicas), nanoseconds, &code)
            return status == NATS_OK
                ? .success(()) : .failure(ClusterError("cannot create stream \(name)", status, code))
        }
        try result.get()
    }

    /// What the server said of a published message.
    public struct Published: Sendable, Equatable {
        /// Its sequence in the stream (the first copy's, for a duplicate).
        public var sequence: UInt64
        /// Whether the server had already stored a message with this id (and dropped this one).
        public var duplicate: Bool
    }

    /// Publishes `data` on `subject` with the de-duplication id `id` and waits for the server's acknowledgement.
    public func publish(subject: String, data: [UInt8], id: String) async throws(ClusterError) -> Published {
        let result: Result<Published, ClusterError> = await JetStream.run(on: queue) { [self] in
            let context = self.context
            var code = jsErrCode(0)
            var sequence: UInt64 = 0
            var duplicate = false
            let status = data.withUnsafeBytes { bytes in
                vox_nats_publish(
                    context, subject, bytes.baseAddress, Int32(bytes.count), id, &sequence, &duplicate, &code)
            }
            return status == NATS_OK
                ? .success(Published(sequence: sequence, duplicate: duplicate))
                : .failure(ClusterError("cannot publish to \(subject)", status, code))
        }
        return try result.get()
    }

    /// One message for ``publish(_:wait:)``.
    public struct Outgoing: Sendable {
        /// The subject.
        public var subject: String
        /// The payload.
        public var data: [UInt8]
        /// The de-duplication id (empty: none).
        public var id: String

        /// Creates a message.
        public init(subject: String, data: [UInt8], id: String) {
            self.subject = subject
            self.data = data
            self.id = id
        }
    }

    /// Publishes `messages` in order without waiting for each acknowledgement, then waits (at most `wait`) until
    /// the server has stored every one. Throws unless all were stored (duplicates count as stored), so a caller
    /// that records progress only after this returns never skips a message.
    public func publish(_ messages: [Outgoing], wait: Duration = .seconds(10)) async throws(ClusterError) {
        guard !messages.isEmpty else { return }
        let milliseconds = wait.totalNanoseconds / 1_000_000
        let result: Result<Void, ClusterError> = await JetStream.run(on: queue) { [self] in
            let before = self.failures.pointee
            for message in messages {
                let status = message.data.withUnsafeBytes { bytes in
                    vox_nats_publish_async(
                        self.context, message.subject, bytes.baseAddress, Int32(bytes.count), message.id)
                }
                guard status == NATS_OK else {
                    vox_nats_publish_abandon(self.context)
                    return .failure(ClusterError("cannot publish to \(message.subject)", status))
                }
            }
            let status = vox_nats_publish_complete(self.context, milliseconds)
            guard status == NATS_OK else {
                // The caller publishes the batch again (same ids): only those acknowledgements are waited for then.
                vox_nats_publish_abandon(self.context)
                return .failure(ClusterError("the server did not acknowledge every published message", status))
            }
            let failed = self.failures.pointee - before
            return failed == 0
                ? .success(())
                : .failure(ClusterError("the server refused \(failed) published messages", NATS_ERR))
        }
        try result.get()
    }

    /// A reader of `stream` in order from sequence `start` (an ephemeral consumer without acknowledgements).
    public func reader(stream: String, subject: String, from start: UInt64) async throws(ClusterError) -> PullConsumer {
        let result: Result<PullConsumer, ClusterError> = await JetStream.run(on: queue) { [self] in
            var code = jsErrCode(0)
            var subscription: OpaquePointer? = nil
            let status = vox_nats_reader(&subscription, self.context, stream, subject, start, &code)
            guard status == NATS_OK, let subscription else {
                return .failure(ClusterError("cannot read stream \(stream) from \(start)", status, code))
            }
            return .success(
                PullConsumer(subscription: subscription, owner: self, acknowledged: false))
        }
        return try result.get()
    }

    /// The payload of the last message stored on `subject` in `stream`; nil when there is none.
    public func lastMessage(stream: String, subject: String) async throws(ClusterError) -> [UInt8]? {
        let result: Result<[UInt8]?, ClusterError> = await JetStream.run(on: queue) { [self] in
            var message: OpaquePointer? = nil
            var code = jsErrCode(0)
            let status = js_GetLastMsg(&message, self.context, stream, subject, nil, &code)
            if status == NATS_NOT_FOUND || code == JSNoMessageFoundErr { return .success(nil) }
            guard status == NATS_OK, let message else {
                return .failure(ClusterError("cannot read the last message of \(stream)", status, code))
            }
            defer { natsMsg_Destroy(message) }
            let length = Int(natsMsg_GetDataLength(message))
            let bytes =
                natsMsg_GetData(message).map {
                    Array(UnsafeRawBufferPointer(start: UnsafeRawPointer($0), count: length))
                } ?? []
            return .success(bytes)
        }
        return try result.get()
    }

    /// How many messages `stream` holds.
    public func messageCount(stream: String) async throws(ClusterError) -> UInt64 {
        try await state(of: stream).messages
    }

    /// The sequence of the last message stored in `stream` (0 when it is empty).
    public func lastSequence(stream: String) async throws(ClusterError) -> UInt64 {
        try await state(of: stream).last
    }

    private func state(of stream: String) async throws(ClusterError) -> (messages: UInt64, last: UInt64) {
        let result: Result<(UInt64, UInt64), ClusterError> = await JetStream.run(on: queue) { [self] in
            var code = jsErrCode(0)
            var messages: UInt64 = 0
            var last: UInt64 = 0
            let status = vox_nats_stream_messages(self.context, stream, &messages, &last, &code)
            return status == NATS_OK
                ? .success((messages, last)) : .failure(ClusterError("cannot read stream \(stream)", status, code))
        }
        return try result.get()
    }

    /// The durable consumer's backlog: messages not yet delivered, and delivered but not yet acknowledged.
    public func backlog(
        stream: String, durable: String
    ) async throws(ClusterError) -> (
        pending: UInt64, unacknowledged: Int64
    ) {
        let result: Result<(UInt64, Int64), ClusterError> = await JetStream.run(on: queue) { [self] in
            var code = jsErrCode(0)
            var pending: UInt64 = 0
            var unacknowledged: Int64 = 0
            let status = vox_nats_consumer_pending(self.context, stream, durable, &pending, &unacknowledged, &code)
            return status == NATS_OK
                ? .success((pending, unacknowledged))
                : .failure(ClusterError("cannot read consumer \(durable) on \(stream)", status, code))
        }
        return try result.get()
    }

    /// A durable pull consumer `durable` on `stream` (shared by every process that names it); messages not
    /// acknowledged within `ackWait` are delivered again, to any of them.
    public func pullConsumer(
        stream: String, subject: String, durable: String, ackWait: Duration = .seconds(30)
    ) async throws(ClusterError) -> PullConsumer {
        let nanoseconds = ackWait.totalNanoseconds
        let result: Result<PullConsumer, ClusterError> = await JetStream.run(on: queue) { [self] in
            var code = jsErrCode(0)
            var subscription: OpaquePointer? = nil
            let status = vox_nats_pull_subscribe(
                &subscription, self.context, stream, subject, durable, nanoseconds, &code)
            guard status == NATS_OK, let subscription else {
                return .failure(ClusterError("cannot create consumer \(durable) on \(stream)", status, code))
            }
            return .success(
                PullConsumer(subscription: subscription, owner: self, acknowledged: true))
        }
        return try result.get()
    }

    /// Runs a blocking body on `queue` and resumes the caller with its result.
    static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in queue.async { continuation.resume(returning: body()) } }
    }
}
