import Foundation

/// Texts read from standard input in batches: JSON Lines with a `text` field, or plain lines.
enum StandardInputTexts {
    /// Calls `body` with each batch of up to `size` texts, then with the last partial batch; each batch's output
    /// is written to standard output in input order.
    static func forEachBatch(size: Int, _ body: ([String]) async -> String) async {
        await forEachPostBatch(size: size) { posts in await body(posts.map(\.text)) }
    }

    /// Like ``forEachBatch(size:_:)``, with each line's `lang` field too (nil for plain lines and lines without one).
    static func forEachPostBatch(size: Int, _ body: ([(text: String, lang: String?)]) async -> String) async {
        var posts: [(text: String, lang: String?)] = []
        func flush() async {
            FileHandle.standardOutput.write(Data(await body(posts).utf8))
            posts.removeAll(keepingCapacity: true)
        }
        while let line = readLine(strippingNewline: true) {
            posts.append(post(of: line))
            if posts.count >= size { await flush() }
        }
        if !posts.isEmpty { await flush() }
    }

    /// The `text` and `lang` fields of a JSON object line, or the line itself.
    static func post(of line: String) -> (text: String, lang: String?) {
        guard line.first == "{",
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let text = object["text"] as? String
        else { return (line, nil) }
        return (text, object["lang"] as? String)
    }
}
