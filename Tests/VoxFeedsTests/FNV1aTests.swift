import Testing
import VoxFeeds

/// The published FNV-1a 64 test vectors: post ids without a source id and results-message ids depend on them.
@Suite struct FNV1aTests {
    @Test(arguments: [("", 0xcbf2_9ce4_8422_2325), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)])
    func matchesTheReferenceVectors(text: String, expected: UInt64) {
        var hash = FNV1a()
        hash.add(Array(text.utf8))
        #expect(hash.value == expected)
    }

    @Test func aNumberIsItsEightBytesLeastSignificantFirst() {
        var byNumber = FNV1a()
        byNumber.add(littleEndian: 0x0102_0304_0506_0708)
        var byBytes = FNV1a()
        byBytes.add([8, 7, 6, 5, 4, 3, 2, 1] as [UInt8])
        #expect(byNumber.value == byBytes.value)
    }
}
