/// Everything `vox train` can be told.
public struct TrainingOptions: Sendable {
    /// How class imbalance is countered in a softmax head's loss.
    public enum ClassWeighting: String, Sendable, CaseIterable {
        /// Every example counts the same.
        case none
        /// Weights inversely proportional to class frequency.
        case balanced
        /// The square root of the balanced weights (a milder correction).
        case sqrt
    }

    /// Sentiment training files (`{"text","label"}` JSON Lines, several separated by commas) and validation file,
    /// if the sentiment head is trained.
    public var sentimentTrain: String?
    public var sentimentValidation: String?
    /// Topic training and validation files, if the topic head is trained.
    public var topicTrain: String?
    public var topicValidation: String?
    /// Whether the topic head is multi-label (sigmoid) instead of single-label (softmax).
    public var topicMultiLabel = false
    /// Passes over the training data.
    public var epochs = 2
    /// Posts per mini-batch.
    public var batchSize = 32
    /// Peak learning rate.
    public var learningRate: Float = 5e-4
    /// Share of the steps spent warming the learning rate up.
    public var warmupFraction: Float = 0.06
    /// AdamW's decoupled weight decay.
    public var weightDecay: Float = 0.01
    /// Global gradient-norm clip.
    public var clipNorm: Float = 1
    /// How the encoder is fine-tuned (LoRA rank, α, dropout).
    public var tuning = FineTuning()
    /// The arithmetic of the frozen base projections in LoRA training, forward and backward (BF16 or int8 run the
    /// packed low-precision kernels; adapters, norms, attention and heads stay fp32). Full fine-tuning is fp32.
    public var precision: Precision = .fp32
    /// Pooling of each head.
    public var sentimentPooling: Pooling = .mean
    public var topicPooling: Pooling = .mean
    /// Loss weighting of classes.
    public var classWeighting: ClassWeighting = .sqrt
    /// Topic batches per epoch, as a multiple of one pass over the topic data (it is ten times smaller).
    public var topicRepeat = 2
    /// Seed of every random choice (initialisation, shuffling, dropout).
    public var seed: UInt64 = 17
    /// Use only the first N training examples of each task (quick runs); nil uses all.
    public var limit: Int?
    /// Where each epoch's checkpoint goes (resume reads it).
    public var checkpointDirectory: String?
    /// Where the best model (by validation) is written.
    public var outputDirectory: String
    /// Auxiliary tasks trained beside sentiment and topic (their heads are not saved).
    public var auxiliary: [AuxiliaryTask] = []
    /// Use only the first N training examples of each auxiliary task; nil uses all (or `limit`).
    public var auxiliaryLimit: Int?
    /// The factor on the gradient an auxiliary task's loss sends into the shared encoder.
    public var auxiliaryWeight: Float = 1
    /// Soft targets from a teacher model (`vox train --teacher`), for softmax heads; nil trains on labels alone.
    public var distillation: Distillation?
    /// The base encoder's name (one of `ModelStore.encoders`), recorded in the artifact.
    public var baseModel = ModelStore.baseModelName
    /// Model id and version written into the artifact.
    public var modelID = "vox-minilm-sentiment-topic"
    public var modelVersion = "1"

    /// Options writing the model to `outputDirectory`.
    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }
}
