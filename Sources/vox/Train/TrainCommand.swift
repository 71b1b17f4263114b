import ArgumentParser
import Foundation
import VoxModel

/// `vox train`: fine-tunes the encoder and the sentiment and topic heads in Swift.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune the encoder (LoRA or full) and the sentiment and topic heads; keep the best epoch.",
        discussion: """
            Multi-task: sentiment and topic batches are interleaved so one encoder serves both heads. A checkpoint is \
            written after every epoch and a run started again with the same options resumes from it.
            Example: vox train --epochs 2 --output Models/default
            """
    )

    @OptionGroup var model: ModelOptionGroup

    @Option(
        help: ArgumentHelp(
            "Sentiment training data ({\"text\",\"label\"} JSON Lines); 'none' skips the head.", valueName: "file"))
    var sentimentTrain = "data/sentiment/train.jsonl"
    @Option(help: ArgumentHelp("Sentiment validation data.", valueName: "file"))
    var sentimentVal = "data/sentiment/val.jsonl"
    @Option(help: ArgumentHelp("Topic training data; 'none' skips the head.", valueName: "file"))
    var topicTrain = "data/topic/train.jsonl"
    @Option(help: ArgumentHelp("Topic validation data.", valueName: "file"))
    var topicVal = "data/topic/val.jsonl"
    @Flag(help: "Train the topic head as multi-label (sigmoid) instead of single-label (softmax).")
    var multiLabelTopics = false

    @Option(help: "Epochs.") var epochs = 2
    @Option(help: "Posts per batch.") var batchSize = 32
    @Option(help: "Peak learning rate.") var learningRate: Float = 5e-4
    @Option(help: "Share of steps for linear warmup.") var warmup: Float = 0.06
    @Option(help: "AdamW weight decay.") var weightDecay: Float = 0.01
    @Option(help: "LoRA rank on every projection; 0 fine-tunes all weights.") var loraRank = 8
    @Option(help: "LoRA alpha (updates scaled by alpha/rank).") var loraAlpha: Float = 16
    @Option(help: "Dropout.") var dropout: Float = 0.1
    @Option(help: "Sentiment pooling: mean or attention.") var sentimentPooling = "mean"
    @Option(help: "Topic pooling: mean or attention.") var topicPooling = "mean"
    @Option(help: "Class weights: none, balanced or sqrt.") var classWeights = "sqrt"
    @Option(help: "Passes over the topic data per epoch (it is ten times smaller).") var topicRepeat = 2
    @Option(help: "Random seed.") var seed: UInt64 = 17
    @Option(help: "Use only the first N examples of each training set (quick runs).") var limit: Int?
    @Option(help: ArgumentHelp("Checkpoint folder (resumed from when it holds a checkpoint).", valueName: "dir"))
    var checkpoint = "vox-train-checkpoint"
    @Option(help: ArgumentHelp("Where the best model is written.", valueName: "dir"))
    var output = "vox-model"

    func validate() throws {
        guard Pooling(rawValue: sentimentPooling) != nil, Pooling(rawValue: topicPooling) != nil else {
            throw ValidationError("pooling must be mean or attention")
        }
        guard TrainingOptions.ClassWeighting(rawValue: classWeights) != nil else {
            throw ValidationError("--class-weights must be none, balanced or sqrt")
        }
        guard epochs > 0, batchSize > 0, loraRank >= 0, (0..<1).contains(dropout) else {
            throw ValidationError("epochs and batch size must be positive, LoRA rank not negative, dropout in [0, 1)")
        }
    }

    func run() async throws {
        var options = TrainingOptions(outputDirectory: output)
        options.sentimentTrain = sentimentTrain == "none" ? nil : sentimentTrain
        options.sentimentValidation = sentimentVal == "none" ? nil : sentimentVal
        options.topicTrain = topicTrain == "none" ? nil : topicTrain
        options.topicValidation = topicVal == "none" ? nil : topicVal
        options.topicMultiLabel = multiLabelTopics
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.warmupFraction = warmup
        options.weightDecay = weightDecay
        options.tuning.loraRank = loraRank
        options.tuning.loraAlpha = loraAlpha
        options.tuning.dropout = dropout
        options.sentimentPooling = Pooling(rawValue: sentimentPooling) ?? .mean
        options.topicPooling = Pooling(rawValue: topicPooling) ?? .mean
        options.classWeighting = TrainingOptions.ClassWeighting(rawValue: classWeights) ?? .sqrt
        options.topicRepeat = topicRepeat
        options.seed = seed
        options.limit = limit
        options.checkpointDirectory = checkpoint
        let directory = try model.baseModelDirectory()
        let started = Date()
        let settings = options
        var artifact = try await TrainCommand.onTrainingThread {
            let base = try BertModel.load(directory: directory)
            let tokenizer = try TokenizerLoader.load(directory: directory)
            let trainer = try Trainer(base: base, tokenizer: tokenizer, options: settings)
            let bar = ProgressBar()
            return try trainer.run { bar.show($0) }
        }
        // Temperatures from the validation data, so probabilities mean what they say.
        let calibrationSets = [
            ("sentiment", settings.sentimentValidation), ("topic", multiLabelTopics ? nil : settings.topicValidation),
        ].compactMap { name, path in path.map { (name, $0) } }.filter { set in
            artifact.heads.contains { $0.name == set.0 }
        }
        if !calibrationSets.isEmpty {
            let calibrated = try await CalibrateCommand.calibrate(
                model: output, baseDirectory: directory, sets: calibrationSets, write: true)
            for line in calibrated.lines { print(line) }
            artifact = calibrated.artifact
        }
        let seconds = Date().timeIntervalSince(started)
        let command = (["vox"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        try ModelCard.write(artifact, options: settings, seconds: seconds, command: command, to: output)
        print("best model written to \(output) (\(artifact.label)) in \(Int(seconds)) s")
        for (name, value) in artifact.metrics.sorted(by: { $0.key < $1.key }) {
            print(String(format: "  %@ %.4f", name, value))
        }
    }

    /// Runs blocking training work on a dedicated thread, off Swift's cooperative pool.
    static func onTrainingThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    continuation.resume(returning: try body())
                } catch let error as ModelError {
                    continuation.resume(throwing: CLIError(error.message))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "vox-train"
            thread.start()
        }
    }
}
