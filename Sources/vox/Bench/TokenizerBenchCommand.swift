import ArgumentParser
import Foundation
import VoxModel

/// `vox bench tokenizer`: the Unigram tokeniser of multilingual-e5-small against the WordPiece tokeniser of
/// all-MiniLM-L6-v2 on the same texts, one thread each, alternating, medians reported.
struct TokenizerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Measure the Unigram (multilingual-e5-small) tokeniser against WordPiece (all-MiniLM-L6-v2).",
        discussion: """
            Both tokenise the same texts on one thread: the 2,000 sample tweets, or JSON Lines / plain text given \
            with --texts (e.g. ../shared/data/multilingual/val.jsonl). The order alternates every repeat; the ratio \
            is of the medians. Loading times are reported apart. Both encoders are pulled when missing.
            Example: vox bench tokenizer --repeats 5
            """
    )

    @OptionGroup var model: ModelOptionGroup

    @Option(help: ArgumentHelp("JSON Lines (a text field) or plain text to tokenise instead.", valueName: "file"))
    var texts: String?

    @Option(help: "Posts per measurement (the texts repeated as needed).")
    var posts = 20_000

    @Option(help: "Repeats (the order alternates; medians are reported).")
    var repeats = 5

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard posts > 0, repeats > 0 else { throw ValidationError("--posts and --repeats must be positive") }
    }

    func run() async throws {
        let source = try texts.map(TokenizerBenchCommand.read) ?? IngestCorpus.sampleTexts()
        guard !source.isEmpty else { throw CLIError("no texts to tokenise") }
        let corpus = (0..<posts).map { source[$0 % source.count] }
        var loadStart = DispatchTime.now()
        let wordPiece = try TokenizerLoader.load(directory: try model.baseModelDirectory())
        let wordPieceLoad = loadStart.elapsed
        loadStart = DispatchTime.now()
        let unigram = try TokenizerLoader.load(directory: try model.baseModelDirectory(named: ModelStore.e5Name))
        let unigramLoad = loadStart.elapsed
        var rates: [String: [Double]] = ["wordpiece": [], "unigram": []]
        var tokens: [String: Int] = [:]
        for repeatIndex in 0..<repeats {
            let order: [(String, any TextTokenizer)] = [("wordpiece", wordPiece), ("unigram", unigram)]
            for (name, tokenizer) in repeatIndex % 2 == 0 ? order : order.reversed() {
                let started = DispatchTime.now()
                var count = 0
                for text in corpus { count += tokenizer.encode(text).count }
                rates[name, default: []].append(Double(corpus.count) / started.elapsed)
                tokens[name] = count
            }
        }
        let wordPieceRate = ModelBenchCommand.median(rates["wordpiece"] ?? [])
        let unigramRate = ModelBenchCommand.median(rates["unigram"] ?? [])
        if json {
            let object: [String: Any] = [
                "posts": corpus.count, "repeats": repeats, "wordpiece_posts_per_s": wordPieceRate.rounded(),
                "unigram_posts_per_s": unigramRate.rounded(), "ratio": unigramRate / wordPieceRate,
                "wordpiece_tokens": tokens["wordpiece"] ?? 0, "unigram_tokens": tokens["unigram"] ?? 0,
                "wordpiece_load_s": wordPieceLoad, "unigram_load_s": unigramLoad,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("\(corpus.count) posts, \(repeats) repeats alternating, 1 thread, medians")
        print(
            String(
                format: "WordPiece (all-MiniLM-L6-v2):    %8.0f posts/s  %7d tokens  load %.2f s", wordPieceRate,
                tokens["wordpiece"] ?? 0, wordPieceLoad))
        print(
            String(
                format: "Unigram (multilingual-e5-small): %8.0f posts/s  %7d tokens  load %.2f s", unigramRate,
                tokens["unigram"] ?? 0, unigramLoad))
        print(String(format: "ratio unigram / wordpiece: %.2f", unigramRate / wordPieceRate))
    }

    /// Texts of a JSON Lines file (its `text` fields) or of a plain text file (its lines).
    static func read(_ path: String) throws -> [String] {
        guard let content = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read \(path)")
        }
        return content.split(separator: "\n").map { line in
            if line.hasPrefix("{"),
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let text = object["text"] as? String
            {
                return text
            }
            return String(line)
        }
    }
}
