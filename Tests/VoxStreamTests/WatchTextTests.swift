import Testing

@testable import VoxStream

/// ASCII texts take a byte-by-byte path; it must find exactly the words the Unicode path finds.
@Suite struct WatchTextTests {
    private static func words(_ text: String) -> [String] {
        WatchText(text).words.map { ($0.prefix.map(String.init) ?? "") + $0.word }
    }

    @Test(arguments: [
        "Flying @United today, #delayed AGAIN!!", "it's 42_times\r\nworse #@x ##y @", "a#b c@d 'quoted' __",
        "", "   ", "#", "@@united", "MiXeD CaSe wOrDs 007",
    ])
    func asciiPathFindsWhatTheUnicodePathFinds(text: String) {
        // The trailing word is not ASCII, so the text with it goes through the Unicode path.
        let unicode = Self.words(text + " é")
        #expect(unicode.last == "é")
        #expect(Self.words(text) == Array(unicode.dropLast()))
    }

    @Test func curlyApostrophesAndNonASCIILettersJoinWords() {
        #expect(Self.words("It’s Ünïcödé #Café") == ["it's", "ünïcödé", "#café"])
    }
}
