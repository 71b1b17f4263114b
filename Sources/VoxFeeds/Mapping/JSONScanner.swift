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

    /// Creates a scanner for `plan`.
    public init(plan: JSONFieldPlan) {
        self.plan = plan
        self.values = Array(repeating: nil, count: plan.paths.count)
    }

    /// Scans one line.
    /// - Parameter line: The line's bytes (valid UTF-8 is assumed to have been checked).
    /// - Throws: `Failure` when the line is not JSON or not a JSON object.
    public mutating func scan(_ line: UnsafeBufferPointer<UInt8>) throws(Failure) {
        let plan = self.plan
        var failure: Failure? = nil
        values.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = nil }
            plan.nodes.withUnsafeBufferPointer { nodes in
                plan.children.withUnsafeBufferPointer { children in
                    plan.keys.withUnsafeBufferPointer { keys in
                        var walker = JSONWalker(
                            reader: JSONReader(bytes: line, position: 0), nodes: nodes, children: children, keys: keys,
                            values: values)
                        do throws(JSONScanner.Failure) {
                            try walker.scanLine()
                        } catch {
                            failure = error
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
    }
}
