/// 64-bit FNV-1a: a fast, stable (across runs and machines) hash of bytes, for ids that must not depend on the
/// process (posts without an id, results messages' de-duplication ids). Not for anything adversarial.
public struct FNV1a: Sendable {
    /// The hash of the bytes added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty hash.
    public init() {}

    /// Adds one byte.
    public mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    /// Adds bytes in order.
    public mutating func add<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes { add(byte) }
    }

    /// Adds `number`'s eight bytes, least significant first.
    public mutating func add(littleEndian number: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { add(UInt8(truncatingIfNeeded: number >> UInt64(shift))) }
    }
}
