import Synchronization

/// A dashboard server started in the background: its port, and a way to stop it. Starting waits until the
/// server listens, so a port that cannot be bound is an error of ``DashboardServer/start(notice:)``, not a
/// surprise later.
public final class RunningServer: Sendable {
    /// The port the server listens on (the one picked, when the configuration asked for port 0).
    public let port: Int
    private let task: Task<Void, any Error>

    init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Stops the server (open `/events` streams end) and waits until it has.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

extension RunningServer {
    /// Runs `serve` in the background and returns once it reports its port through `onStart`: the start-up shared
    /// by the dashboard server and the metrics-only server. An error before listening is thrown here.
    static func launch(
        _ serve: @escaping @Sendable (_ onStart: @escaping @Sendable (Int) -> Void) async throws -> Void
    ) async throws -> RunningServer {
        let gate = StartGate()
        let task = Task {
            do {
                try await serve { port in gate.open(.success(port)) }
                gate.open(.failure(ServeError("the server stopped before it listened")))
            } catch {
                gate.open(.failure(error))
                throw error
            }
        }
        let port = try await withTaskCancellationHandler {
            try await gate.wait()
        } onCancel: {
            task.cancel()
        }
        return RunningServer(port: port, task: task)
    }
}

extension DashboardServer {
    /// Starts serving in the background and returns once the server listens.
    /// - Parameter notice: Receives problems reading the outputs.
    /// - Throws: `ServeError` when the server cannot listen.
    public func start(notice: @escaping @Sendable (String) -> Void = { _ in }) async throws -> RunningServer {
        try await RunningServer.launch { onStart in try await run(onStart: onStart, notice: notice) }
    }
}

/// Hands the outcome of starting (a port, or an error) to the one waiter, whichever comes first.
private final class StartGate: Sendable {
    private let state = Mutex<(outcome: Result<Int, any Error>?, waiter: CheckedContinuation<Int, any Error>?)>(
        (nil, nil))

    /// Records the outcome (only the first counts) and wakes the waiter.
    func open(_ outcome: Result<Int, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: outcome)
    }

    /// Waits for the outcome.
    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, any Error>? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
