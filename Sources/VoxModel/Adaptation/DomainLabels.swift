import Foundation

/// One post a person labelled: from `vox label sample` + `vox label annotate`, or any JSON Lines file with
/// `text` and `label` (optional `id`, and `weight`, the inverse of the post's chance of being sampled).
public struct DomainLabel: Sendable, Equatable {
    /// The post's id, when the file has one.
    public var id: String?
    /// The post's text.
    public var text: String
    /// The class index in the head's labels.
    public var label: Int
    /// The sampling weight (1 for a simple random sample).
    public var weight: Double
    /// The 1-based line it came from (for messages).
    public var line: Int
}

/// Reads and validates labelled files.
public enum DomainLabels {
    /// Reads labels for a head with `labels`.
    ///
    /// Lines marked `"skipped": true` (by the annotator) are left out; a line without a label is an error unless
    /// `partial`, in which case it is left out too (a file labelled half way). Labels match case-insensitively.
    /// - Returns: The labelled rows and how many lines were left out.
    /// - Throws: `ModelError` naming the line: not JSON, no text, no label, a label outside `labels`, a bad weight,
    ///   or a post that appears twice (same id, or same text without ids).
    public static func load(
        _ path: String, labels: [String], partial: Bool = false
    ) throws(ModelError) -> (rows: [DomainLabel], leftOut: Int) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(.io, "cannot read the labels file \(path)")
        }
        let known = Dictionary(
            labels.enumerated().map { ($1.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [DomainLabel] = []
        var leftOut = 0
        var seen: [String: Int] = [:]
        for (index, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let number = index + 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw ModelError(.format, "\(path):\(number): not a JSON object")
            }
            guard let text = object["text"] as? String else {
                throw ModelError(.format, "\(path):\(number): no \"text\" field")
            }
            if object["skipped"] as? Bool == true {
                leftOut += 1
                continue
            }
            guard let value = object["label"], !(value is NSNull) else {
                if partial {
                    leftOut += 1
                    continue
                }
                throw ModelError(
                    .format,
                    "\(path):\(number): no \"label\" field (label it with vox label annotate \(path), or pass --partial "
                        + "to use only the labelled lines)")
            }
            guard let name = value as? String, let label = known[name.lowercased()] else {
                throw ModelError(
                    .format,
                    "\(path):\(number): label \(value) is not one of \(labels.joined(separator: ", "))")
            }
            var weight = 1.0
            if let given = object["weight"] {
                guard let value = given as? Double, value.isFinite, value > 0 else {
                    throw ModelError(.format, "\(path):\(number): \"weight\" must be a positive number")
                }
                weight = value
            }
            let id = (object["id"] as? String) ?? (object["id"] as? Int).map(String.init)
            let key = id.map { "id:" + $0 } ?? "text:" + text
            if let first = seen[key] {
                throw ModelError(
                    .format,
                    "\(path):\(number): the same post as line \(first) (\(id.map { "id \($0)" } ?? "same text")); "
                        + "label each post once")
            }
            seen[key] = number
            rows.append(DomainLabel(id: id, text: text, label: label, weight: weight, line: number))
        }
        guard !rows.isEmpty else {
            throw ModelError(.format, "\(path) has no labelled posts")
        }
        return (rows, leftOut)
    }
}
