/// A compiled set of JSON field paths (such as `data.text` or `commit.record.langs.0`) that
/// `JSONScanner` captures in one pass over a line.
///
/// Paths are dot-separated keys; an all-digit component also indexes into an array. The trie is
/// stored flat (keys back to back, children as index ranges) so the scanner walks it without
/// reference counting.
public struct JSONFieldPlan: Sendable {
    /// One trie node, in the flat form the scanner walks.
    struct Node: Sendable {
        var keyStart: Int32
        var keyLength: Int32
        /// The array index this component also matches, or -1.
        var index: Int32
        /// The slot captured at this node, or -1.
        var slot: Int32
        var childStart: Int32
        var childCount: Int32
    }

    private struct Building {
        var key: [UInt8]
        var index: Int?
        var slot: Int?
        var children: [Int] = []
    }

    private var building: [Building] = [Building(key: [], index: nil, slot: nil)]
    /// The paths, in slot order.
    public private(set) var paths: [String] = []
    private(set) var nodes: [Node] = []
    private(set) var children: [Int32] = []
    private(set) var keys: [UInt8] = []

    /// Creates an empty plan.
    public init() { flatten() }

    /// Adds `path` (if new) and returns its slot.
    /// - Parameter path: A dot-separated path such as `data.author_id`.
    /// - Returns: The slot index under which `JSONScanner` reports the value.
    @discardableResult
    public mutating func slot(for path: String) -> Int {
        if let existing = paths.firstIndex(of: path) { return existing }
        var node = 0
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            let key = Array(component.utf8)
            let isIndex = !component.isEmpty && component.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            if let child = building[node].children.first(where: { building[$0].key == key }) {
                node = child
            } else {
                building.append(Building(key: key, index: isIndex ? Int(component) : nil, slot: nil))
                building[node].children.append(building.count - 1)
                node = building.count - 1
            }
        }
        let slot = paths.count
        building[node].slot = slot
        paths.append(path)
        flatten()
        return slot
    }

    private mutating func flatten() {
        nodes = []
        children = []
        keys = []
        for node in building {
            nodes.append(
                Node(
                    keyStart: Int32(keys.count), keyLength: Int32(node.key.count), index: Int32(node.index ?? -1),
                    slot: Int32(node.slot ?? -1), childStart: Int32(children.count),
                    childCount: Int32(node.children.count)))
            keys += node.key
            children += node.children.map(Int32.init)
        }
    }
}
