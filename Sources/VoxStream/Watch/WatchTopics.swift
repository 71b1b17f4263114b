import Foundation
import VoxModel
import Yams

/// The named watch topics of a YAML (or JSON) file, in the file's order:
///
/// ```yaml
/// topics:
///   United: '@united OR "united airlines"'
///   Delta: '(@Delta OR delta) AND NOT "delta variant"'
/// ```
public struct WatchTopics: Sendable {
    /// The topics, in file order.
    public let topics: [(name: String, query: WatchQuery)]

    /// Topics from name–query pairs.
    public init(_ topics: [(name: String, query: WatchQuery)]) { self.topics = topics }

    /// Reads and validates a watch file.
    /// - Throws: `WatchError` naming the file, the topic and the character offset of the problem.
    public static func load(_ path: String) throws(WatchError) -> WatchTopics {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WatchError("cannot read the watch file \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), origin: path)
    }

    /// Parses a watch document.
    public static func parse(_ text: String, origin: String = "watch file") throws(WatchError) -> WatchTopics {
        let root: Node?
        do {
            root = try Yams.compose(yaml: WatchTopics.joiningSurrogatePairs(text))
        } catch {
            throw WatchError("\(origin) is not valid YAML or JSON: \(ErrorText.line(error))")
        }
        guard let mapping = root?.mapping, let topicsNode = mapping["topics"], let topicsMapping = topicsNode.mapping
        else {
            throw WatchError("\(origin) needs a 'topics:' mapping of names to quoted queries")
        }
        var topics: [(String, WatchQuery)] = []
        for (key, value) in topicsMapping {
            guard let name = key.string, !name.isEmpty else {
                throw WatchError("\(origin): a topic name is not a string")
            }
            guard let source = value.string, value.scalar != nil else {
                throw WatchError("watch topic '\(name)' in \(origin): the query must be a quoted string")
            }
            guard !topics.contains(where: { $0.0 == name }) else {
                throw WatchError("\(origin): topic '\(name)' appears twice")
            }
            guard name != WatchTopics.allPosts else {
                throw WatchError("\(origin): '\(name)' names the row of all posts; call the topic something else")
            }
            topics.append((name, try WatchQuery.parse(source, topic: name)))
        }
        return WatchTopics(topics)
    }

    /// A JSON document with its `\uD83D\uDE00`-style surrogate-pair escapes written as YAML's `\U0001F600`
    /// (JSON spells characters beyond the BMP as two escapes, which the YAML parser refuses); other text as it is.
    static func joiningSurrogatePairs(_ text: String) -> String {
        guard text.first(where: { !$0.isWhitespace }) == "{", text.contains("\\u") else { return text }
        let units = Array(text.utf8)
        func hex(_ start: Int) -> UInt32? {
            guard start + 6 <= units.count, units[start] == UInt8(ascii: "\\"), units[start + 1] == UInt8(ascii: "u")
            else { return nil }
            return UInt32(String(decoding: units[(start + 2)..<(start + 6)], as: UTF8.self), radix: 16)
        }
        var output: [UInt8] = []
        output.reserveCapacity(units.count)
        var index = 0
        while index < units.count {
            guard units[index] == UInt8(ascii: "\\"), index + 1 < units.count else {
                output.append(units[index])
                index += 1
                continue
            }
            if let high = hex(index), (0xD800...0xDBFF).contains(high), let low = hex(index + 6),
                (0xDC00...0xDFFF).contains(low)
            {
                let scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                output += Array(("\\U" + String(format: "%08X", scalar)).utf8)
                index += 12
            } else {
                // Any other escape (an escaped backslash included) is copied whole.
                output += [units[index], units[index + 1]]
                index += 2
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The topic of the rows counting every post, which no watch topic may take.
    public static let allPosts = "all"

    /// Checks that no watch topic takes the name of one of the model's topics (rows and alerts would mix them).
    /// - Throws: `WatchError` naming the topic.
    public func checkNames(against taxonomy: [String]) throws(WatchError) {
        if let clash = topics.first(where: { taxonomy.contains($0.name) }) {
            throw WatchError(
                "watch topic '\(clash.name)' has the name of one of the model's topics; call it something else")
        }
    }

    /// The names of the topics `text` matches, in file order.
    public func matches(_ text: String) -> [Int] {
        guard !topics.isEmpty else { return [] }
        let tokens = WatchText(text)
        return topics.indices.filter { topics[$0].query.matches(tokens) }
    }
}
