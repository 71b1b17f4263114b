/// The rows an API request asks for, from its query parameters: `from` and `to` (ISO-8601 times; a row is kept
/// when its window starts at or after `from` and before `to`), `topic` (one or more names, comma-separated),
/// `windows` (only the rows of the last N windows, by start) and `limit` (keep only the last N rows).
public struct RowFilter: Sendable, Equatable {
    /// Earliest window start kept, epoch milliseconds.
    public var from: Int64 = .min
    /// Window starts at or after this are left out.
    public var to: Int64 = .max
    /// Topics kept (nil keeps every topic).
    public var topics: Set<String>? = nil
    /// Keep only the rows of the last `windows` window starts.
    public var windows: Int? = nil
    /// Keep only the last `limit` rows.
    public var limit: Int? = nil

    /// Every row.
    public init() {}

    /// The filter a request's query parameters describe.
    /// - Parameter value: The value of a query parameter, nil when absent.
    /// - Throws: `ServeError` naming the parameter when a value is malformed.
    public init(query value: (String) -> String?) throws {
        if let text = value("from") {
            guard let millis = RunOutputs.millis(text) else { throw Self.bad("from", text) }
            from = millis
        }
        if let text = value("to") {
            guard let millis = RunOutputs.millis(text) else { throw Self.bad("to", text) }
            to = millis
        }
        if let text = value("topic"), !text.isEmpty {
            topics = Set(text.split(separator: ",").map(String.init))
        }
        if let text = value("windows") {
            guard let count = Int(text), count >= 0 else {
                throw ServeError("windows must be a whole number of windows, not \"\(text)\"")
            }
            windows = count
        }
        if let text = value("limit") {
            guard let count = Int(text), count >= 0 else {
                throw ServeError("limit must be a whole number of rows, not \"\(text)\"")
            }
            limit = count
        }
        guard from <= to else { throw ServeError("from must not be later than to") }
    }

    /// The rows this filter keeps, in their order.
    public func apply(_ rows: [RunOutputs.Row]) -> [RunOutputs.Row] {
        var kept = rows.filter { row in
            row.start >= from && row.start < to && (topics?.contains(row.topic) ?? true)
        }
        if let windows {
            // Windows close in start order, but a resumed run may write one again: count distinct starts.
            let starts = Set(kept.map(\.start)).sorted().suffix(windows)
            let first = starts.first ?? .max
            kept = kept.filter { $0.start >= first }
        }
        guard let limit, kept.count > limit else { return kept }
        return Array(kept.suffix(limit))
    }

    private static func bad(_ name: String, _ text: String) -> ServeError {
        ServeError("\(name) must be an ISO-8601 time such as 2024-05-01T12:00:00Z, not \"\(text)\"")
    }
}
