import Foundation

/// Writes F32 tensors as a `.safetensors` file (header sorted by name, data 8-byte aligned), atomically.
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
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, tensor) in sorted {
            for index in 0..<tensor.count {
                withUnsafeBytes(of: tensor.pointer[index].bitPattern.littleEndian) { data.append(contentsOf: $0) }
            }
        }
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
