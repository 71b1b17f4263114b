// libFuzzer target: the safetensors reader (scripts/fuzz.sh safetensors). A file either is refused with a clear
// error or opens; then every tensor it lists reads back with as many values as its shape has, or is refused.
import Foundation

private let path = NSTemporaryDirectory() + "vox-fuzz-\(getpid()).safetensors"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else {
        fatalError("cannot write \(path)")
    }
    guard let file = try? SafeTensors(path: path) else { return 0 }
    for (name, info) in file.tensors {
        if let values = try? file.floats(name, shape: info.shape), values.count != info.count {
            fatalError("\(name): \(values.count) values for shape \(info.shape)")
        }
        if let bytes = try? file.bytes(name), bytes.count != info.range.count {
            fatalError("\(name): \(bytes.count) bytes for a range of \(info.range.count)")
        }
        _ = try? file.integers(name)
    }
    return 0
}
