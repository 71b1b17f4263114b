/// The compact binary encoding of cluster messages: little-endian integers, LEB128 lengths, UTF-8 strings, and
/// floats as their IEEE bit patterns (so probabilities cross the network exactly and outputs stay byte-identical).
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(kind: UInt8) { bytes.append(kind) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func int(_ value: Int) { varint(UInt64(bitPattern: Int64(value))) }

    mutating func int64(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes += utf8
    }

    mutating func optional(_ value: String?) {
        if let value {
            byte(1)
            string(value)
        } else {
            byte(0)
        }
    }

    mutating func floats(_ values: [Float]) {
        varint(UInt64(values.count))
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    }
}

/// Reads what ``WireWriter`` wrote; every read checks its bounds, so a corrupt message is an error, not a trap.
struct WireReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte was read.
    var atEnd: Bool { index == bytes.count }

    mutating func byte() throws(WireError) -> UInt8 {
        guard index < bytes.count else { throw WireError("ends early") }
        index += 1
        return bytes[index - 1]
    }

    mutating func varint() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw WireError("has an overlong number") }
            value |= UInt64(next & 0x7F) << shift
            if next < 0x80 { return value }
            shift += 7
        }
    }

    mutating func int() throws(WireError) -> Int { Int(Int64(bitPattern: try varint())) }

    /// A non-negative count or index no larger than `limit`.
    mutating func count(limit: Int = Int(Int32.max)) throws(WireError) -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw WireError("has an out-of-range count \(value)") }
        return Int(value)
    }

    mutating func int64() throws(WireError) -> Int64 {
        guard bytes.count - index >= 8 else { throw WireError("ends early") }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
        index += 8
        return Int64(bitPattern: value)
    }

    mutating func string() throws(WireError) -> String {
        // The limit is checked after the length itself is read: it counts only the bytes left then.
        let length = try count()
        guard length <= bytes.count - index else { throw WireError("ends early") }
        defer { index += length }
        return String(decoding: bytes[index..<index + length], as: UTF8.self)
    }

    mutating func optional() throws(WireError) -> String? {
        switch try byte() {
        case 0: return nil
        case 1: return try string()
        case let flag: throw WireError("has a bad optional flag \(flag)")
        }
    }

    mutating func floats() throws(WireError) -> [Float] {
        let count = try count()
        guard count <= (bytes.count - index) / 4 else { throw WireError("ends early") }
        var values: [Float] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            var bits: UInt32 = 0
            for offset in 0..<4 { bits |= UInt32(bytes[index + offset]) << (8 * UInt32(offset)) }
            index += 4
            values.append(Float(bitPattern: bits))
        }
        return values
    }
}

/// A message that is not in Vox's cluster format (another producer on the subject, or corruption).
struct WireError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
