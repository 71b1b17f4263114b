import Foundation
import Logging
import Synchronization
import VoxFeeds

/// A swift-log handler writing one line per message to standard error: `text` (`vox: message key=value`, as a
/// person reads it) or `json` (one object per line, `{"time","level","label","message",…metadata}`, for journald
/// and log shippers).
struct LineLogHandler: LogHandler {
    /// How lines are written.
    enum Format: String, CaseIterable, Sendable { case text, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    /// Text lines first clear the terminal's status line (`\r` and erase to the end of the line).
    let clearsStatusLine: Bool
    private static let output = Mutex(())

    init(label: String, format: Format, level: Logger.Level, clearsStatusLine: Bool = false) {
        self.label = label
        self.format = format
        logLevel = level
        self.clearsStatusLine = clearsStatusLine
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let line: String
        switch format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            let prefix = event.level >= .warning ? "\(event.level): " : ""
            line = (clearsStatusLine ? "\r\u{1B}[K" : "") + "vox: " + prefix + "\(event.message)" + fields
        case .json:
            let time = Timestamp.format(millis: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
            var members = [
                ("time", JSONText.quote(time)), ("level", JSONText.quote(event.level.rawValue)),
                ("label", JSONText.quote(label)), ("message", JSONText.quote("\(event.message)")),
            ]
            for (key, value) in merged.sorted(by: { $0.key < $1.key })
            where !["time", "level", "label", "message"].contains(key) {
                members.append((key, LineLogHandler.json(value)))
            }
            line = JSONText.object(members)
        }
        LineLogHandler.output.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): JSONText.quote(text)
        case .stringConvertible(let value):
            (value is any BinaryInteger || value is Double) ? "\(value)" : JSONText.quote("\(value)")
        case .array(let items): "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let items):
            JSONText.object(items.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        }
    }
}
