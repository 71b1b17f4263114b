/// Activation rows prepared for a low-precision projection: quantised to u8 with a scale and zero point per row
/// (int8), or rounded to BF16 (bf16). A view into a `StagingBuffer`.
public struct StagedRows {
    /// Row data, `stride` bytes per row.
    let bytes: UnsafeMutableRawPointer
    /// Bytes per row.
    let stride: Int
    /// Per-row scales (int8).
    let scales: UnsafeMutablePointer<Float>
    /// Per-row zero points (int8).
    let zeros: UnsafeMutablePointer<Int32>

    /// The view starting `rows` rows further on.
    func advanced(by rows: Int) -> StagedRows {
        StagedRows(bytes: bytes + rows * stride, stride: stride, scales: scales + rows, zeros: zeros + rows)
    }
}

/// Memory for staged activation rows, grown on demand, 64-byte aligned; owned by one forward pass at a time.
public final class StagingBuffer {
    private var bytes: UnsafeMutableRawPointer
    private var scales: UnsafeMutablePointer<Float>
    private var zeros: UnsafeMutablePointer<Int32>
    private var capacityBytes = 0
    private var capacityRows = 0

    /// An empty buffer.
    public init() {
        bytes = .allocate(byteCount: 64, alignment: 64)
        scales = .allocate(capacity: 1)
        zeros = .allocate(capacity: 1)
    }

    deinit {
        bytes.deallocate()
        scales.deallocate()
        zeros.deallocate()
    }

    /// A view of `rows` rows of `stride` bytes each, growing the memory first when needed.
    func rows(_ rows: Int, stride: Int) -> StagedRows {
        let needed = max(64, rows * stride)
        if needed > capacityBytes {
            bytes.deallocate()
            bytes = .allocate(byteCount: needed, alignment: 64)
            capacityBytes = needed
        }
        if rows > capacityRows {
            scales.deallocate()
            zeros.deallocate()
            scales = .allocate(capacity: max(1, rows))
            zeros = .allocate(capacity: max(1, rows))
            capacityRows = rows
        }
        return StagedRows(bytes: bytes, stride: stride, scales: scales, zeros: zeros)
    }
}

/// An immutable, 64-byte aligned block of packed weights, freed with the object.
final class PackedBlock: @unchecked Sendable {
    // @unchecked: written once while packing, before the block is shared; read-only afterwards.
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = max(64, byteCount)
        pointer = .allocate(byteCount: self.byteCount, alignment: 64)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: self.byteCount)
    }

    deinit { pointer.deallocate() }
}
