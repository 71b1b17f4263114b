/// A compiled set of JSON field paths (such as `data.text` or `commit.record.langs.0`) that
/// `JSONScanner` captures in one pass over a line.
///
/// Paths are dot-separated keys; an all-digit component indexes into an array.
public struct JSONFieldPlan: Sendable {
    struct Node: Sendable {
        var key: [UInt8]
        var index: Int?
        var slot: Int?
        var children: [Int] = []
    }

    private(set) var nodes: [Node] = [Node(key: [], index: nil, slot: nil)]
    /// The paths, in slot order.
    public private(set) var paths: [String] = []

    /// Creates an empty plan.
    public init() {}

    /// Adds `path` (if new) and returns its slot.
    /// - Parameter path: A dot-separated path such as `data.author_id`.
    /// - Returns: The slot index under which `JSONScanner` reports the value.
    @discardableResult
    public mutating func slot(for path: String) -> Int {
        if let existing = paths.firstIndex(of: path) { return existing }
        var node = 0
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            let key = Array(component.utf8)
            let index = component.allSatisfy(\.isASCIIDigit) && !component.isEmpty ? Int(component) : nil
            if let child = nodes[node].children.first(where: { nodes[$0].key == key }) {
                node = child
            } else {
                nodes.append(Node(key: key, index: index, slot: nil))
                nodes[node].children.append(nodes.count - 1)
                node = nodes.count - 1
            }
        }
        let slot = paths.count
        nodes[node].slot = slot
        paths.append(path)
        return slot
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
