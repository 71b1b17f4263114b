import Foundation

/// BERT's text normalisation and pre-tokenisation, as Hugging Face `tokenizers` does it for
/// `BertNormalizer` + `BertPreTokenizer`: drop control characters, map whitespace to spaces, put
/// spaces around CJK ideographs, strip accents (NFD, drop non-spacing marks), lower-case per scalar,
/// then split on whitespace and isolate punctuation.
struct BertPreTokenizer: Sendable {
    /// Whether to lower-case (and, with it, strip accents).
    let lowercase: Bool
    /// Whether to strip accents.
    let stripAccents: Bool

    /// One word: its UTF-8 bytes and where each Unicode scalar starts in them.
    struct Word {
        var bytes: [UInt8] = []
        var scalarStarts: [Int] = []
        var scalarCount: Int { scalarStarts.count }
    }

    /// The words of `text`.
    func words(_ text: Substring) -> [Word] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiWords(text.utf8) }
        return unicodeWords(text)
    }

    private func asciiWords(_ bytes: Substring.UTF8View) -> [Word] {
        var words: [Word] = []
        var current = Word()
        func close() {
            if !current.bytes.isEmpty {
                words.append(current)
                current = Word()
            }
        }
        for var byte in bytes {
            switch byte {
            case 0x09, 0x0A, 0x0D, 0x20:
                close()
            case 0x00...0x1F, 0x7F:
                continue  // control characters are removed
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E:
                close()
                words.append(Word(bytes: [byte], scalarStarts: [0]))
            default:
                if lowercase && byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                current.scalarStarts.append(current.bytes.count)
                current.bytes.append(byte)
            }
        }
        close()
        return words
    }

    private func unicodeWords(_ text: Substring) -> [Word] {
        // 1. Clean and pad CJK ideographs.
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0 || value == 0xFFFD { continue }
            if BertPreTokenizer.isControl(scalar) { continue }
            if BertPreTokenizer.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if BertPreTokenizer.isCJK(value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        // 2. Strip accents: canonical decomposition, then drop non-spacing marks.
        var normalized = String(cleaned)
        if stripAccents {
            var stripped = String.UnicodeScalarView()
            for scalar in normalized.decomposedStringWithCanonicalMapping.unicodeScalars
            where scalar.properties.generalCategory != .nonspacingMark {
                stripped.append(scalar)
            }
            normalized = String(stripped)
        }
        // 3. Lower-case scalar by scalar (context-free, as Rust's char::to_lowercase).
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(normalized.unicodeScalars.count)
        for scalar in normalized.unicodeScalars {
            if lowercase && !(scalar.isASCII && !(0x41...0x5A).contains(scalar.value)) {
                scalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                scalars.append(scalar)
            }
        }
        // 4. Split on whitespace, isolate punctuation.
        var words: [Word] = []
        var current = Word()
        func close() {
            if !current.bytes.isEmpty {
                words.append(current)
                current = Word()
            }
        }
        func append(_ scalar: Unicode.Scalar, to word: inout Word) {
            word.scalarStarts.append(word.bytes.count)
            UTF8.encode(scalar) { word.bytes.append($0) }
        }
        for scalar in scalars {
            if BertPreTokenizer.isWhitespace(scalar) {
                close()
            } else if BertPreTokenizer.isPunctuation(scalar) {
                close()
                var single = Word()
                append(scalar, to: &single)
                words.append(single)
            } else {
                append(scalar, to: &current)
            }
        }
        close()
        return words
    }

    /// Tab, newline, carriage return, and Unicode White_Space.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        default: return scalar.value > 0x7F && scalar.properties.isWhitespace
        }
    }

    /// Other characters (Cc, Cf, Cn, Co, Cs) except tab, newline and carriage return.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// ASCII punctuation (including symbols such as `$` and `+`) and Unicode punctuation (P*).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value) || (0x5B...0x60).contains(value)
                || (0x7B...0x7E).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT pads with spaces.
    static func isCJK(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x20000...0x2A6DF).contains(value)
            || (0x2A700...0x2B73F).contains(value) || (0x2B740...0x2B81F).contains(value)
            || (0x2B820...0x2CEAF).contains(value) || (0xF900...0xFAFF).contains(value)
            || (0x2F800...0x2FA1F).contains(value)
    }
}
