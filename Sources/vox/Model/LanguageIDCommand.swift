import ArgumentParser
import Foundation
import VoxLanguage
import VoxStream

/// `vox model language-id`: estimates the n-gram language model of tweets that decides among its languages where
/// CLD2 cannot (``NgramLanguageModel``), from JSON Lines with `text` and `lang`, and scores identification with it
/// on validation rows.
struct LanguageIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "language-id",
        abstract: "Train the n-gram language-ID model of tweets from rows with a known language.",
        discussion: """
            Reads JSON Lines with "text" and "lang" (ISO 639-1). The bundled model, Models/language-id/ngrams.bin, \
            was made with: vox model language-id --train data/multilingual/train.jsonl --out \
            Models/language-id/ngrams.bin --validate data/multilingual/val.jsonl
            """
    )

    @Option(help: ArgumentHelp("Training rows ({\"text\",\"lang\"} JSON Lines).", valueName: "file"))
    var train: String

    @Option(help: ArgumentHelp("Where the model file is written.", valueName: "file"))
    var out: String

    @Option(
        help: ArgumentHelp("Rows to score identification on (CLD2 with and without the new model).", valueName: "file"))
    var validate: String?

    @Option(help: "The longest character n-gram.") var order = 5
    @Option(help: "The table has 2^N buckets.") var bucketBits = 17
    @Option(help: "Add-k smoothing of the n-gram counts.") var smoothing = 0.1

    func run() throws {
        let rows = try LanguageIDCommand.rows(train)
        let model: NgramLanguageModel
        do {
            model = try NgramLanguageModel.train(
                rows, order: order, bucketBits: bucketBits, smoothing: smoothing)
            try writeAtomically(model.serialized, to: out)
        } catch {
            throw CLIError("cannot train the language-ID model: \(error)")
        }
        print(
            "\(out): \(model.languages.joined(separator: " ")) from \(rows.count) rows, orders 1–\(order), "
                + "2^\(bucketBits) buckets")
        guard let validate else { return }
        let check = try LanguageIDCommand.rows(validate)
        let texts = check.map(\.text)
        let truth = check.map(\.lang)
        let alone = LanguageIDReport(texts: texts, truth: truth, identifier: LanguageIdentifier(ngrams: nil))
        let both = LanguageIDReport(texts: texts, truth: truth, identifier: LanguageIdentifier(ngrams: model))
        print(String(format: "CLD2 alone: accuracy %.4f", alone.accuracy))
        print(both.table)
    }

    /// The `text` and `lang` of every row of `path`; a row without them is an error naming its line.
    static func rows(_ path: String) throws -> [(text: String, lang: String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path)")
        }
        var rows: [(text: String, lang: String)] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let text = object["text"] as? String, let lang = object["lang"] as? String,
                let code = LanguageIdentifier.normalize(tag: lang)
            else {
                throw CLIError(
                    "\(path):\(number + 1): expected a JSON object with \"text\" and a language code \"lang\"")
            }
            rows.append((text, code))
        }
        return rows
    }
}
