extension JSONScanner {
    /// Decodes a captured string value, resolving escapes (lone surrogates become U+FFFD).
    /// - Parameters:
    ///   - value: A value of kind `.string`.
    ///   - line: The line it was captured from.
    /// - Returns: The string.
    public static func string(_ value: Value, in line: UnsafeBufferPointer<UInt8>) -> String {
        let slice = UnsafeBufferPointer(rebasing: line[value.start..<value.end])
        guard value.escaped else { return String(decoding: slice, as: UTF8.self) }
        // Decoded text is never longer than its escaped form.
        return String(unsafeUninitializedCapacity: slice.count) { out in
            var written = 0
            var index = 0
            var pendingHigh: UInt32? = nil
            func put(_ byte: UInt8) {
                out[written] = byte
                written += 1
            }
            func putScalar(_ scalar: UInt32) {
                let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                UTF8.encode(unicode) { put($0) }
            }
            while index < slice.count {
                let byte = slice[index]
                guard byte == 0x5C, index + 1 < slice.count else {
                    if pendingHigh != nil {
                        putScalar(0xFFFD)
                        pendingHigh = nil
                    }
                    put(byte)
                    index += 1
                    continue
                }
                let code = slice[index + 1]
                if code != 0x75, pendingHigh != nil {
                    putScalar(0xFFFD)
                    pendingHigh = nil
                }
                switch code {
                case 0x62: put(0x08)
                case 0x66: put(0x0C)
                case 0x6E: put(0x0A)
                case 0x72: put(0x0D)
                case 0x74: put(0x09)
                case 0x75:
                    var scalar: UInt32 = 0
                    for offset in 2..<6 where index + offset < slice.count {
                        scalar = scalar << 4 | (JSONReader.hexValue(slice[index + offset]) ?? 0)
                    }
                    index += 6
                    if let high = pendingHigh {
                        pendingHigh = nil
                        if (0xDC00...0xDFFF).contains(scalar) {
                            putScalar(0x10000 + ((high - 0xD800) << 10) + (scalar - 0xDC00))
                            continue
                        }
                        putScalar(0xFFFD)
                    }
                    if (0xD800...0xDBFF).contains(scalar) {
                        pendingHigh = scalar
                    } else {
                        putScalar((0xDC00...0xDFFF).contains(scalar) ? 0xFFFD : scalar)
                    }
                    continue
                default: put(code)
                }
                index += 2
            }
            if pendingHigh != nil { putScalar(0xFFFD) }
            return written
        }
    }

    /// The value's bytes as written in the line (numbers, literals, or whole objects for extras).
    public static func rawText(_ value: Value, in line: UnsafeBufferPointer<UInt8>) -> String {
        let start = value.kind == .string ? value.start - 1 : value.start
        let end = value.kind == .string ? value.end + 1 : value.end
        return String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }

    /// Parses a captured number (or a string holding one) as a `Double`.
    public static func double(_ value: Value, in line: UnsafeBufferPointer<UInt8>) -> Double? {
        guard value.kind == .number || (value.kind == .string && !value.escaped) else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: line[value.start..<value.end]), as: UTF8.self)
        return Double(text.trimmingSpaces)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces.
    var trimmingSpaces: Substring {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return slice
    }
}
