import Foundation

/// SentencePiece's `Precompiled` normaliser (the `precompiled_charsmap` of a `tokenizer.json`): a darts-clone
/// double-array trie from UTF-8 sequences to offsets of NUL-terminated replacement strings (NFKC plus
/// SentencePiece's own rules), applied as Hugging Face `tokenizers` applies it: per grapheme cluster of fewer
/// than 6 bytes, the replacement of the shortest prefix the trie knows; otherwise per scalar, the scalar's
/// replacement or the scalar itself.
struct PrecompiledCharsmap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]
    /// The replacement of each ASCII byte, or nil where it stays (the fast path for ASCII text).
    private var ascii: [[UInt8]?] = []

    /// Parses the charsmap's bytes: a u32 trie size in bytes, the trie's 32-bit units, the replacement strings.
    /// - Throws: `ModelError` when the blob is truncated or its trie points outside itself.
    init(_ blob: [UInt8]) throws(ModelError) {
        guard blob.count >= 4 else { throw ModelError(.format, "the precompiled charsmap is empty") }
        let trieBytes = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        guard trieBytes % 4 == 0, trieBytes >= 4, trieBytes <= blob.count - 4 else {
            throw ModelError(
                .format, "the precompiled charsmap's trie size \(trieBytes) does not fit its \(blob.count) bytes")
        }
        units = stride(from: 4, to: 4 + trieBytes, by: 4).map { at in
            UInt32(blob[at]) | UInt32(blob[at + 1]) << 8 | UInt32(blob[at + 2]) << 16 | UInt32(blob[at + 3]) << 24
        }
        replacements = Array(blob[(4 + trieBytes)...])
        ascii = (0..<128).map { byte in replacement(of: [UInt8(byte)]) }
    }

    /// The offset of the replacement of the shortest prefix of `key` the trie holds (darts-clone's
    /// common-prefix search, first result), or nil.
    private func firstPrefixValue(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & (1 << 9)) >> 6)) }
        guard !units.isEmpty else { return nil }
        var node = offset(units[0])
        for byte in key {
            guard byte != 0 else { return nil }
            node ^= Int(byte)
            guard node >= 0 && node < units.count else { return nil }
            let unit = units[node]
            guard unit & ((1 << 31) | 0xFF) == UInt32(byte) else { return nil }
            node ^= offset(unit)
            guard node >= 0 && node < units.count else { return nil }
            if (unit >> 8) & 1 == 1 { return Int(units[node] & ((1 << 31) - 1)) }
        }
        return nil
    }

    /// The replacement for `key` (the shortest known prefix's), or nil when the trie knows no prefix of it.
    private func replacement(of key: [UInt8]) -> [UInt8]? {
        guard let start = key.withUnsafeBufferPointer({ firstPrefixValue($0) }), start < replacements.count else {
            return nil
        }
        var end = start
        while end < replacements.count && replacements[end] != 0 { end += 1 }
        return Array(replacements[start..<end])
    }

    /// `text` normalised, as UTF-8 bytes.
    func normalize(_ text: Substring) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            // ASCII: every byte is its own grapheme, except CR LF, which is one.
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A {
                    appendGrapheme([0x0D, 0x0A], to: &out)
                    index += 2
                    continue
                }
                if let mapped = ascii[Int(bytes[index])] { out += mapped } else { out.append(bytes[index]) }
                index += 1
            }
            return out
        }
        for character in text { appendGrapheme(Array(character.utf8), to: &out) }
        return out
    }

    private func appendGrapheme(_ grapheme: [UInt8], to out: inout [UInt8]) {
        if grapheme.count < 6, let mapped = replacement(of: grapheme) {
            out += mapped
            return
        }
        var start = 0
        while start < grapheme.count {
            let length = UTF8Scalars.length(leading: grapheme[start])
            let end = min(grapheme.count, start + length)
            let scalar = Array(grapheme[start..<end])
            if let mapped = replacement(of: scalar) { out += mapped } else { out += scalar }
            start = end
        }
    }
}

/// UTF-8 helpers.
enum UTF8Scalars {
    /// The byte length of the scalar a leading byte starts (1 for a stray continuation byte).
    static func length(leading byte: UInt8) -> Int {
        switch byte {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
