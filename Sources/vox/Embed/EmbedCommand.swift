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
            A base encoder, as sentence-transformers computes it: mean pooling, L2 normalisation \
            (multilingual-e5-small reads each text as "query: " + text, as e5 expects).
            Examples: echo '{"text": "I love this"}' | vox embed --tokens; \
            echo 'Este produto é horrível' | vox embed --encoder multilingual-e5-small
            """
    )

    @OptionGroup var model: ModelOptionGroup

    @OptionGroup var precision: PrecisionOptionGroup

    @Option(
        name: .customLong("encoder"),
        help: "The base encoder: all-MiniLM-L6-v2 or multilingual-e5-small (pulled when missing).")
    var encoderName = ModelStore.baseModelName

    @Flag(help: "Also print the input ids (with the encoder's special tokens, truncated at 128).")
    var tokens = false

    @Option(help: "Lines embedded per batch.")
    var batch = 64

    func run() async throws {
        let encoder = try SentenceEncoder.load(
            directory: try model.baseModelDirectory(named: encoderName),
            precision: precision.resolve(
                // The bundled model's measured bounds speak for its own encoder only.
                for: encoderName == ModelStore.baseModelName
                    ? BundledModel.standard.directory.flatMap { try? ClassifierArtifact.load(directory: $0) } : nil))
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
