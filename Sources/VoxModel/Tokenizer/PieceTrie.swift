/// A byte trie over a Unigram vocabulary's pieces, stored flat (children of a node are one sorted run of
/// edges), built without recursion from the pieces sorted bytewise. Walking it from a position finds every
/// piece that starts there: the common-prefix search the Viterbi segmentation needs.
struct PieceTrie: Sendable {
    /// Per node: the first edge and one past the last.
    private var edgeStart: [Int32] = [0]
    private var edgeEnd: [Int32] = [0]
    /// Per node: the piece id ending here, or −1.
    private var value: [Int32] = [-1]
    /// Per edge: its byte and target node.
    private var labels: [UInt8] = []
    private var targets: [Int32] = []

    /// Builds the trie of `pieces` (UTF-8 bytes, with their ids). Empty pieces are ignored; of duplicates the
    /// lowest id wins.
    init(_ pieces: [(bytes: [UInt8], id: Int32)]) {
        let sorted = pieces.filter { !$0.bytes.isEmpty }.sorted {
            $0.bytes.lexicographicallyPrecedes($1.bytes) || ($0.bytes == $1.bytes && $0.id < $1.id)
        }
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
    }

    /// Number of nodes.
    var nodeCount: Int { value.count }

    /// Calls `found(end, id)` for every piece that is a prefix of `bytes[start...]`, shortest first.
    func prefixes(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ found: (Int, Int32) -> Void) {
        var node = 0
        var position = start
        while position < bytes.count {
            guard let next = child(of: node, byte: bytes[position]) else { return }
            node = next
            position += 1
            if value[node] >= 0 { found(position, value[node]) }
        }
    }

    private func child(of node: Int, byte: UInt8) -> Int? {
        var low = Int(edgeStart[node])
        var high = Int(edgeEnd[node])
        while low < high {
            let middle = (low + high) / 2
            let label = labels[middle]
            if label == byte { return Int(targets[middle]) }
            if label < byte { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}
