/// A WordPiece vocabulary with allocation-free lookups of byte ranges (optionally behind the `##`
/// continuation prefix), as the tokenizer's inner loop needs.
struct Vocabulary: Sendable {
    private var keys: [UInt8] = []
    private var keyStarts: [Int32] = []
    private var keyLengths: [Int32] = []
    private var ids: [Int32] = []
    private var table: [Int32]
    private let mask: Int
    private let prefix: [UInt8]

    /// Number of tokens.
    let count: Int

    /// Builds the table.
    /// - Parameters:
    ///   - tokens: Token text → id.
    ///   - continuationPrefix: The prefix of word-continuing pieces (`##`).
    init(tokens: [String: Int], continuationPrefix: String) {
        var size = 1
        while size < tokens.count * 3 { size <<= 1 }
        table = Array(repeating: -1, count: size)
        mask = size - 1
        prefix = Array(continuationPrefix.utf8)
        count = tokens.count
        for (token, id) in tokens.sorted(by: { $0.value < $1.value }) {
            let bytes = Array(token.utf8)
            let entry = Int32(ids.count)
            keyStarts.append(Int32(keys.count))
            keyLengths.append(Int32(bytes.count))
            keys += bytes
            ids.append(Int32(id))
            var slot = Vocabulary.hash(bytes[...], seed: Vocabulary.seed) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = entry
        }
    }

    private static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    private static func hash(_ bytes: ArraySlice<UInt8>, seed: UInt64) -> Int {
        var hash = seed
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    /// The id of `bytes[range]` (with the continuation prefix in front when `continuing`), or nil.
    func id(_ bytes: [UInt8], _ range: Range<Int>, continuing: Bool) -> Int32? {
        var hash = Vocabulary.seed
        if continuing {
            for byte in prefix { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        for index in range { hash = (hash ^ UInt64(bytes[index])) &* 0x100_0000_01b3 }
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        let length = range.count + (continuing ? prefix.count : 0)
        while true {
            let entry = table[slot]
            if entry < 0 { return nil }
            if Int(keyLengths[Int(entry)]) == length && matches(Int(entry), bytes, range, continuing: continuing) {
                return ids[Int(entry)]
            }
            slot = (slot + 1) & mask
        }
    }

    /// The id of a whole token, or nil.
    func id(of token: String) -> Int32? {
        let bytes = Array(token.utf8)
        return id(bytes, 0..<bytes.count, continuing: false)
    }

    private func matches(_ entry: Int, _ bytes: [UInt8], _ range: Range<Int>, continuing: Bool) -> Bool {
        var position = Int(keyStarts[entry])
        if continuing {
            for byte in prefix {
                if keys[position] != byte { return false }
                position += 1
            }
        }
        for index in range {
            if keys[position] != bytes[index] { return false }
            position += 1
        }
        return true
    }
}
