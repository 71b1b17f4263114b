/// Recursive-descent parser of watch queries: `or := and ('OR' and)*`, `and := not (('AND')? not)*`,
/// `not := 'NOT' not | primary`, `primary := '(' or ')' | '"' phrase '"' | term`. It recurses only into
/// parentheses and NOTs, at most `WatchQuery.maxDepth` deep; chains are read in loops. It reads Unicode scalars,
/// as `WatchText` does, so that a printed query reads back as the same words whatever marks it holds.
struct WatchQueryParser {
    private let characters: [Unicode.Scalar]
    private let topic: String
    private var position = 0
    /// Parentheses and NOTs open around the current position.
    private var depth = 0

    init(source: String, topic: String) {
        characters = Array(source.unicodeScalars)
        self.topic = topic
    }

    mutating func parse() throws(WatchError) -> WatchQuery {
        skipSpaces()
        guard position < characters.count else {
            throw WatchError(
                "watch topic '\(topic)': the query is empty (in YAML, quote queries: an unquoted # starts a comment)")
        }
        let query = try parseOr()
        skipSpaces()
        guard position == characters.count else { throw error("unexpected '\(characters[position])'") }
        return query
    }

    private func error(_ what: String) -> WatchError {
        WatchError("watch topic '\(topic)': \(what) at character \(position)")
    }

    private mutating func parseOr() throws(WatchError) -> WatchQuery {
        var operands = [try parseAnd()]
        while keyword("OR") { operands.append(try parseAnd()) }
        return operands.count == 1 ? operands[0] : .or(operands)
    }

    private mutating func parseAnd() throws(WatchError) -> WatchQuery {
        var operands = [try parseNot()]
        while true {
            if keyword("AND") {
                operands.append(try parseNot())
                continue
            }
            skipSpaces()
            guard position < characters.count, characters[position] != ")", !peekKeyword("OR") else { break }
            operands.append(try parseNot())
        }
        return operands.count == 1 ? operands[0] : .and(operands)
    }

    /// Opens one level of nesting (a parenthesis or a NOT), refusing more than `WatchQuery.maxDepth`.
    private mutating func enter() throws(WatchError) {
        depth += 1
        guard depth <= WatchQuery.maxDepth else {
            throw error("the query nests parentheses and NOTs more than \(WatchQuery.maxDepth) deep")
        }
    }

    private mutating func parseNot() throws(WatchError) -> WatchQuery {
        if keyword("NOT") {
            try enter()
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(WatchError) -> WatchQuery {
        skipSpaces()
        guard position < characters.count else { throw error("expected a term") }
        switch characters[position] {
        case "(":
            try enter()
            defer { depth -= 1 }
            position += 1
            let inner = try parseOr()
            skipSpaces()
            guard position < characters.count, characters[position] == ")" else { throw error("expected ')'") }
            position += 1
            return inner
        case ")":
            throw error("unexpected ')'")
        case "\"":
            let start = position
            position += 1
            var text = String.UnicodeScalarView()
            while position < characters.count, characters[position] != "\"" {
                text.append(characters[position])
                position += 1
            }
            guard position < characters.count else {
                position = start
                throw error("unterminated phrase")
            }
            position += 1
            let words = WatchText(String(text)).words.map { ($0.prefix.map(String.init) ?? "") + $0.word }
            guard !words.isEmpty else {
                position = start
                throw error("empty phrase")
            }
            return words.count == 1 ? .term(words[0]) : .phrase(words)
        default:
            let start = position
            var text = String.UnicodeScalarView()
            while position < characters.count, !characters[position].properties.isWhitespace,
                !"()\"".unicodeScalars.contains(characters[position])
            {
                text.append(characters[position])
                position += 1
            }
            let words = WatchText(String(text)).words.map { ($0.prefix.map(String.init) ?? "") + $0.word }
            guard !words.isEmpty else {
                position = start
                throw error("'\(String(text))' is not a word")
            }
            return words.count == 1 ? .term(words[0]) : .phrase(words)
        }
    }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position].properties.isWhitespace { position += 1 }
    }

    private mutating func peekKeyword(_ word: String) -> Bool {
        var probe = self
        return probe.keyword(word)
    }

    /// Consumes `word` (upper case, as a whole token) when it is next.
    private mutating func keyword(_ word: String) -> Bool {
        skipSpaces()
        let end = position + word.unicodeScalars.count
        guard end <= characters.count, characters[position..<end].elementsEqual(word.unicodeScalars) else {
            return false
        }
        if end < characters.count, !characters[end].properties.isWhitespace, characters[end] != "(",
            characters[end] != "\""
        {
            return false
        }
        position = end
        return true
    }
}
