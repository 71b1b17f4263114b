import Foundation
import VoxFeeds

/// A run's output folder as the dashboard server sees it: the rows of `windows.jsonl`, `alerts.jsonl` and
/// `examples.jsonl`, and `run.json`, read again whenever ``refresh()`` is called (the server does so twice a
/// second), so a folder that a running job is writing is followed as it grows.
///
/// Every window row and alert that appears after the server started becomes an ``Event`` with a sequence number;
/// `/events` streams them, and a client that reconnects with `Last-Event-ID` gets the ones it missed.
public actor RunOutputs {
    /// One row of a JSON Lines output, with the fields the API filters on.
    public struct Row: Sendable {
        /// The window's start and end, milliseconds since the epoch.
        public var start: Int64
        public var end: Int64
        /// The row's topic.
        public var topic: String
        /// The row exactly as the run wrote it.
        public var json: String
    }

    /// A newly written window row or alert.
    public struct Event: Sendable {
        /// Its sequence number (the SSE `id`).
        public var id: Int
        /// `window` or `alert` (the SSE `event`).
        public var kind: String
        /// The row as the run wrote it (the SSE `data`).
        public var json: String
    }

    /// The folder followed.
    public nonisolated let directory: String
    private var windowsTail: JSONLinesTail
    private var alertsTail: JSONLinesTail
    private var examplesTail: JSONLinesTail
    private(set) var windowRows: [Row] = []
    private(set) var alertRows: [Row] = []
    private(set) var exampleRows: [Row] = []
    private var events: [Event] = []
    private var nextEvent = 1
    private var primed = false
    /// Lines that are not rows of a run's output (skipped and counted, never fatal).
    public private(set) var malformedLines = 0
    /// `run.json`'s text, when there is one.
    public private(set) var runJSON: Data? = nil

    /// Follows the outputs in `directory`.
    public init(directory: String) {
        self.directory = directory
        windowsTail = JSONLinesTail(path: directory + "/windows.jsonl")
        alertsTail = JSONLinesTail(path: directory + "/alerts.jsonl")
        examplesTail = JSONLinesTail(path: directory + "/examples.jsonl")
    }

    /// Reads what the run wrote since the last call. Rows already there at the first call are history, not events.
    /// - Throws: `ServeError` when a file exists but cannot be read.
    public func refresh() throws {
        let windows = try windowsTail.readNew()
        let alerts = try alertsTail.readNew()
        let examples = try examplesTail.readNew()
        if windows.reset { windowRows = [] }
        if alerts.reset { alertRows = [] }
        if examples.reset { exampleRows = [] }
        let newWindows = rows(windows.lines)
        let newAlerts = rows(alerts.lines)
        windowRows += newWindows
        alertRows += newAlerts
        exampleRows += rows(examples.lines)
        // A file cut back (a resumed run does that) is read again from its start: those rows were seen before.
        if primed && !windows.reset { for row in newWindows { append(kind: "window", row.json) } }
        if primed && !alerts.reset { for row in newAlerts { append(kind: "alert", row.json) } }
        primed = true
        runJSON = FileManager.default.contents(atPath: directory + "/run.json")
    }

    /// Window rows whose window starts in `filter`'s range and whose topic it names.
    public func windows(_ filter: RowFilter) -> [Row] { filter.apply(windowRows) }

    /// Alerts whose window starts in `filter`'s range and whose topic it names.
    public func alerts(_ filter: RowFilter) -> [Row] { filter.apply(alertRows) }

    /// Example rows whose window starts in `filter`'s range and whose topic it names.
    public func examples(_ filter: RowFilter) -> [Row] { filter.apply(exampleRows) }

    /// Events after `id`, oldest first.
    public func events(after id: Int) -> [Event] {
        guard let first = events.first, id >= first.id else { return events }
        let index = id - first.id + 1
        return index < events.count ? Array(events[index...]) : []
    }

    /// Window rows and alerts held, the newest event's id, and lines that were not rows.
    public func health() -> (windows: Int, alerts: Int, lastEvent: Int, malformed: Int) {
        (windowRows.count, alertRows.count, lastEventID, malformedLines)
    }

    /// The newest event's id (0 when there is none yet).
    public var lastEventID: Int { nextEvent - 1 }

    private func append(kind: String, _ json: String) {
        events.append(Event(id: nextEvent, kind: kind, json: json))
        nextEvent += 1
        // Keep a bounded history for clients that reconnect; older events are still in the rows.
        if events.count > 100_000 { events.removeFirst(events.count - 100_000) }
    }

    private func rows(_ lines: [String]) -> [Row] {
        let decoder = JSONDecoder()
        return lines.compactMap { line in
            guard let keys = try? decoder.decode(RowKeys.self, from: Data(line.utf8)),
                let start = Self.millis(keys.windowStart), let end = Self.millis(keys.windowEnd)
            else {
                malformedLines += 1
                return nil
            }
            return Row(start: start, end: end, topic: keys.topic, json: line)
        }
    }

    /// Parses an ISO-8601 time (as the outputs and the query parameters write them) to epoch milliseconds.
    public static func millis(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { Timestamp.parseISO8601($0) }
    }

    private struct RowKeys: Decodable {
        var windowStart: String
        var windowEnd: String
        var topic: String

        enum CodingKeys: String, CodingKey {
            case topic
            case windowStart = "window_start"
            case windowEnd = "window_end"
        }
    }
}
