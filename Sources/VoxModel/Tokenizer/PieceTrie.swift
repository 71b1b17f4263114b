/// A byte trie over a Unigram vocabulary's pieces, stored flat (children of a node are one run of edges),
/// built without recursion from the pieces sorted bytewise. Nodes with many children (the root, `▁`, …) also
/// get a 256-entry table. Walking it from a position finds every piece that starts there: the common-prefix
/// search the Viterbi segmentation needs.
final class PieceTrie: @unchecked Sendable {
    // @unchecked: the buffers are written only in init and freed only in deinit.
    /// Per node: the first edge and one past the last, the piece id ending here (or −1), its table (or −1).
    private let edgeStart: UnsafeMutableBufferPointer<Int32>
    private let edgeEnd: UnsafeMutableBufferPointer<Int32>
    private let value: UnsafeMutableBufferPointer<Int32>
    private let table: UnsafeMutableBufferPointer<Int32>
    /// Per edge: its byte and target node.
    private let labels: UnsafeMutableBufferPointer<UInt8>
    private let targets: UnsafeMutableBufferPointer<Int32>
    /// The 256-entry tables, back to back (−1: no child).
    private let dense: UnsafeMutableBufferPointer<Int32>
    private static let denseThreshold = 8

    /// Builds the trie of `pieces` (UTF-8 bytes, with their ids). Empty pieces are ignored; of duplicates the
    /// lowest id wins.
    init(_ pieces: [(bytes: [UInt8], id: Int32)]) {
        let sorted = pieces.filter { !$0.bytes.isEmpty }.sorted {
            $0.bytes.lexicographicallyPrecedes($1.bytes) || ($0.bytes == $1.bytes && $0.id < $1.id)
        }
        var edgeStart: [Int32] = [0]
        var edgeEnd: [Int32] = [0]
        var value: [Int32] = [-1]
        var labels: [UInt8] = []
        var targets: [Int32] = []
        // Breadth first: each queued node covers the sorted pieces sharing its `depth`-byte prefix.
        var queue: [(node: Int, lower: Int, upper: Int, depth: Int)] = [(0, 0, sorted.count, 0)]
        var head = 0
        while head < queue.count {
            var (node, lower, upper, depth) = queue[head]
            head += 1
            while lower < upper && sorted[lower].bytes.count == depth {
                if value[node] < 0 { value[node] = sorted[lower].id }
                lower += 1
            }
            edgeStart[node] = Int32(labels.count)
            var start = lower
            while start < upper {
                let byte = sorted[start].bytes[depth]
                var end = start + 1
                while end < upper && sorted[end].bytes[depth] == byte { end += 1 }
                let child = value.count
                value.append(-1)
                edgeStart.append(0)
                edgeEnd.append(0)
                labels.append(byte)
                targets.append(Int32(child))
                queue.append((child, start, end, depth + 1))
                start = end
            }
            edgeEnd[node] = Int32(labels.count)
        }
        var table = [Int32](repeating: -1, count: value.count)
        var dense: [Int32] = []
        for node in 0..<value.count where edgeEnd[node] - edgeStart[node] > Int32(PieceTrie.denseThreshold) {
            table[node] = Int32(dense.count / 256)
            let base = dense.count
            dense.append(contentsOf: repeatElement(-1, count: 256))
            for edge in Int(edgeStart[node])..<Int(edgeEnd[node]) { dense[base + Int(labels[edge])] = targets[edge] }
        }
        func buffer<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
            _ = buffer.initialize(from: array)
            return buffer
        }
        self.edgeStart = buffer(edgeStart)
        self.edgeEnd = buffer(edgeEnd)
        self.value = buffer(value)
        self.table = buffer(table)
        self.labels = buffer(labels)
        self.targets = buffer(targets)
        self.dense = buffer(dense)
    }

    deinit {
        for pointer in [edgeStart, edgeEnd, value, table, targets, dense] { pointer.deallocate() }
        labels.deallocate()
    }

    /// Number of nodes.
    var nodeCount: Int { value.count }

    /// Calls `found(end, id)` for every piece that is a prefix of `bytes[start...]`, shortest first.
    @inline(__always)
    func prefixes(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ found: (Int, Int32) -> Void) {
        var node = 0
        var position = start
        while position < bytes.count {
            let byte = bytes[position]
            var next = -1
            let dense = Int(table[node])
            if dense >= 0 {
                next = Int(self.dense[dense * 256 + Int(byte)])
            } else {
                var edge = Int(edgeStart[node])
                let end = Int(edgeEnd[node])
                while edge < end {
                    if labels[edge] == byte {
                        next = Int(targets[edge])
                        break
                    }
                    edge += 1
                }
            }
            guard next >= 0 else { return }
            node = next
            position += 1
            if value[node] >= 0 { found(position, value[node]) }
        }
    }
}
