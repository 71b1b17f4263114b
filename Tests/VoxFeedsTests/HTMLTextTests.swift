import Testing

@testable import VoxFeeds

@Suite struct HTMLTextTests {
    @Test func convertsMastodonContentToText() {
        let html = #"<p>Just shipped &amp; it&#39;s <strong>great</strong>!</p><p>Second<br/>line &lt;3 &#x2615;</p>"#
        #expect(HTMLText.plainText(html) == "Just shipped & it's great!\n\nSecond\nline <3 ☕")
    }

    @Test func leavesUnknownEntitiesAndBareAmpersandsAlone() {
        #expect(HTMLText.plainText("fish &chips &unknown; a&b") == "fish &chips &unknown; a&b")
    }

    @Test func keepsLinksText() {
        let html =
            #"<p>see <a href="https://x.example/a?b=1&amp;c=2" rel="nofollow"><span>x.example/a</span></a> #tag</p>"#
        #expect(HTMLText.plainText(html) == "see x.example/a #tag")
    }
}
