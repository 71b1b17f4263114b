import Foundation

extension TextClassifier {
    /// The stand-in's vocabulary size cap (its special tokens and single characters included).
    public static let standInVocabularyLimit = 8_192

    /// A small, fast classifier with random weights, for soak runs that exercise the pipeline rather than the
    /// model (`vox bench soak`): one BERT layer of width 32 over a WordPiece vocabulary of the most frequent words
    /// of `texts` (plus every single character they use), with a random sentiment head and a random topic head
    /// (the bundled models' labels and poolings). Its outputs are deterministic for a seed and carry no meaning;
    /// its artifact is named `vox-soak-stand-in`.
    /// - Throws: `ModelError` only if the vocabulary cannot be built (never for ordinary text).
    public static func standIn(vocabularyFrom texts: [String], seed: UInt64 = 1) throws(ModelError) -> TextClassifier {
        var vocabulary: [String: Int] = [:]
        for special in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] { vocabulary[special] = vocabulary.count }
        var counts: [String: Int] = [:]
        var characters = Set<String>()
        for text in texts {
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                counts[String(word), default: 0] += 1
                for character in word { characters.insert(String(character)) }
            }
        }
        for character in characters.sorted() where vocabulary.count < standInVocabularyLimit / 2 {
            vocabulary[character] = vocabulary.count
            vocabulary["##" + character] = vocabulary.count
        }
        let frequent = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        for (word, _) in frequent where vocabulary.count < standInVocabularyLimit && vocabulary[word] == nil {
            vocabulary[word] = vocabulary.count
        }
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maxLength: 128)
        let config = BertConfig(
            hiddenSize: 32, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 64,
            vocabSize: vocabulary.count, maxPositionEmbeddings: 128)
        let model = BertModel(config: config, weights: .random(config, seed: seed))
        let specs = [
            HeadSpec(name: "sentiment", labels: HeadSpec.sentimentLabels),
            HeadSpec(name: "topic", labels: HeadSpec.topicLabels),
        ]
        var generator = SeededGenerator(seed: seed &+ 1)
        let heads = specs.map { TrainableHead(spec: $0, hidden: config.hiddenSize, dropout: 0, generator: &generator) }
        let artifact = ClassifierArtifact(
            id: "vox-soak-stand-in", version: "1", fineTuning: FineTuning(), heads: specs,
            training: ["note": "random weights: a stand-in for soak runs, not a model"])
        return TextClassifier(artifact: artifact, model: model, tokenizer: tokenizer, heads: heads, threads: 1)
    }
}
