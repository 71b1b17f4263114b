/// Paces a replay by event time: a post at event time `t` is released no earlier than
/// `(t − t₀) / speed` after the first post, so `--speed 60x` replays an hour of posts in a minute.
/// Posts out of order are released at once; pacing never changes what is computed, only when.
public struct EventPacer: Sendable {
    let speed: Double
    private var origin: (event: Int64, clock: ContinuousClock.Instant)? = nil

    /// A pacer running event time `speed` times faster than the wall clock.
    public init(speed: Double) { self.speed = speed }

    /// Sleeps until the post at `event` (milliseconds) is due.
    public mutating func wait(until event: Int64) async throws {
        guard let origin else {
            origin = (event, ContinuousClock.now)
            return
        }
        let due = origin.clock + .milliseconds(Int64(Double(event - origin.event) / speed))
        if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
    }
}
