// libFuzzer target: the stream decoder (gzip sniffing, incremental inflate across members, framing) as a feed's
// bytes reach it (scripts/fuzz.sh gzip). Corrupt data is a clear error; otherwise the lines and the ending do not
// depend on how the bytes were split into chunks.
import Foundation

private struct Outcome: Equatable {
    var lines: [[UInt8]] = []
    var ending: String = ""
}

private func decode(_ buffer: UnsafeRawBufferPointer, cuts: [Int]) -> Outcome {
    var decoder = StreamDecoder(origin: "fuzz", maxLineLength: 1024)
    var outcome = Outcome()
    func take(_ batch: LineBatch) {
        for line in batch.lines {
            outcome.lines.append(batch.withBytes(of: line) { Array($0) } + [line.kind == .complete ? 0 : 1])
        }
    }
    do {
        var start = 0
        for cut in (cuts + [buffer.count]).map({ min($0, buffer.count) }) where cut >= start {
            try decoder.feed(UnsafeRawBufferPointer(rebasing: buffer[start..<cut]), emit: take)
            start = cut
        }
        outcome.ending = "\(try decoder.finish(emit: take))"
    } catch {
        outcome.ending = "error"  // lines before the corrupt byte may differ with the chunking; the error may not
        outcome.lines = []
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    let whole = decode(buffer, cuts: [])
    let split = decode(buffer, cuts: [1, size / 3, size / 2 + 1])
    if whole != split { fatalError("chunking changed the outcome: \(whole.ending) / \(split.ending)") }
    return 0
}
