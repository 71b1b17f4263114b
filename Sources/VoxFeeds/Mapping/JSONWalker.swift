/// The recursive descent under `JSONScanner`, over unsafe views of the plan so the hot loop does no
/// reference counting. Lives only for the duration of one `scan`.
struct JSONWalker {
    var reader: JSONReader
    let nodes: UnsafeBufferPointer<JSONFieldPlan.Node>
    let children: UnsafeBufferPointer<Int32>
    let keys: UnsafeBufferPointer<UInt8>
    let values: UnsafeMutableBufferPointer<JSONScanner.Value?>

    private static let maxDepth = 256

    mutating func scanLine() throws(JSONScanner.Failure) {
        reader.skipWhitespace()
        guard reader.position < reader.bytes.count else { throw .invalid(at: 0) }
        let isObject = reader.bytes[reader.position] == UInt8(ascii: "{")
        if isObject {
            try scanObject(node: 0, depth: 0)
        } else {
            _ = try skipValue(depth: 0)
        }
        reader.skipWhitespace()
        guard reader.position == reader.bytes.count else { throw .invalid(at: reader.position) }
        if !isObject { throw .notObject }
    }

    private mutating func scanObject(node: Int, depth: Int) throws(JSONScanner.Failure) {
        guard depth < JSONWalker.maxDepth else { throw .invalid(at: reader.position) }
        if reader.openContainer(closedBy: UInt8(ascii: "}")) { return }
        let childStart = Int(nodes[node].childStart)
        let childEnd = childStart + Int(nodes[node].childCount)
        while true {
            guard reader.peek() == UInt8(ascii: "\"") else { throw .invalid(at: reader.position) }
            let keyStart = reader.position + 1
            _ = try reader.skipString()
            let keyEnd = reader.position - 1
            var matched = -1
            var index = childStart
            while index < childEnd {
                let child = Int(children[index])
                if keyMatches(child, keyStart, keyEnd) {
                    matched = child
                    break
                }
                index += 1
            }
            try reader.skipColon()
            try scanMember(node: matched, depth: depth + 1)
            if try reader.closesContainer(UInt8(ascii: "}")) { return }
        }
    }

    private mutating func scanArray(node: Int, depth: Int) throws(JSONScanner.Failure) {
        guard depth < JSONWalker.maxDepth else { throw .invalid(at: reader.position) }
        if reader.openContainer(closedBy: UInt8(ascii: "]")) { return }
        let childStart = Int(nodes[node].childStart)
        let childEnd = childStart + Int(nodes[node].childCount)
        var element: Int32 = 0
        while true {
            var matched = -1
            for index in childStart..<childEnd where nodes[Int(children[index])].index == element {
                matched = Int(children[index])
                break
            }
            try scanMember(node: matched, depth: depth + 1)
            if try reader.closesContainer(UInt8(ascii: "]")) { return }
            element += 1
        }
    }

    private mutating func scanMember(node: Int, depth: Int) throws(JSONScanner.Failure) {
        guard node >= 0 else {
            _ = try skipValue(depth: depth)
            return
        }
        let start = reader.position
        let hasChildren = nodes[node].childCount > 0
        let value: JSONScanner.Value
        switch reader.peek() {
        case UInt8(ascii: "{") where hasChildren:
            try scanObject(node: node, depth: depth)
            value = JSONScanner.Value(kind: .object, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "[") where hasChildren:
            try scanArray(node: node, depth: depth)
            value = JSONScanner.Value(kind: .array, start: start, end: reader.position, escaped: false)
        default:
            value = try skipValue(depth: depth)
        }
        let slot = Int(nodes[node].slot)
        if slot >= 0 { values[slot] = value }
    }

    /// Validates and skips one value, returning where it was.
    private mutating func skipValue(depth: Int) throws(JSONScanner.Failure) -> JSONScanner.Value {
        guard depth < JSONWalker.maxDepth else { throw .invalid(at: reader.position) }
        let start = reader.position
        guard let byte = reader.peek() else { throw .invalid(at: start) }
        switch byte {
        case UInt8(ascii: "\""):
            let escaped = try reader.skipString()
            return JSONScanner.Value(kind: .string, start: start + 1, end: reader.position - 1, escaped: escaped)
        case UInt8(ascii: "{"):
            if !reader.openContainer(closedBy: UInt8(ascii: "}")) {
                repeat {
                    guard reader.peek() == UInt8(ascii: "\"") else { throw .invalid(at: reader.position) }
                    _ = try reader.skipString()
                    try reader.skipColon()
                    _ = try skipValue(depth: depth + 1)
                } while try !reader.closesContainer(UInt8(ascii: "}"))
            }
            return JSONScanner.Value(kind: .object, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "["):
            if !reader.openContainer(closedBy: UInt8(ascii: "]")) {
                repeat {
                    _ = try skipValue(depth: depth + 1)
                } while try !reader.closesContainer(UInt8(ascii: "]"))
            }
            return JSONScanner.Value(kind: .array, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "t"):
            try reader.expect("true")
            return JSONScanner.Value(kind: .bool, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "f"):
            try reader.expect("false")
            return JSONScanner.Value(kind: .bool, start: start, end: reader.position, escaped: false)
        case UInt8(ascii: "n"):
            try reader.expect("null")
            return JSONScanner.Value(kind: .null, start: start, end: reader.position, escaped: false)
        default:
            try reader.skipNumber()
            return JSONScanner.Value(kind: .number, start: start, end: reader.position, escaped: false)
        }
    }

    private func keyMatches(_ node: Int, _ start: Int, _ end: Int) -> Bool {
        let length = Int(nodes[node].keyLength)
        guard end - start == length else { return false }
        let keyStart = Int(nodes[node].keyStart)
        var offset = 0
        while offset < length {
            if keys[keyStart + offset] != reader.bytes[start + offset] { return false }
            offset += 1
        }
        return true
    }
}
