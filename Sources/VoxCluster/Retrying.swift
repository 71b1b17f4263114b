/// Retries NATS calls across a server's restart or a cluster's leader change: the client reconnects on its own,
/// and every call Vox retries is idempotent (ids de-duplicate publishes; readers restart from recorded positions).
enum Retrying {
    /// Runs `body` until it succeeds, at most `attempts` times a second apart, telling `notice` of each failure.
    /// - Throws: The last error, when every attempt failed; `CancellationError` when the task is cancelled.
    static func run<T: Sendable>(
        _ what: String, attempts: Int = 60, notice: @Sendable (String) -> Void,
        _ body: @Sendable () async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as ClusterError {
                guard attempt < attempts else { throw error }
                notice("\(what) failed (\(error.message)); retrying (\(attempt)/\(attempts - 1))")
                attempt += 1
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
