import Testing

@testable import VoxStream

@Suite struct WatchQueryTests {
    private func matches(_ query: String, _ text: String) throws -> Bool {
        try WatchQuery.parse(query, topic: "t").matches(WatchText(text))
    }

    @Test func termsMatchWholeWordsCaseInsensitivelyWithHashtagsAndMentions() throws {
        #expect(try matches("united", "Flying United today"))
        #expect(try matches("united", "thanks @United!"))
        #expect(try matches("united", "#UNITED rocks"))
        #expect(try !matches("united", "the unitedstates"))
        #expect(try matches("@united", "hey @united"))
        #expect(try !matches("@united", "united again"))
        #expect(try !matches("#united", "@united"))
        #expect(try matches("#united", "go #united"))
    }

    @Test func phrasesAndPrecedence() throws {
        #expect(try matches(#"@united OR "united airlines""#, "I flew United Airlines"))
        #expect(try !matches(#""united airlines""#, "airlines united"))
        let delta = #"(@Delta OR delta) AND NOT "delta variant""#
        #expect(try matches(delta, "Delta lost my bag"))
        #expect(try !matches(delta, "the delta variant is spreading"))
        #expect(try matches("a OR b c", "b c"))  // adjacency binds tighter than OR: a OR (b AND c)
        #expect(try !matches("a OR b c", "b"))
        #expect(try matches("NOT a AND b", "b"))  // NOT binds tightest: (NOT a) AND b
        #expect(try !matches("NOT a AND b", "a b"))
        #expect(try matches("NOT (a OR b)", "c"))
    }

    @Test func invalidQueriesNameTheTopicAndOffset() {
        #expect(throws: WatchError("watch topic 't': expected ')' at character 7")) {
            try WatchQuery.parse("(a OR b", topic: "t")
        }
        #expect(throws: WatchError("watch topic 't': unexpected ')' at character 2")) {
            try WatchQuery.parse("a )", topic: "t")
        }
        #expect(throws: WatchError("watch topic 't': unterminated phrase at character 2")) {
            try WatchQuery.parse(#"a "b c"#, topic: "t")
        }
        #expect(throws: WatchError.self) { try WatchQuery.parse("a AND", topic: "t") }
        #expect(throws: WatchError.self) { try WatchQuery.parse("   ", topic: "t") }
    }

    @Test func watchFilesKeepTheirOrderAndExplainEmptyQueries() throws {
        let yaml = """
            topics:
              United: '@united OR "united airlines"'
              Delta: '(@Delta OR delta) AND NOT "delta variant"'
              Coffee: "coffee"
            """
        let topics = try WatchTopics.parse(yaml)
        #expect(topics.topics.map(\.name) == ["United", "Delta", "Coffee"])
        #expect(topics.matches("Delta and @united both late, need coffee") == [0, 1, 2])
        let json = #"{"topics": {"B": "b", "A": "a"}}"#
        #expect(try WatchTopics.parse(json).topics.map(\.name) == ["B", "A"])
        #expect(
            throws: WatchError(
                "watch topic 'Tag': the query is empty (in YAML, quote queries: an unquoted # starts a comment)")
        ) {
            try WatchTopics.parse("topics:\n  Tag: #united\n")
        }
        #expect(throws: WatchError.self) { try WatchTopics.parse("nothing: here\n") }
    }

    @Test func queriesPrintFullyParenthesised() throws {
        let query = try WatchQuery.parse(#"a b OR NOT "c d" #e"#, topic: "t")
        #expect(query.description == #"((a AND b) OR (NOT "c d" AND #e))"#)
    }

    /// Found by `scripts/fuzz.sh watch-query` (its two inputs are `scripts/fuzz/crashes/watch-query-*`): a combining
    /// mark cut off from its base by a control character became a word of its own, and printed after a space it
    /// merged with that space into one grapheme, so the printed query read back without it.
    @Test func printedQueriesReadBackAsTheSameWordsWhateverMarksTheyHold() throws {
        for source in [
            "#uUeMu\0\0_\0\u{0610}\u{04}\u{FFFD}\0x'", " \0z\0V D\u{FFFD}\0\u{0613}\0D DD",
            "e\u{0301}t\u{00E9} \u{0301}x",
            "\"a \u{0300}b\" OR (\u{094D} AND c)",
        ] {
            let printed = try WatchQuery.parse(source, topic: "t").description
            #expect(try WatchQuery.parse(printed, topic: "t").description == printed, "\(source.debugDescription)")
        }
        let query = try WatchQuery.parse("\"_ \u{0610} x\"", topic: "t")
        #expect(query.description == "\"_ \u{0610} x\"")
        #expect(query.matches(WatchText("_\u{0000}\u{0610} x")))
        // Accents, decomposed or not, stay inside their word.
        #expect(try matches("caf\u{00E9}", "Caf\u{00C9}!"))
        #expect(try matches("cafe\u{0301}", "un cafe\u{0301} noir"))
        #expect(try !matches("cafe", "un cafe\u{0301} noir"))
    }

    /// Hostile sizes are clear errors or work, never a crash: nesting is bounded, chains are flat.
    @Test func deepNestingIsAClearErrorWithinTheDocumentedDepth() throws {
        let limit = WatchQuery.maxDepth
        let deepest = String(repeating: "(", count: limit) + "a" + String(repeating: ")", count: limit)
        #expect(try matches(deepest, "an a here"))
        let notted = String(repeating: "NOT ", count: limit) + "a"
        #expect(try matches(notted, "a") == (limit % 2 == 0))
        for hostile in [
            String(repeating: "(", count: limit + 1) + "a" + String(repeating: ")", count: limit + 1),
            String(repeating: "(", count: 30_000) + "a" + String(repeating: ")", count: 30_000),
            String(repeating: "(", count: 30_000),
            String(repeating: "NOT ", count: 30_000) + "a",
        ] {
            let error = #expect(throws: WatchError.self) { try WatchQuery.parse(hostile, topic: "deep") }
            #expect(error?.message.contains("more than \(limit) deep") == true, "\(error?.message ?? "")")
        }
    }

    @Test func aHundredThousandTermChainMatchesPrintsAndIsFreed() throws {
        let terms = (0..<100_000).map { "t" + String($0, radix: 36) }
        for separator in [" OR ", " AND ", " "] {
            let query = try WatchQuery.parse(terms.joined(separator: separator), topic: "long")
            #expect(query.matches(WatchText("only \(terms[99_999]) here")) == (separator == " OR "))
            #expect(query.matches(WatchText(terms.joined(separator: " "))))
            #expect(query.description.count > 600_000)
        }
        let tooLong = String(repeating: "a ", count: WatchQuery.maxLength / 2 + 1)
        let error = #expect(throws: WatchError.self) { try WatchQuery.parse(tooLong, topic: "long") }
        #expect(error?.message.contains("the longest allowed is \(WatchQuery.maxLength)") == true)
    }

    @Test func chainsPrintAsOneNode() throws {
        #expect(try WatchQuery.parse("a OR b OR c d e", topic: "t").description == "(a OR b OR (c AND d AND e))")
    }

    @Test func watchTopicsMayNotTakeTheNamesOfOtherRows() throws {
        let all = #expect(throws: WatchError.self) { try WatchTopics.parse("topics:\n  all: 'x'\n") }
        #expect(all?.message.contains("names the row of all posts") == true)
        let watch = try WatchTopics.parse("topics:\n  sports: 'match'\n  Apple: 'iphone'\n")
        let clash = #expect(throws: WatchError.self) { try watch.checkNames(against: ["music", "sports"]) }
        #expect(clash?.message.contains("'sports'") == true)
        #expect(throws: Never.self) { try watch.checkNames(against: ["music"]) }
    }

    @Test func jsonWatchFilesMaySpellCharactersAsSurrogatePairs() throws {
        let json = #"{"topics": {"Smile \ud83d\ude00": "\uD840\uDC00 OR happy", "Path": "\\ud83d OR slash"}}"#
        let topics = try WatchTopics.parse(json)
        #expect(topics.topics.map(\.name) == ["Smile 😀", "Path"])
        #expect(topics.matches("so \u{20000} today") == [0])
        #expect(topics.matches("happy") == [0])
        // An escaped backslash stays a backslash: "\\ud83d" is the text \ud83d, not half a character.
        #expect(topics.topics[1].query.description == "(ud83d OR slash)")
    }
}
