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
            Multilingual: vox train --encoder multilingual-e5-small --output Models/multilingual
            """
    )

    @OptionGroup var model: ModelOptionGroup

    @Option(
        name: .customLong("encoder"),
        help: ArgumentHelp(
            "The base encoder: \(ModelStore.baseModelName) or \(ModelStore.e5Name) (pulled when missing).",
            valueName: "name"))
    var encoderName = ModelStore.baseModelName
    @Option(help: ArgumentHelp("The model's id in outputs (default: from the encoder).", valueName: "id"))
    var modelID: String?
    @Option(help: ArgumentHelp("The model's version in outputs (`id@version`).", valueName: "version"))
    var modelVersion = "1"

    @Option(
        help: ArgumentHelp(
            "Sentiment training data ({\"text\",\"label\"} JSON Lines; several files separated by commas); 'none' "
                + "skips the head.", valueName: "file"))
    var sentimentTrain = "data/sentiment/train.jsonl"
    @Option(help: ArgumentHelp("Sentiment validation data.", valueName: "file"))
    var sentimentVal = "data/sentiment/val.jsonl"
    @Option(help: ArgumentHelp("Topic training data; 'none' skips the head.", valueName: "file"))
    var topicTrain = "data/topic/train.jsonl"
    @Option(help: ArgumentHelp("Topic validation data.", valueName: "file"))
    var topicVal = "data/topic/val.jsonl"
    @Flag(help: "Train the topic head as multi-label (sigmoid) instead of single-label (softmax).")
    var multiLabelTopics = false

    @Option(
        help: ArgumentHelp(
            "Distil from this model (fast, multilingual or a folder): its probabilities join the labels as targets.",
            valueName: "model"))
    var teacher: String?
    @Option(help: "The teacher's share of each labelled target (the rest is the hard label).")
    var teacherWeight: Float = 0.5
    @Option(help: "Temperature softening the teacher's probabilities.") var distillTemperature: Float = 2
    @Option(
        help: ArgumentHelp(
            "Posts without labels ({\"text\"} JSON Lines, several separated by commas), learnt from the teacher alone; "
                + "texts of the validation files are left out.", valueName: "file"))
    var unlabeled: String?
    @Option(
        help: ArgumentHelp(
            "The heads the unlabelled posts train, separated by commas (the topic head is repeated per epoch, so "
                + "unlabelled posts there cost --topic-repeat times as much).", valueName: "heads"))
    var unlabeledHeads = "sentiment"

    @Option(
        name: .customLong("aux"),
        help: ArgumentHelp(
            "An auxiliary task trained as a head of its own and left out of the saved model (repeatable): NAME, the "
                + "files NAME-train.jsonl and NAME-val.jsonl in --aux-dir, or NAME=TRAIN[:VALIDATION].",
            valueName: "task"))
    var auxiliary: [String] = []
    @Option(help: ArgumentHelp("The folder of --aux NAME's files.", valueName: "dir"))
    var auxDir = "data/tweeteval-aux"
    @Option(help: "Use only the first N examples of each auxiliary task.") var auxLimit: Int?
    @Option(help: "The factor on the gradient an auxiliary task sends into the encoder.") var auxWeight: Float = 1

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
    @Option(
        help: ArgumentHelp(
            "Arithmetic of the frozen projections in LoRA training, forward and backward: auto (bf16 where this CPU has fast BF16 instructions, else fp32), fp32, bf16 or int8. Full fine-tuning is fp32.",
            valueName: "precision"))
    var precision: PrecisionChoice = .auto
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
        guard (0...1).contains(teacherWeight), distillTemperature > 0 else {
            throw ValidationError("--teacher-weight must be in [0, 1] and --distill-temperature positive")
        }
        if unlabeled != nil && teacher == nil { throw ValidationError("--unlabeled needs --teacher") }
        guard !modelVersion.isEmpty, !modelVersion.contains(where: { $0 == "@" || $0 == "/" || $0.isWhitespace }) else {
            throw ValidationError("--model-version must be a non-empty word without '@', '/' or spaces")
        }
        guard auxWeight >= 0, auxLimit.map({ $0 > 0 }) ?? true else {
            throw ValidationError("--aux-weight must not be negative and --aux-limit must be positive")
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
        // BF16 on auto: the closer to fp32 of the two (README, "Training at low precision").
        options.precision = loraRank > 0 ? precision.resolve { $0 == .bf16 } : .fp32
        options.limit = limit
        do {
            options.auxiliary = try auxiliary.map { text throws(ModelError) in
                try AuxiliaryTask.parse(text, directory: auxDir)
            }
        } catch {
            throw CLIError(error.message)
        }
        options.auxiliaryLimit = auxLimit
        options.auxiliaryWeight = auxWeight
        options.checkpointDirectory = checkpoint
        options.baseModel = encoderName
        options.modelID =
            modelID ?? (encoderName == ModelStore.e5Name ? "vox-e5-sentiment-topic" : "vox-minilm-sentiment-topic")
        options.modelVersion = modelVersion
        let directory = try model.baseModelDirectory(named: encoderName)
        let started = Date()
        if let teacher {
            options.distillation = try await distillation(from: teacher, options: options)
        }
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

    /// The teacher's targets for every training and unlabelled post (validation texts never reach the student
    /// through the teacher).
    private func distillation(from name: String, options: TrainingOptions) async throws -> Distillation {
        let teacher = try model.classifier(in: try ClassifierOptionGroup.directory(named: name)) { artifact in
            PrecisionChoice.auto.resolve { artifact.qualifies($0) }
        }
        var texts: [String] = []
        var unlabeledTexts: [String] = []
        do {
            let validation = Set(
                try [options.sentimentValidation, options.topicValidation].compactMap { $0 }.flatMap {
                    path throws(ModelError) in try LabeledText.load(path).map(\.text)
                })
            // Each head's training texts as the trainer reads them.
            for files in [options.sentimentTrain, options.topicTrain].compactMap({ $0 }) {
                texts += try LabeledText.load(joining: files, limit: options.limit).map(\.text)
            }
            for path in (unlabeled ?? "").split(separator: ",").map(String.init) {
                unlabeledTexts += try LabeledText.texts(path).filter { !validation.contains($0) }
            }
            texts = texts.filter { !validation.contains($0) }
        } catch let error as ModelError {
            throw CLIError(error.message)
        }
        let total = Set(texts + unlabeledTexts).count
        FileHandle.standardError.write(Data("vox: the teacher \(teacher.tag) labels \(total) posts…\n".utf8))
        let probabilities = await Distillation.probabilities(
            of: teacher, heads: ["sentiment", "topic"], texts: texts + unlabeledTexts)
        return Distillation(
            teacher: teacher.artifact.label, teacherWeight: teacherWeight, temperature: distillTemperature,
            probabilities: probabilities, unlabeled: Array(Set(unlabeledTexts)).sorted(),
            unlabeledHeads: Set(unlabeledHeads.split(separator: ",").map(String.init)))
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
