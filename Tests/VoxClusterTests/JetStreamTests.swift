import Foundation
import Synchronization
import Testing
import VoxCluster
import VoxTestSupport

/// The JetStream client against a real `nats-server -js` on loopback: de-duplicated publishing (a publisher
/// restarted from its checkpoint never duplicates), a durable pull consumer shared by workers, and redelivery of
/// what a worker fetched and never acknowledged.
@Suite(.serialized) struct JetStreamTests {
    @Test func publishingTheSameIdTwiceStoresOneMessage() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let stream = try await JetStream.connect(url: server.url)
        try await stream.addStream(name: "POSTS", subject: "posts.>")
        try await stream.addStream(name: "POSTS", subject: "posts.>")  // exists: accepted
        var sequences: [UInt64] = []
        for line in 0..<5 {
            let published = try await stream.publish(
                subject: "posts.feed", data: Array("post \(line)".utf8), id: "feed.jsonl:\(line)")
            #expect(!published.duplicate)
            sequences.append(published.sequence)
        }
        #expect(sequences == [1, 2, 3, 4, 5])
        // A publisher restarted from line 3 republishes lines 3 and 4: the server drops them.
        for line in 3..<5 {
            let again = try await stream.publish(
                subject: "posts.feed", data: Array("post \(line)".utf8), id: "feed.jsonl:\(line)")
            #expect(again.duplicate && again.sequence == UInt64(line + 1))
        }
        let consumer = try await stream.pullConsumer(stream: "POSTS", subject: "posts.>", durable: "workers")
        let messages = try await consumer.fetch(10, timeout: .seconds(2))
        #expect(messages.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(messages.map { String(decoding: $0.data, as: UTF8.self) } == (0..<5).map { "post \($0)" })
        for message in messages { try await consumer.ack(message.sequence) }
        #expect(try await consumer.fetch(10, timeout: .milliseconds(300)).isEmpty)
    }

    @Test func whatAWorkerNeverAcknowledgesIsDeliveredAgainToAnother() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let publisher = try await JetStream.connect(url: server.url)
        try await publisher.addStream(name: "WORK", subject: "work.>")
        for index in 0..<6 {
            _ = try await publisher.publish(subject: "work.items", data: [UInt8(index)], id: "item-\(index)")
        }
        // Two workers share one durable consumer; the first takes three and dies without acknowledging.
        do {
            let doomed = try await JetStream.connect(url: server.url)
            let first = try await doomed.pullConsumer(
                stream: "WORK", subject: "work.>", durable: "shared", ackWait: .seconds(1))
            let taken = try await first.fetch(3, timeout: .seconds(2))
            #expect(taken.map(\.sequence) == [1, 2, 3])
        }
        let survivor = try await JetStream.connect(url: server.url)
        let second = try await survivor.pullConsumer(
            stream: "WORK", subject: "work.>", durable: "shared", ackWait: .seconds(1))
        var seen: [UInt64: UInt64] = [:]
        let deadline = Date().addingTimeInterval(10)
        while seen.count < 6 && Date() < deadline {
            for message in try await second.fetch(6, timeout: .milliseconds(500)) {
                seen[message.sequence] = message.delivered
                try await second.ack(message.sequence)
            }
        }
        #expect(seen.keys.sorted() == [1, 2, 3, 4, 5, 6])
        #expect([1, 2, 3].allSatisfy { (seen[$0] ?? 0) >= 2 }, "redelivered: \(seen)")
        #expect([4, 5, 6].allSatisfy { seen[$0] == 1 })
        await #expect(throws: ClusterError.self) { try await second.ack(99) }
    }

    /// A worker's prefetch waits on an empty stream while it stores the last batch's results and acknowledges it:
    /// neither waits for that fetch.
    @Test func aWaitingFetchHoldsUpNeitherPublishesNorAcknowledgements() async throws {
        let server = try NATSServer()
        defer { server.stop() }
        let jetStream = try await JetStream.connect(url: server.url)
        try await jetStream.addStream(name: "WORK", subject: "work.>")
        try await jetStream.addStream(name: "DONE", subject: "done.>")
        _ = try await jetStream.publish(subject: "work.items", data: [1], id: "item-1")
        let consumer = try await jetStream.pullConsumer(stream: "WORK", subject: "work.>", durable: "workers")
        let first = try await consumer.fetch(1, timeout: .seconds(2))
        #expect(first.map(\.sequence) == [1])
        let returned = Flag()
        let waiting = Task {
            defer { returned.set() }
            return try await consumer.fetch(1, timeout: .seconds(60))
        }
        // The fetch is on its way (or waiting) before the publish and the acknowledgement start.
        try await Task.sleep(for: .milliseconds(300))
        try await jetStream.publish([.init(subject: "done.items", data: [1], id: "result-1")])
        #expect(await consumer.ack([1]) == 1)
        #expect(!returned.isSet, "the publish and the acknowledgement waited for the fetch")
        // A new message ends the waiting fetch.
        _ = try await jetStream.publish(subject: "work.items", data: [2], id: "item-2")
        #expect(try await waiting.value.map(\.sequence) == [2])
    }

    @Test func aServerWithoutJetStreamOrNoServerIsAClearError() async throws {
        let error = await #expect(throws: ClusterError.self) {
            _ = try await JetStream.connect(url: "nats://127.0.0.1:1")
        }
        #expect(error?.message.contains("cannot connect to NATS at nats://127.0.0.1:1") == true)
    }
}

/// A flag set once, read from any task.
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
