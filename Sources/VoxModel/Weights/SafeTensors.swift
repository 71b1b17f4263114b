import Foundation

/// A memory-mapped `.safetensors` file: an 8-byte little-endian header length, a JSON header of
/// `name → {dtype, shape, data_offsets}`, then the tensors' bytes.
///
/// Everything is validated before use (offsets inside the file, contiguous and non-overlapping, a
/// known dtype, shape × element size = byte length), so a corrupt file gives an error, never a crash.
public final class SafeTensors: @unchecked Sendable {
    // @unchecked: the mapping is read-only after init and unmapped only in deinit.

    /// Element types of the safetensors format.
    public enum DType: String, Sendable, CaseIterable {
        case bool = "BOOL"
        case u8 = "U8"
        case i8 = "I8"
        case i16 = "I16"
        case u16 = "U16"
        case f16 = "F16"
        case bf16 = "BF16"
        case i32 = "I32"
        case u32 = "U32"
        case f32 = "F32"
        case f64 = "F64"
        case i64 = "I64"
        case u64 = "U64"
        case f8e4m3 = "F8_E4M3"
        case f8e5m2 = "F8_E5M2"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .bool, .u8, .i8, .f8e4m3, .f8e5m2: 1
            case .i16, .u16, .f16, .bf16: 2
            case .i32, .u32, .f32: 4
            case .f64, .i64, .u64: 8
            }
        }
    }

    /// One tensor's description.
    public struct Info: Sendable, Equatable {
        /// Element type.
        public var dtype: DType
        /// Dimensions.
        public var shape: [Int]
        /// Byte range inside the data section.
        public var range: Range<Int>
        /// Number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// Tensors by name.
    public let tensors: [String: Info]
    /// The `__metadata__` entries.
    public let metadata: [String: String]
    /// The file's path (errors name it).
    public let path: String
    private let base: UnsafeMutableRawPointer
    private let mappedLength: Int
    private let dataStart: Int

    /// Maps and validates `path`.
    /// - Throws: `ModelError` describing what is wrong with the file.
    public init(path: String) throws(ModelError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ModelError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw ModelError(.io, "cannot stat \(path)") }
        let length = Int(info.st_size)
        guard length >= 8 else {
            throw ModelError(.format, "\(path) is too short to be a safetensors file (\(length) bytes)")
        }
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw ModelError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        do {
            let parsed = try SafeTensors.parseHeader(UnsafeRawBufferPointer(start: mapped, count: length), path: path)
            tensors = parsed.tensors
            metadata = parsed.metadata
            dataStart = parsed.dataStart
        } catch {
            munmap(mapped, length)
            throw error
        }
        base = mapped
        mappedLength = length
    }

    deinit { munmap(base, mappedLength) }

    /// Reads the header and checks it against the file's length.
    static func parseHeader(
        _ file: UnsafeRawBufferPointer, path: String
    ) throws(ModelError)
        -> (tensors: [String: Info], metadata: [String: String], dataStart: Int)
    {
        let headerLength = Int(clamping: file.loadUnaligned(as: UInt64.self).littleEndian)
        guard headerLength > 0, headerLength <= file.count - 8, headerLength < 100_000_000 else {
            throw ModelError(
                .format, "\(path): header length \(headerLength) does not fit in the file (\(file.count) bytes)")
        }
        let headerBytes = Data(UnsafeRawBufferPointer(rebasing: file[8..<(8 + headerLength)]))
        guard let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
            throw ModelError(.format, "\(path): the header is not a JSON object")
        }
        let dataLength = file.count - 8 - headerLength
        var tensors: [String: Info] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                for (key, entry) in value as? [String: Any] ?? [:] { metadata[key] = entry as? String }
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw ModelError(.format, "\(path): tensor \(name) has a malformed header entry") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw ModelError(.format, "\(path): tensor \(name) has unknown dtype \(dtypeName)")
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataLength
            else {
                throw ModelError(
                    .format,
                    "\(path): tensor \(name) lies outside the file (offsets \(offsets), data \(dataLength) bytes)")
            }
            let (elements, overflow) = shape.reduce((1, false)) { partial, dimension in
                let product = partial.0.multipliedReportingOverflow(by: dimension)
                return (product.partialValue, partial.1 || product.overflow)
            }
            guard !overflow, elements * dtype.size == offsets[1] - offsets[0] else {
                throw ModelError(
                    .format,
                    "\(path): tensor \(name) has shape \(shape) of \(dtypeName) but \(offsets[1] - offsets[0]) bytes")
            }
            tensors[name] = Info(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        let ranges = tensors.values.map(\.range).filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        for (first, second) in zip(ranges, ranges.dropFirst()) where first.upperBound > second.lowerBound {
            throw ModelError(.format, "\(path): tensors overlap at byte \(second.lowerBound)")
        }
        return (tensors, metadata, 8 + headerLength)
    }

    /// The raw bytes of a tensor.
    public func bytes(_ name: String) throws(ModelError) -> UnsafeRawBufferPointer {
        guard let info = tensors[name] else { throw ModelError(.format, "the weights have no tensor \(name)") }
        return UnsafeRawBufferPointer(start: base + dataStart + info.range.lowerBound, count: info.range.count)
    }

    /// A floating-point tensor as `Float`s (F32 copied, F16 and BF16 widened), checked against `shape`.
    /// - Throws: `ModelError` when the tensor is missing, has another shape, or is not a float type.
    /// - Throws: `ModelError` naming the file and tensor when it is missing, misshapen, not floating point, or holds
    ///   a NaN or an infinity (checked once, at load).
    public func floats(_ name: String, shape expected: [Int]) throws(ModelError) -> [Float] {
        let values = try decodedFloats(name, shape: expected)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ModelError(
                .format, "\(path): tensor \(name) holds a non-finite value (\(values[bad]) at element \(bad))")
        }
        return values
    }

    private func decodedFloats(_ name: String, shape expected: [Int]) throws(ModelError) -> [Float] {
        guard let info = tensors[name] else { throw ModelError(.format, "\(path) has no tensor \(name)") }
        guard info.shape == expected else {
            throw ModelError(.format, "\(path): tensor \(name) has shape \(info.shape), expected \(expected)")
        }
        let raw = try bytes(name)
        switch info.dtype {
        case .f32:
            #if _endian(little)
            return [Float](unsafeUninitializedCapacity: info.count) { buffer, initialized in
                if let destination = buffer.baseAddress, let source = raw.baseAddress {
                    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: info.count * 4)
                }
                initialized = info.count
            }
            #else
            return (0..<info.count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) }.map {
                Float(bitPattern: UInt32(littleEndian: $0))
            }
            #endif
        case .f16:
            return (0..<info.count).map {
                Float(
                    Float16(
                        bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))))
            }
        case .bf16:
            return (0..<info.count).map {
                Float(
                    bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))
                        << 16)
            }
        default:
            throw ModelError(.format, "tensor \(name) is \(info.dtype.rawValue), not a floating-point type")
        }
    }

    /// An integer tensor as `Int64`s (I64, I32, I16, I8, U8 and friends).
    public func integers(_ name: String) throws(ModelError) -> [Int64] {
        guard let info = tensors[name] else { throw ModelError(.format, "the weights have no tensor \(name)") }
        let raw = try bytes(name)
        switch info.dtype {
        case .i64:
            return (0..<info.count).map {
                Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))
            }
        case .u64:
            return (0..<info.count).map {
                Int64(
                    truncatingIfNeeded: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))
                )
            }
        case .i32:
            return (0..<info.count).map {
                Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)))
            }
        case .u32:
            return (0..<info.count).map {
                Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        case .i16:
            return (0..<info.count).map {
                Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)))
            }
        case .u16:
            return (0..<info.count).map {
                Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))
            }
        case .i8: return (0..<info.count).map { Int64(raw.load(fromByteOffset: $0, as: Int8.self)) }
        case .u8, .bool: return (0..<info.count).map { Int64(raw[$0]) }
        default: throw ModelError(.format, "tensor \(name) is \(info.dtype.rawValue), not an integer type")
        }
    }
}
