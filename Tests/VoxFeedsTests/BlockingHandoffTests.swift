import Foundation
import Testing

@testable import VoxFeeds

@Suite struct BlockingHandoffTests {
    @Test func deliversEverythingInOrderThroughASmallBuffer() async {
        let handoff = BlockingHandoff<Int>(capacity: 2)
        let producer = Thread {
            for value in 0..<10_000 { _ = handoff.send(value) }
            handoff.finish()
        }
        producer.start()
        var received: [Int] = []
        for await value in handoff { received.append(value) }
        #expect(received == Array(0..<10_000))
    }

    @Test func blocksTheProducerWhileTheBufferIsFull() async throws {
        let handoff = BlockingHandoff<Int>(capacity: 3)
        let sent = SentCounter()
        let producer = Thread {
            for value in 0..<100 {
                guard handoff.send(value) else { return }
                sent.increment()
            }
            handoff.finish()
        }
        producer.start()
        try await Task.sleep(for: .milliseconds(200))
        #expect(sent.value == 3)
        var iterator = handoff.makeAsyncIterator()
        _ = await iterator.next()
        try await Task.sleep(for: .milliseconds(100))
        #expect(sent.value == 4)
        handoff.cancel()
    }

    @Test func cancellingTheConsumerReleasesABlockedProducer() async throws {
        let handoff = BlockingHandoff<Int>(capacity: 1)
        let result = SentCounter()
        let done = StopSignal()
        let producer = Thread {
            while handoff.send(1) {}
            result.increment()
            done.stop()
        }
        producer.start()
        let consumer = Task { for await _ in handoff {} }
        try await Task.sleep(for: .milliseconds(50))
        consumer.cancel()
        _ = await consumer.value
        #expect(done.sleep(seconds: 5))
        #expect(result.value == 1)
    }
}

/// A thread-safe counter for the producer threads above.
final class SentCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
