/// Event-time progress over several sources: each source's largest event time seen, minus the allowed
/// lateness; the run's watermark is the minimum over the sources still holding it back.
///
/// A source that has produced nothing yet holds the watermark back (so replay never depends on which source
/// happened to be read first); a finished or idle source stops holding it back; when none holds it back the
/// watermark is `fallback` (the wall clock in `tail`, +∞ at the end of a replay).
public struct Watermark: Sendable, Equatable, Codable {
    private enum SourceState: Sendable, Equatable, Codable {
        case waiting
        case active(Int64)
        case released(Int64?)
    }

    private var sources: [SourceState]
    /// The allowed lateness in milliseconds.
    public let lateness: Int64

    /// Starts with `sources` sources, none seen yet.
    public init(sources: Int, lateness: Int64) {
        self.sources = Array(repeating: .waiting, count: max(1, sources))
        self.lateness = lateness
    }

    /// Records an event time from a source (an idle source becomes active again).
    public mutating func observe(_ time: Int64, source: Int) {
        switch sources[source] {
        case .waiting: sources[source] = .active(time)
        case .active(let maximum): sources[source] = .active(max(maximum, time))
        case .released(let maximum): sources[source] = .active(max(maximum ?? time, time))
        }
    }

    /// Stops a source holding the watermark back (it finished, or has been idle too long).
    public mutating func release(source: Int) {
        switch sources[source] {
        case .waiting: sources[source] = .released(nil)
        case .active(let maximum): sources[source] = .released(maximum)
        case .released: break
        }
    }

    /// The watermark in milliseconds; `fallback` applies when no source holds it back.
    public func value(fallback: Int64 = .max) -> Int64 {
        var result: Int64? = nil
        var largest: Int64 = .min
        for state in sources {
            switch state {
            case .waiting: return .min
            case .active(let maximum):
                result = min(result ?? .max, maximum - lateness)
                largest = max(largest, maximum)
            case .released(let maximum): if let maximum { largest = max(largest, maximum) }
            }
        }
        return result ?? max(fallback, largest == .min ? fallback : largest - lateness)
    }
}
