import Foundation

/// A labelling file in memory: its JSON objects, written back whole and atomically after every change.
struct LabelFile {
    private var objects: [[String: Any]]
    private let path: String

    /// Reads `path`.
    /// - Throws: `CLIError` naming the line that is not a JSON object with a "text".
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        self.path = path
        objects = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
                object["text"] is String
            else { throw CLIError("\(path):\(index + 1): not a JSON object with a \"text\" field") }
            objects.append(object)
        }
        guard !objects.isEmpty else { throw CLIError("\(path) holds no posts") }
    }

    var count: Int { objects.count }

    func text(_ index: Int) -> String { objects[index]["text"] as? String ?? "" }
    func suggested(_ index: Int) -> String? { objects[index]["suggested"] as? String }

    private func isOpen(_ index: Int) -> Bool {
        (objects[index]["label"] == nil || objects[index]["label"] is NSNull)
            && objects[index]["skipped"] as? Bool != true
    }

    /// The first post without an answer after `index` (−1: from the top).
    func firstOpen(after index: Int) -> Int? { objects.indices.first { $0 > index && isOpen($0) } }

    /// Labelled, skipped and open posts.
    var counts: (labelled: Int, skipped: Int, open: Int) {
        let skipped = objects.filter { $0["skipped"] as? Bool == true }.count
        let open = objects.indices.filter(isOpen).count
        return (objects.count - skipped - open, skipped, open)
    }

    /// Records an answer (or clears it) and saves the file.
    mutating func set(_ index: Int, label: String?, skipped: Bool) throws {
        objects[index]["label"] = label
        objects[index]["skipped"] = skipped ? true : nil
        var text = ""
        for object in objects {
            let data = try JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
