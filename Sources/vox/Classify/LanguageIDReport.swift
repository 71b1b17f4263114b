import Foundation
import VoxFeeds
import VoxLanguage

/// `vox eval --by lang`: how often language identification names each row's known language from its text alone
/// (no tag from a source), per language and overall, and how often it could not tell (too little text).
struct LanguageIDReport {
    /// One language's figures.
    struct Row {
        var lang: String
        var posts: Int
        var correct: Int
        var unknown: Int
        /// The wrong languages it named, most frequent first (at most three).
        var confusions: [(String, Int)]
        var accuracy: Double { posts == 0 ? 0 : Double(correct) / Double(posts) }
    }

    var rows: [Row]

    /// Identifies the language of every text and compares it with `truth` (the rows' `lang` values).
    init(texts: [String], truth: [String], identifier: LanguageIdentifier = LanguageIdentifier()) {
        var order: [String] = []
        var tallies: [String: (posts: Int, correct: Int, unknown: Int, wrong: [String: Int])] = [:]
        for (text, known) in zip(texts, truth) {
            let lang = LanguageIdentifier.normalize(tag: known) ?? known
            if tallies[lang] == nil { order.append(lang) }
            var tally = tallies[lang] ?? (0, 0, 0, [:])
            tally.posts += 1
            let decision = identifier.decide(text: text, tag: nil)
            switch decision.lang {
            case nil: tally.unknown += 1
            case lang: tally.correct += 1
            case let other?: tally.wrong[other, default: 0] += 1
            }
            tallies[lang] = tally
        }
        rows = order.compactMap { lang in
            tallies[lang].map { tally in
                Row(
                    lang: lang, posts: tally.posts, correct: tally.correct, unknown: tally.unknown,
                    confusions: Array(tally.wrong.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)))
            }
        }
    }

    var posts: Int { rows.reduce(0) { $0 + $1.posts } }
    var accuracy: Double { Double(rows.reduce(0) { $0 + $1.correct }) / Double(max(1, posts)) }

    /// Accuracy over the rows whose language is not `excluded`.
    func accuracy(excluding excluded: Set<String>) -> Double {
        let kept = rows.filter { !excluded.contains($0.lang) }
        return Double(kept.reduce(0) { $0 + $1.correct }) / Double(max(1, kept.reduce(0) { $0 + $1.posts }))
    }

    var table: String {
        var lines = [
            String(format: "language identification (text only): accuracy %.4f on %d posts", accuracy, posts)
        ]
        for row in rows {
            let wrong = row.confusions.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            lines.append(
                String(format: "  %@ (%d): accuracy %.4f, unknown %d", row.lang, row.posts, row.accuracy, row.unknown)
                    + (wrong.isEmpty ? "" : "; taken for \(wrong)"))
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        let languages = rows.map { row in
            (
                row.lang,
                JSONText.object([
                    ("posts", String(row.posts)), ("accuracy", String(format: "%.4f", row.accuracy)),
                    ("unknown", String(row.unknown)),
                    ("taken_for", JSONText.object(row.confusions.map { ($0.0, String($0.1)) })),
                ])
            )
        }
        return JSONText.object([
            ("accuracy", String(format: "%.4f", accuracy)), ("posts", String(posts)),
            ("languages", JSONText.object(languages)),
        ])
    }
}
