/// A validating single-pass JSON scanner that captures only the values a `JSONFieldPlan` asks for.
///
/// It checks the whole line against RFC 8259 (so malformed lines become `invalid_json`), but builds
/// no document tree: wanted values are recorded as byte ranges and decoded on demand. This is what
/// lets ingest run at inflate speed instead of `JSONDecoder` speed.
public struct JSONScanner {
    /// The JSON type of a captured value.
    public enum Kind: UInt8, Sendable {
        case string, number, bool, null, object, array
    }

    /// A captured value: its type and where its bytes are in the line.
    public struct Value: Sendable, Equatable {
        /// The value's JSON type.
        public var kind: Kind
        /// Start of the value (for strings: just after the opening quote).
        public var start: Int
        /// End of the value (for strings: the closing quote).
        public var end: Int
        /// Whether a string contains escapes that need decoding.
        public var escaped: Bool
    }

    /// Why a line is not usable JSON.
    public enum Failure: Error, Sendable, Equatable {
        /// Not valid JSON; the byte offset of the problem.
        case invalid(at: Int)
        /// Valid JSON whose top-level value is not an object.
        case notObject
    }

    private let plan: JSONFieldPlan
    /// Captured values by slot; `nil` where the path was absent. Valid after `scan`.
    public private(set) var values: [Value?]
    private static let maxDepth = 256

    /// Creates a scanner for `plan`.
    public init(plan: JSONFieldPlan) {
        self.plan = plan
        self.values = Array(repeating: nil, count: plan.paths.count)
    }

    /// Scans one line.
    /// - Parameter line: The line's bytes (valid UTF-8 is assumed to have been checked).
    /// - Throws: `Failure` when the line is not JSON or not a JSON object.
    public mutating func scan(_ line: UnsafeBufferPointer<UInt8>) throws(Failure) {
        for index in values.indices { values[index] = nil }
        var reader = JSONReader(bytes: line, position: 0)
        reader.skipWhitespace()
        guard reader.position < line.count else { throw .invalid(at: 0) }
        let isObject = line[reader.position] == UInt8(ascii: "{")
        if isObject {
            try scanObject(&reader, node: 0, depth: 0)
        } else {
            _ = try skipValue(&reader, depth: 0)
        }
        reader.skipWhitespace()
        guard reader.position == line.count else { throw .invalid(at: reader.position) }
        if !isObject { throw .notObject }
    }

    private mutating func scanObject(_ reader: inout JSONReader, node: Int, depth: Int) throws(Failure) {
        guard depth < JSONScanner.maxDepth else { throw .invalid(at: reader.position) }
        reader.position += 1  // {
        reader.skipWhitespace()
        if reader.peek() == UInt8(ascii: "}") {
            reader.position += 1
            return
        }
        let children = plan.nodes[node].children
        while true {
            guard reader.peek() == UInt8(ascii: "\"") else { throw .invalid(at: reader.position) }
            let keyStart = reader.position + 1
            _ = try reader.skipString()
            let keyEnd = reader.position - 1
            var matched: Int? = nil
            if !children.isEmpty {
                for child in children where keyMatches(plan.nodes[child].key, reader.bytes, keyStart, keyEnd) {
                    matched = child
                    break
                }
            }
            reader.skipWhitespace()
            guard reader.peek() == UInt8(ascii: ":") else { throw .invalid(at: reader.position) }
            reader.position += 1
            reader.skipWhitespace()
            try scanMember(&reader, node: matched, depth: depth + 1)
            reader.skipWhitespace()
            switch reader.peek() {
            case UInt8(ascii: ","):
                reader.position += 1
                reader.skipWhitespace()
            case UInt8(ascii: "}"):
                reader.position += 1
                return
            default:
                throw .invalid(at: reader.position)
            }
        }
    }

    private mutating func scanArray(_ reader: inout JSONReader, node: Int, depth: Int) throws(Failure) {
        guard depth < JSONScanner.maxDepth else { throw .invalid(at: reader.position) }
        reader.position += 1  // [
        reader.skipWhitespace()
        if reader.peek() == UInt8(ascii: "]") {
            reader.position += 1
            return
        }
        let children = plan.nodes[node].children
        var index = 0
        while true {
            let matched = children.first { plan.nodes[$0].index == index }
            try scanMember(&reader, node: matched, depth: depth + 1)
            reader.skipWhitespace()
            switch reader.peek() {
            case UInt8(ascii: ","):
                reader.position += 1
                reader.skipWhitespace()
                index += 1
            case UInt8(ascii: "]"):
                reader.position += 1
                return
            default:
                throw .invalid(at: reader.position)
            }
        }
    }

    private mutating func scanMember(_ reader: inout JSONReader, node: Int?, depth: Int) throws(Failure) {
        guard let node else {
            _ = try skipValue(&reader, depth: depth)
            return
        }
        let start = reader.position
        let hasChildren = !plan.nodes[node].children.isEmpty
        var value: Value
        switch reader.peek() {
        case UInt8(ascii: "{") where hasChildren:
            try scanObject(&reader, node: node, depth: depth)
            value = Value(kind: .object, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "[") where hasChildren:
            try scanArray(&reader, node: node, depth: depth)
            value = Value(kind: .array, start: start, end: reader.position, escaped: false)
        default:
            value = try skipValue(&reader, depth: depth)
        }
        if let slot = plan.nodes[node].slot { values[slot] = value }
    }

    /// Validates and skips one value, returning where it was.
    private func skipValue(_ reader: inout JSONReader, depth: Int) throws(Failure) -> Value {
        guard depth < JSONScanner.maxDepth else { throw .invalid(at: reader.position) }
        let start = reader.position
        guard let byte = reader.peek() else { throw .invalid(at: start) }
        switch byte {
        case UInt8(ascii: "\""):
            let escaped = try reader.skipString()
            return Value(kind: .string, start: start + 1, end: reader.position - 1, escaped: escaped)
        case UInt8(ascii: "{"):
            reader.position += 1
            reader.skipWhitespace()
            if reader.peek() == UInt8(ascii: "}") {
                reader.position += 1
            } else {
                while true {
                    guard reader.peek() == UInt8(ascii: "\"") else { throw .invalid(at: reader.position) }
                    _ = try reader.skipString()
                    reader.skipWhitespace()
                    guard reader.peek() == UInt8(ascii: ":") else { throw .invalid(at: reader.position) }
                    reader.position += 1
                    reader.skipWhitespace()
                    _ = try skipValue(&reader, depth: depth + 1)
                    reader.skipWhitespace()
                    if reader.peek() == UInt8(ascii: ",") {
                        reader.position += 1
                        reader.skipWhitespace()
                    } else if reader.peek() == UInt8(ascii: "}") {
                        reader.position += 1
                        break
                    } else {
                        throw .invalid(at: reader.position)
                    }
                }
            }
            return Value(kind: .object, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "["):
            reader.position += 1
            reader.skipWhitespace()
            if reader.peek() == UInt8(ascii: "]") {
                reader.position += 1
            } else {
                while true {
                    _ = try skipValue(&reader, depth: depth + 1)
                    reader.skipWhitespace()
                    if reader.peek() == UInt8(ascii: ",") {
                        reader.position += 1
                        reader.skipWhitespace()
                    } else if reader.peek() == UInt8(ascii: "]") {
                        reader.position += 1
                        break
                    } else {
                        throw .invalid(at: reader.position)
                    }
                }
            }
            return Value(kind: .array, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "t"):
            try reader.expect("true")
            return Value(kind: .bool, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "f"):
            try reader.expect("false")
            return Value(kind: .bool, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "n"):
            try reader.expect("null")
            return Value(kind: .null, start: start, end: reader.position, escaped: false)
        default:
            try reader.skipNumber()
            return Value(kind: .number, start: start, end: reader.position, escaped: false)
        }
    }

    private func keyMatches(_ key: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end - start == key.count else { return false }
        var index = 0
        while index < key.count {
            if key[index] != bytes[start + index] { return false }
            index += 1
        }
        return true
    }
}
