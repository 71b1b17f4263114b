import Foundation

/// Posts JSON documents (alerts) to a webhook URL on its own thread, with retries, never blocking the caller:
/// documents wait in a bounded queue, and what cannot be delivered (after the retries, or because the queue is
/// full) is counted as a failure.
public final class WebhookSender: @unchecked Sendable {
    // @unchecked: `queue`, `sent`, `failed`, `inFlight`, `settled` and `closed` are only touched while `condition`
    // is locked.
    private let url: String
    private let attempts: Int
    private let backoff: Double
    private let capacity: Int
    private let condition = NSCondition()
    private var queue: [String] = []
    private var sent = 0
    private var failed = 0
    private var closed = false
    private var running = true
    /// A document taken from the queue whose delivery has not ended yet.
    private var inFlight = false
    /// Set once `finish` has returned its counts: a delivery ending later changes them no more.
    private var settled = false

    /// Starts a sender.
    /// - Parameters:
    ///   - url: Where each document is POSTed as `application/json`.
    ///   - attempts: Tries per document.
    ///   - backoff: Seconds before the second try (doubling after).
    ///   - capacity: Documents that may wait; more are counted as failures.
    public init(url: String, attempts: Int = 3, backoff: Double = 0.5, capacity: Int = 1000) {
        self.url = url
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.capacity = capacity
        let thread = Thread { [self] in loop() }
        thread.name = "vox-webhook"
        thread.start()
    }

    /// Queues a document (returns at once).
    public func send(_ json: String) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, queue.count < capacity else {
            failed += 1
            return
        }
        queue.append(json)
        condition.broadcast()
    }

    /// Waits (up to `timeout` seconds) for the queue to drain, then stops; returns (delivered, failed).
    public func finish(timeout: Double = 10) -> (sent: Int, failed: Int) {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        closed = true
        condition.broadcast()
        while running && condition.wait(until: deadline) {}
        // Every document queued is counted once: what is still waiting, or still being delivered when the time
        // is up, is a failure.
        failed += queue.count + (inFlight ? 1 : 0)
        queue.removeAll()
        settled = true
        let result = (sent, failed)
        condition.unlock()
        return result
    }

    /// Documents delivered and failed so far.
    public var counts: (sent: Int, failed: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (sent, failed)
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            let document = queue.removeFirst()
            inFlight = true
            condition.unlock()
            let delivered = deliver(document)
            condition.lock()
            inFlight = false
            if !settled {
                if delivered { sent += 1 } else { failed += 1 }
            }
            condition.unlock()
        }
    }

    private func deliver(_ document: String) -> Bool {
        guard let request = try? CurlRequest() else { return false }
        var options = HTTPOptions()
        options.connectTimeout = 5
        options.lowSpeedTime = 10
        var delay = backoff
        for attempt in 1...attempts {
            let outcome = request.get(
                url, headers: ["Content-Type: application/json"], options: options, postBody: document,
                onHead: { _ in true }, onBody: { _ in true }, shouldAbort: { false })
            if case .completed(let head) = outcome, (200..<300).contains(head.status) { return true }
            if attempt < attempts {
                Thread.sleep(forTimeInterval: delay)
                delay *= 2
            }
        }
        return false
    }
}
