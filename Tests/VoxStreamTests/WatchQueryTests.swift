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
}
