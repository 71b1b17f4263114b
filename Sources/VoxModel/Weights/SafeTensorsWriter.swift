import Foundation

/// Writes F32 tensors as a `.safetensors` file (header sorted by name, data 8-byte aligned), atomically
/// (streamed to a temporary file, then renamed).
public enum SafeTensorsWriter {
    /// Writes `tensors` with optional string metadata to `path`.
    /// - Throws: `ModelError` when the file cannot be written.
    public static func write(
        _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String
    ) throws(ModelError) {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let sorted = tensors.sorted { $0.name < $1.name }
        for (name, tensor) in sorted {
            header[name] = [
                "dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + tensor.count * 4],
            ]
            offset += tensor.count * 4
        }
        guard var json = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) else {
            throw ModelError(.format, "cannot encode the safetensors header for \(path)")
        }
        while json.count % 8 != 0 { json.append(0x20) }
        // Streamed to a temporary file beside the target, then renamed: large models never sit in memory twice.
        let temporary = path + ".partial-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { throw ModelError(.io, "cannot write \(path)") }
        do {
            var prefix = Data()
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { prefix.append(contentsOf: $0) }
            try handle.write(contentsOf: prefix + json)
            for (_, tensor) in sorted {
                let chunk = 1 << 20
                var start = 0
                while start < tensor.count {
                    let end = min(tensor.count, start + chunk)
                    #if _endian(little)
                    let bytes = Data(bytes: tensor.pointer + start, count: (end - start) * 4)
                    #else
                    var bytes = Data(count: (end - start) * 4)
                    bytes.withUnsafeMutableBytes { raw in
                        for index in start..<end {
                            raw.storeBytes(
                                of: tensor.pointer[index].bitPattern.littleEndian,
                                toByteOffset: (index - start) * 4, as: UInt32.self)
                        }
                    }
                    #endif
                    try handle.write(contentsOf: bytes)
                    start = end
                }
            }
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw ModelError(.io, "cannot rename \(temporary) to \(path) (errno \(errno))")
            }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw ModelError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
