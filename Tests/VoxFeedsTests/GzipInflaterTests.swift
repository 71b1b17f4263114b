import Testing

@testable import VoxFeeds

@Suite struct GzipInflaterTests {
    private func inflate(_ data: [UInt8], chunk: Int) throws -> (output: [UInt8], midMember: Bool) {
        let inflater = try GzipInflater(outputChunk: 64)
        var output: [UInt8] = []
        var start = 0
        while start < data.count {
            let end = min(data.count, start + chunk)
            try Array(data[start..<end]).withUnsafeBytes { bytes in
                try inflater.inflate(bytes) { output.append(contentsOf: $0) }
            }
            start = end
        }
        return (output, inflater.isMidMember)
    }

    @Test(arguments: [1, 7, 4096])
    func roundTripsInAnyChunking(chunk: Int) throws {
        let text = Array(String(repeating: "hello vox ", count: 500).utf8)
        let result = try inflate(try GzipDeflater.gzip(text), chunk: chunk)
        #expect(result.output == text)
        #expect(!result.midMember)
    }

    @Test func decodesConcatenatedMembers() throws {
        let first = Array("first member\n".utf8)
        let second = Array("second member\n".utf8)
        let joined = try GzipDeflater.gzip(first) + GzipDeflater.gzip(second, level: 1)
        for chunk in [1, 5, joined.count] {
            #expect(try inflate(joined, chunk: chunk).output == first + second)
        }
    }

    @Test func reportsACutInsideAMember() throws {
        let text = Array(String(repeating: "line of text\n", count: 400).utf8)
        let gzip = try GzipDeflater.gzip(text)
        let result = try inflate(Array(gzip.prefix(gzip.count / 2)), chunk: 100)
        #expect(result.midMember)
        #expect(result.output.count < text.count)
        #expect(Array(text.prefix(result.output.count)) == result.output)
    }

    @Test func rejectsCorruptDataWithItsOffset() throws {
        var gzip = try GzipDeflater.gzip(Array(String(repeating: "abc", count: 100).utf8))
        for index in 12..<20 { gzip[index] ^= 0xFF }
        #expect(throws: FeedError.self) { try inflate(gzip, chunk: 1000) }
    }
}
