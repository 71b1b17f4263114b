import Foundation

/// A one-way stop flag that blocking code polls and sleeps on (backoff waits, follow polling),
/// so a cancelled run wakes up at once instead of finishing its sleep.
public final class StopSignal: @unchecked Sendable {
    // @unchecked: `stopped` is only touched while `condition` is locked.
    private let condition = NSCondition()
    private var stopped = false
    private var observers: [@Sendable () -> Void] = []

    /// Creates an unset signal.
    public init() {}

    /// Sets the signal, wakes every sleeper and runs the observers.
    public func stop() {
        condition.lock()
        let first = !stopped
        stopped = true
        let pending = observers
        observers = []
        condition.broadcast()
        condition.unlock()
        if first { for observer in pending { observer() } }
    }

    /// Runs `observer` when the signal is set (at once if it already is).
    public func whenStopped(_ observer: @escaping @Sendable () -> Void) {
        condition.lock()
        if stopped {
            condition.unlock()
            observer()
            return
        }
        observers.append(observer)
        condition.unlock()
    }

    /// Whether the signal is set.
    public var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Sleeps up to `seconds`, waking early when stopped.
    /// - Returns: `true` when the signal was set (the caller should stop).
    @discardableResult
    public func sleep(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return stopped
    }
}
