import Foundation

/// A labelled example: `{"text": …, "label": …}` (or `"labels": […]` for multi-label data).
public struct LabeledText: Sendable, Equatable {
    /// The post's text.
    public var text: String
    /// Its labels (one for single-label data).
    public var labels: [String]

    /// Creates an example.
    public init(text: String, labels: [String]) {
        self.text = text
        self.labels = labels
    }

    /// Reads a JSON Lines file of examples.
    /// - Throws: `ModelError` naming the file and line of the first malformed row.
    public static func load(_ path: String) throws(ModelError) -> [LabeledText] {
        var rows: [LabeledText] = []
        try forEachObject(in: path) { (object, text, location) throws(ModelError) in
            if let label = object["label"] as? String {
                rows.append(LabeledText(text: text, labels: [label]))
            } else if let labels = object["labels"] as? [String] {
                rows.append(LabeledText(text: text, labels: labels))
            } else {
                throw ModelError(.format, "\(location): no \"label\" (or \"labels\") field")
            }
        }
        return rows
    }

    /// The examples of several files separated by commas (`a.jsonl,b.jsonl`), in order, the first `limit` of them
    /// when given: the training rows `vox train` reads.
    public static func load(joining files: String, limit: Int?) throws(ModelError) -> [LabeledText] {
        var rows: [LabeledText] = []
        for path in files.split(separator: ",").map(String.init) { rows += try load(path) }
        return limit.map { Array(rows.prefix($0)) } ?? rows
    }

    /// The `text` of every line of a JSON Lines file, labelled or not (unlabelled posts for distillation).
    /// - Throws: `ModelError` when the file cannot be read or a line is not an object with a `text` string.
    public static func texts(_ path: String) throws(ModelError) -> [String] {
        var texts: [String] = []
        try forEachObject(in: path) { (_, text, _) throws(ModelError) in texts.append(text) }
        return texts
    }

    /// Calls `body` with each non-empty line's object, its `text` and its `path:line` for messages.
    private static func forEachObject(
        in path: String, _ body: ([String: Any], String, String) throws(ModelError) -> Void
    ) throws(ModelError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(.io, "cannot read \(path)")
        }
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
                let text = object["text"] as? String
            else { throw ModelError(.format, "\(path):\(number + 1): expected an object with \"text\" and \"label\"") }
            try body(object, text, "\(path):\(number + 1)")
        }
    }
}
