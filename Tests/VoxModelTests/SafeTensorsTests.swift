import Foundation
import Testing

@testable import VoxModel

@Suite struct SafeTensorsTests {
    /// Writes a safetensors file from a header object and data bytes; returns its path.
    private func write(
        header: [String: Any], data: [UInt8], headerOverride: [UInt8]? = nil, lengthOverride: UInt64? = nil
    ) throws -> String {
        let json = try headerOverride ?? Array(JSONSerialization.data(withJSONObject: header))
        var bytes = withUnsafeBytes(of: (lengthOverride ?? UInt64(json.count)).littleEndian, Array.init)
        bytes += json + data
        let path = NSTemporaryDirectory() + "vox-st-\(UUID().uuidString).safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func floatsBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
    }

    @Test func readsEveryFloatDTypeAndIntegers() throws {
        let f16: [UInt8] = [Float16(1.5), Float16(-2)].flatMap {
            withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init)
        }
        let bf16: [UInt8] = [Float(3.0), Float(-0.5)].flatMap {
            withUnsafeBytes(of: UInt16($0.bitPattern >> 16).littleEndian, Array.init)
        }
        let i64: [UInt8] = [Int64(7), Int64(-9)].flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
        let f32 = floatsBytes([1, 2, 3, 4])
        var offset = 0
        func entry(_ dtype: String, _ shape: [Int], _ count: Int) -> [String: Any] {
            defer { offset += count }
            return ["dtype": dtype, "shape": shape, "data_offsets": [offset, offset + count]]
        }
        let header: [String: Any] = [
            "a": entry("F32", [2, 2], f32.count), "b": entry("F16", [2], f16.count),
            "c": entry("BF16", [2], bf16.count),
            "d": entry("I64", [2], i64.count), "__metadata__": ["format": "pt"],
        ]
        let path = try write(header: header, data: f32 + f16 + bf16 + i64)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SafeTensors(path: path)
        #expect(try file.floats("a", shape: [2, 2]) == [1, 2, 3, 4])
        #expect(try file.floats("b", shape: [2]) == [1.5, -2])
        #expect(try file.floats("c", shape: [2]) == [3, -0.5])
        #expect(try file.integers("d") == [7, -9])
        #expect(file.metadata["format"] == "pt")
        #expect(throws: ModelError.self) { try file.floats("a", shape: [4]) }
        #expect(throws: ModelError.self) { try file.floats("d", shape: [2]) }
        #expect(throws: ModelError.self) { try file.floats("missing", shape: [1]) }
    }

    @Test func rejectsCorruptFilesWithClearErrors() throws {
        let good = floatsBytes([1, 2, 3, 4])
        let cases: [(String, () throws -> String)] = [
            ("header length past the end", { try self.write(header: [:], data: good, lengthOverride: 1 << 40) }),
            ("header not JSON", { try self.write(header: [:], data: good, headerOverride: Array("{not json".utf8)) }),
            (
                "unknown dtype",
                { try self.write(header: ["a": ["dtype": "Q4", "shape": [4], "data_offsets": [0, 16]]], data: good) }
            ),
            (
                "offsets outside",
                { try self.write(header: ["a": ["dtype": "F32", "shape": [8], "data_offsets": [0, 32]]], data: good) }
            ),
            (
                "shape mismatch",
                { try self.write(header: ["a": ["dtype": "F32", "shape": [3], "data_offsets": [0, 16]]], data: good) }
            ),
            (
                "overlap",
                {
                    try self.write(
                        header: [
                            "a": ["dtype": "F32", "shape": [3], "data_offsets": [0, 12]],
                            "b": ["dtype": "F32", "shape": [2], "data_offsets": [8, 16]],
                        ], data: good)
                }
            ),
            ("malformed entry", { try self.write(header: ["a": ["dtype": "F32", "shape": "four"]], data: good) }),
        ]
        for (name, make) in cases {
            let path = try make()
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(throws: ModelError.self, "\(name)") { try SafeTensors(path: path) }
        }
        let tiny = NSTemporaryDirectory() + "vox-st-tiny-\(UUID().uuidString)"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: tiny))
        defer { try? FileManager.default.removeItem(atPath: tiny) }
        #expect(throws: ModelError.self) { try SafeTensors(path: tiny) }
        #expect(throws: ModelError.self) { try SafeTensors(path: "/nonexistent.safetensors") }
    }

    @Test func truncatedRealShapedFileIsRejected() throws {
        let path = try write(
            header: ["w": ["dtype": "F32", "shape": [4], "data_offsets": [0, 16]]], data: floatsBytes([1, 2, 3, 4]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelError.self) { try SafeTensors(path: path) }
    }
}
