import DequeModule
import Foundation

/// A bounded, lossless hand-off from a blocking producer thread to an async consumer.
///
/// The producer (a file reader or curl's write callback) blocks in `send` while the buffer is full,
/// so a slow consumer slows the reader and memory stays bounded: real backpressure, unlike
/// `AsyncStream`'s buffering policies, which drop elements. When the consuming task is cancelled,
/// `send` returns `false` and the producer stops.
public final class BlockingHandoff<Element: Sendable>: AsyncSequence, @unchecked Sendable {
    // @unchecked: every stored property below is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var items: Deque<Element> = []
    private let capacity: Int
    private var waiter: CheckedContinuation<Element?, Never>?
    private var finished = false
    private var cancelled = false

    /// Creates a hand-off that holds at most `capacity` elements.
    public init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// Hands `element` to the consumer, blocking while the buffer is full.
    /// - Returns: `false` when the consumer has gone away (the producer should stop).
    public func send(_ element: Element) -> Bool {
        condition.lock()
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled {
            condition.unlock()
            return false
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: element)
            return true
        }
        items.append(element)
        condition.unlock()
        return true
    }

    /// Ends the sequence after the buffered elements.
    public func finish() {
        condition.lock()
        finished = true
        let waiter = items.isEmpty ? self.waiter : nil
        if waiter != nil { self.waiter = nil }
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    /// Stops the hand-off from the consumer's side: a blocked or later `send` returns `false`.
    public func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    /// Whether the consumer has gone away.
    public var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// The next element, or nil once finished (or cancelled).
    public func next() async -> Element? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                condition.lock()
                if let item = items.popFirst() {
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: item)
                } else if finished || cancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            self.cancel()
        }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(handoff: self) }

    /// Iterates the hand-off's elements.
    public struct Iterator: AsyncIteratorProtocol {
        let handoff: BlockingHandoff

        public mutating func next() async -> Element? { await handoff.next() }
    }
}
