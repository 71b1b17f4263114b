import ArgumentParser
import Foundation
import VoxDefaultModel
import VoxModel

/// `vox embed`: sentence embeddings from the base encoder, one JSON object per input line.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print sentence embeddings (384 floats, L2-normalised) of JSON Lines or plain text on stdin.",
        discussion: """
            Always the base encoder, as sentence-transformers computes it: mean pooling, L2 normalisation.
            Example: echo '{"text": "I love this"}' | vox embed --tokens
            """
    )

    @OptionGroup var model: ModelOptionGroup

    @OptionGroup var precision: PrecisionOptionGroup

    @Flag(help: "Also print the input ids (with [CLS] and [SEP], truncated at 128).")
    var tokens = false

    @Option(help: "Lines embedded per batch.")
    var batch = 64

    func run() async throws {
        let encoder = try SentenceEncoder.load(
            directory: try model.baseModelDirectory(),
            precision: precision.resolve(
                for: DefaultModel.directory.flatMap { try? ClassifierArtifact.load(directory: $0) }))
        await StandardInputTexts.forEachBatch(size: batch) { texts in
            let embeddings = await encoder.embed(texts)
            var out = ""
            for (text, embedding) in zip(texts, embeddings) {
                out += "{\"embedding\":[" + embedding.map { "\($0)" }.joined(separator: ",") + "]"
                if tokens {
                    out +=
                        ",\"tokens\":[" + encoder.tokenizer.encode(text).map(String.init).joined(separator: ",") + "]"
                }
                out += "}\n"
            }
            return out
        }
    }
}
