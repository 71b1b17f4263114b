/// The byte-level cursor under `JSONScanner`: whitespace, strings, numbers and literals.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int

    @inline(__always)
    func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Consumes a container's opening byte and the whitespace after it; when the container is empty, also its
    /// closing byte. Returns whether it was empty.
    @inline(__always)
    mutating func openContainer(closedBy close: UInt8) -> Bool {
        position += 1
        skipWhitespace()
        guard peek() == close else { return false }
        position += 1
        return true
    }

    /// Consumes the `:` after an object key, with the whitespace around it.
    @inline(__always)
    mutating func skipColon() throws(JSONScanner.Failure) {
        skipWhitespace()
        guard peek() == UInt8(ascii: ":") else { throw .invalid(at: position) }
        position += 1
        skipWhitespace()
    }

    /// After a member or element: consumes a `,` (with the whitespace around it) and returns false, or the
    /// container's closing byte and returns true; anything else is invalid.
    @inline(__always)
    mutating func closesContainer(_ close: UInt8) throws(JSONScanner.Failure) -> Bool {
        skipWhitespace()
        switch peek() {
        case UInt8(ascii: ","):
            position += 1
            skipWhitespace()
            return false
        case close:
            position += 1
            return true
        default:
            throw .invalid(at: position)
        }
    }

    /// Skips a string starting at its opening quote; returns whether it holds escapes.
    mutating func skipString() throws(JSONScanner.Failure) -> Bool {
        position += 1
        var escaped = false
        let count = bytes.count
        guard let base = bytes.baseAddress else { throw .invalid(at: position) }
        let raw = UnsafeRawPointer(base)
        while true {
            // Eight bytes at a time while none of them is a quote, a backslash or a control character.
            while position + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                if JSONReader.mayNeedAttention(word) { break }
                position += 8
            }
            guard position < count else { throw .invalid(at: position) }
            let byte = bytes[position]
            if byte == 0x22 {
                position += 1
                return escaped
            }
            if byte == 0x5C {
                escaped = true
                guard position + 1 < count else { throw .invalid(at: position) }
                switch bytes[position + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    position += 2
                case 0x75:
                    guard position + 6 <= count else { throw .invalid(at: position) }
                    for offset in 2..<6 where JSONReader.hexValue(bytes[position + offset]) == nil {
                        throw .invalid(at: position + offset)
                    }
                    position += 6
                default:
                    throw .invalid(at: position + 1)
                }
                continue
            }
            if byte < 0x20 { throw .invalid(at: position) }
            position += 1
        }
    }

    /// Validates and skips a number per RFC 8259.
    mutating func skipNumber() throws(JSONScanner.Failure) {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), JSONReader.isDigit(first) else { throw .invalid(at: position) }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let digit = peek(), JSONReader.isDigit(digit) else { throw .invalid(at: position) }
            skipDigits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), JSONReader.isDigit(digit) else { throw .invalid(at: position) }
            skipDigits()
        }
        if position == start { throw .invalid(at: start) }
    }

    /// Skips a literal such as `true`.
    mutating func expect(_ literal: StaticString) throws(JSONScanner.Failure) {
        let length = literal.utf8CodeUnitCount
        guard position + length <= bytes.count else { throw .invalid(at: position) }
        let expected = literal.utf8Start
        for index in 0..<length where bytes[position + index] != expected[index] {
            throw .invalid(at: position + index)
        }
        position += length
    }

    @inline(__always)
    private mutating func skipDigits() {
        while position < bytes.count, JSONReader.isDigit(bytes[position]) { position += 1 }
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// The value of an ASCII hex digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// Whether any byte of `word` might be `"`, `\` or below 0x20 (false positives allowed, never false negatives).
    @inline(__always)
    static func mayNeedAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- (ones &* 0x20)) & ~word
        return (zeroQuote | zeroBackslash | control) & highs != 0
    }
}
