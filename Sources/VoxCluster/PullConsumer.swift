import CNats
import Foundation
import VoxStream

/// A JetStream durable pull consumer: fetches batches, acknowledges messages one by one. A message fetched and
/// never acknowledged (its process killed, say) is delivered again after the consumer's ack wait.
///
/// Fetches wait on the consumer's own queue, so a fetch waiting for messages that are not there yet holds up
/// neither the connection's publishes nor this consumer's acknowledgements (which go through a second queue).
public final class PullConsumer: @unchecked Sendable {
    // @unchecked: the subscription is fetched from only on `queue`; `held` is touched only under `lock`; each held
    // message is acknowledged or released on `acks` once, after it left `held`.
    private let subscription: OpaquePointer
    private let queue = DispatchQueue(label: "vox-nats-fetch")
    private let acks = DispatchQueue(label: "vox-nats-ack")
    private let lock = NSLock()
    private let owner: JetStream
    private var held: [UInt64: OpaquePointer] = [:]
    private let acknowledged: Bool

    /// A fetched message.
    public struct Message: Sendable, Equatable {
        /// Its sequence in the stream.
        public var sequence: UInt64
        /// How many times it has been delivered (1 the first time).
        public var delivered: UInt64
        /// Its payload.
        public var data: [UInt8]
    }

    init(subscription: OpaquePointer, owner: JetStream, acknowledged: Bool) {
        self.subscription = subscription
        self.owner = owner
        self.acknowledged = acknowledged
    }

    // Every call holds a reference while it runs on the queue, so nothing uses the handles once this runs.
    deinit {
        for message in held.values { natsMsg_Destroy(message) }
        natsSubscription_Destroy(subscription)
    }

    /// Up to `count` messages, waiting at most `timeout` for the first; empty when none came.
    public func fetch(_ count: Int, timeout: Duration) async throws(ClusterError) -> [Message] {
        let milliseconds = timeout.totalNanoseconds / 1_000_000
        let result: Result<[Message], ClusterError> = await JetStream.run(on: queue) { [self] in
            var list = natsMsgList()
            var code = jsErrCode(0)
            let status = natsSubscription_Fetch(&list, subscription, Int32(count), milliseconds, &code)
            if status == NATS_TIMEOUT { return .success([]) }
            guard status == NATS_OK else { return .failure(ClusterError("cannot fetch messages", status, code)) }
            var messages: [Message] = []
            for index in 0..<Int(list.Count) {
                guard let message = list.Msgs[index] else { continue }
                var sequence: UInt64 = 0
                var delivered: UInt64 = 0
                _ = vox_nats_metadata(message, &sequence, &delivered)
                let length = Int(natsMsg_GetDataLength(message))
                let bytes =
                    natsMsg_GetData(message).map {
                        Array(UnsafeRawBufferPointer(start: UnsafeRawPointer($0), count: length))
                    } ?? []
                if acknowledged {
                    if let old = lock.withLock({ held.updateValue(message, forKey: sequence) }) { natsMsg_Destroy(old) }
                    list.Msgs[index] = nil
                }
                messages.append(Message(sequence: sequence, delivered: delivered, data: bytes))
            }
            natsMsgList_Destroy(&list)
            return .success(messages)
        }
        return try result.get()
    }

    /// Acknowledges the messages with these stream sequences (fetched by this consumer) in one hop; returns how
    /// many acknowledgements were sent (a lost one only means a redelivery).
    public func ack(_ sequences: [UInt64]) async -> Int {
        await JetStream.run(on: acks) { [self] in
            var sent = 0
            for sequence in sequences {
                guard let message = lock.withLock({ held.removeValue(forKey: sequence) }) else { continue }
                if natsMsg_Ack(message, nil) == NATS_OK { sent += 1 }
                natsMsg_Destroy(message)
            }
            return sent
        }
    }

    /// Hands messages fetched by this consumer back unprocessed: the server delivers them again at once (to any
    /// consumer of the durable), instead of after the ack wait.
    public func release(_ sequences: [UInt64]) async {
        await JetStream.run(on: acks) { [self] in
            for sequence in sequences {
                guard let message = lock.withLock({ held.removeValue(forKey: sequence) }) else { continue }
                _ = natsMsg_Nak(message, nil)
                natsMsg_Destroy(message)
            }
        }
    }

    /// Acknowledges the message with stream sequence `sequence` (fetched by this consumer): it is not delivered again.
    public func ack(_ sequence: UInt64) async throws(ClusterError) {
        let result: Result<Void, ClusterError> = await JetStream.run(on: acks) { [self] in
            guard let message = lock.withLock({ held.removeValue(forKey: sequence) }) else {
                return .failure(ClusterError("message \(sequence) was not fetched by this consumer", NATS_NOT_FOUND))
            }
            let status = natsMsg_Ack(message, nil)
            natsMsg_Destroy(message)
            return status == NATS_OK ? .success(()) : .failure(ClusterError("cannot acknowledge \(sequence)", status))
        }
        try result.get()
    }
}
