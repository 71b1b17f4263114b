import Testing

@testable import VoxFeeds

@Suite struct LineFramerTests {
    private func frame(
        _ text: [UInt8], chunk: Int = 3, maxLineLength: Int = 1 << 20, truncated: Bool = false
    )
        -> [(String, Int64, LineBatch.Line.Kind, Int)]
    {
        var framer = LineFramer(origin: "test", maxLineLength: maxLineLength, batchBytes: 8)
        var out: [(String, Int64, LineBatch.Line.Kind, Int)] = []
        let collect = { (batch: LineBatch) in
            for line in batch.lines {
                out.append(
                    (
                        batch.withBytes(of: line) { String(decoding: $0, as: UTF8.self) }, line.offset, line.kind,
                        line.length
                    ))
            }
        }
        var start = 0
        while start < text.count {
            let end = min(text.count, start + chunk)
            Array(text[start..<end]).withUnsafeBytes { framer.feed($0, emit: collect) }
            start = end
        }
        framer.finish(truncated: truncated, emit: collect)
        return out
    }

    @Test(arguments: [1, 2, 3, 64])
    func splitsLFAndCRLFAndSkipsBlankLines(chunk: Int) {
        let lines = frame(Array("a\r\nbb\n\n  \r\nccc\n".utf8), chunk: chunk)
        #expect(lines.map(\.0) == ["a", "bb", "ccc"])
        #expect(lines.map(\.1) == [0, 3, 11])
    }

    @Test func stripsALeadingByteOrderMark() {
        let lines = frame([0xEF, 0xBB, 0xBF] + Array("{}\n{}\n".utf8), chunk: 1)
        #expect(lines.map(\.0) == ["{}", "{}"])
    }

    @Test func keepsALastLineWithoutNewline() {
        #expect(frame(Array("one\ntwo".utf8)).map(\.0) == ["one", "two"])
    }

    @Test func marksTheLastLineOfACutStreamAsTruncated() {
        let lines = frame(Array("one\ntw".utf8), truncated: true)
        #expect(lines.map(\.2) == [.complete, .truncated])
    }

    @Test(arguments: [1, 5, 1000])
    func cutsOverlongLinesAndGoesOn(chunk: Int) {
        let long = String(repeating: "z", count: 700)
        let lines = frame(Array("ok\n\(long)\nafter\n".utf8), chunk: chunk, maxLineLength: 300)
        #expect(lines.map(\.0) == ["ok", String(repeating: "z", count: LineFramer.snippetLength), "after"])
        #expect(lines.map(\.2) == [.complete, .tooLong, .complete])
        #expect(lines[1].3 == 700)
        #expect(lines[2].1 == 3 + 701)
    }

    @Test func skipsBytesAlreadyDeliveredOnARestart() {
        var framer = LineFramer(origin: "t", skipUntil: 4)
        var seen: [String] = []
        Array("one\ntwo\n".utf8).withUnsafeBytes { bytes in
            framer.feed(bytes) { _ in }
        }
        framer.finish { batch in
            seen = batch.lines.map { line in batch.withBytes(of: line) { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(seen == ["two"])
    }
}
