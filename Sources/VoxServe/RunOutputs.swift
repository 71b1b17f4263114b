import Foundation
import VoxFeeds

/// A run's output folder as the dashboard server sees it: the rows of `windows.jsonl`, `alerts.jsonl`,
/// `examples.jsonl` and `terms.jsonl`, and `run.json`, read again whenever ``refresh()`` is called (the server does so twice a
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

    /// The JSON Lines outputs followed, each served at `/api/<rawValue>`.
    public enum File: String, CaseIterable, Sendable {
        case windows, alerts, examples, terms

        /// The SSE event of each new row (examples and emerging terms are served, not streamed).
        var event: String? {
            switch self {
            case .windows: "window"
            case .alerts: "alert"
            case .examples, .terms: nil
            }
        }
    }

    /// One followed file and the rows read from it so far.
    private struct Followed {
        var tail: JSONLinesTail
        var rows: [Row] = []
    }

    /// The folder followed.
    public nonisolated let directory: String
    private var followed: [File: Followed]
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
        followed = Dictionary(
            uniqueKeysWithValues: File.allCases.map {
                ($0, Followed(tail: JSONLinesTail(path: directory + "/\($0.rawValue).jsonl")))
            })
    }

    /// Reads what the run wrote since the last call. Rows already there at the first call are history, not events;
    /// so are the rows of a file cut back (a resumed run does that), which is read again from its start.
    /// - Throws: `ServeError` when a file exists but cannot be read.
    public func refresh() throws {
        for file in File.allCases {
            guard var entry = followed[file] else { continue }
            let update = try entry.tail.readNew()
            if update.reset { entry.rows = [] }
            let new = rows(update.lines)
            entry.rows += new
            followed[file] = entry
            if primed && !update.reset, let kind = file.event {
                for row in new { append(kind: kind, row.json) }
            }
        }
        primed = true
        runJSON = FileManager.default.contents(atPath: directory + "/run.json")
    }

    /// The rows of `file` whose window starts in `filter`'s range and whose topic it names, and the newest event's
    /// id at that moment: both in one step, so a client that follows `/events` from that id misses no row.
    public func rows(_ file: File, _ filter: RowFilter) -> (rows: [Row], lastEvent: Int) {
        (filter.apply(followed[file]?.rows ?? []), lastEventID)
    }

    /// Events after `id`, oldest first.
    public func events(after id: Int) -> [Event] {
        guard let first = events.first, id >= first.id else { return events }
        let index = id - first.id + 1
        return index < events.count ? Array(events[index...]) : []
    }

    /// Window rows and alerts held, the newest event's id, and lines that were not rows.
    public func health() -> (windows: Int, alerts: Int, lastEvent: Int, malformed: Int) {
        (followed[.windows]?.rows.count ?? 0, followed[.alerts]?.rows.count ?? 0, lastEventID, malformedLines)
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
