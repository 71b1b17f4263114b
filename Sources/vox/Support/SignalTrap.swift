import Dispatch
import Foundation

/// Runs an operation that SIGINT and SIGTERM cancel (so it can stop cleanly and flush), instead of
/// killing the process mid-write.
enum SignalTrap {
    /// Runs `operation` in a task that the first SIGINT or SIGTERM cancels; a second signal exits at once.
    static func cancellingOnSignals<T: Sendable>(
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        ignoreDefaultActions
        let task = Task { try await operation() }
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let seen = SignalCount()
            source.setEventHandler {
                if seen.increment() > 1 { exit(130) }
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer { for source in sources { source.cancel() } }
        return try await task.value
    }
}

extension SignalTrap {
    /// Calls `stop` on the first SIGINT or SIGTERM (a graceful stop: sources end, work in flight finishes,
    /// outputs are flushed); a second signal exits at once. `announce` tells the user (default: a line on standard
    /// error). Returns a token that keeps the handlers alive.
    static func stoppingOnSignals(
        announce: @escaping @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data("\nvox: \(message)\n".utf8))
        },
        _ stop: @escaping @Sendable () -> Void
    ) -> [any DispatchSourceSignal] {
        ignoreDefaultActions
        let seen = SignalCount()
        return [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if seen.increment() > 1 { exit(130) }
                announce("stopping: finishing work in flight and writing outputs (again to quit now)")
                stop()
            }
            source.resume()
            return source
        }
    }
}

extension SignalTrap {
    /// Turns off the default actions of SIGINT and SIGTERM (so the dispatch sources receive them) and of SIGPIPE,
    /// once per process: setting SIG_IGN again after libdispatch has installed its own handler would silence every
    /// later trap.
    fileprivate static let ignoreDefaultActions: Void = {
        for number in [SIGINT, SIGTERM, SIGPIPE] { signal(number, SIG_IGN) }
    }()
}

/// Counts signals received, from the dispatch queue that delivers them.
private final class SignalCount: @unchecked Sendable {
    // @unchecked: `count` is only touched while `lock` is held.
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
