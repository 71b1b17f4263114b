/// An auxiliary task trained beside sentiment and topic (TweetEval's emoji, irony, emotion or offensive): a head
/// of its own that shares the encoder during training, is evaluated each epoch, and is left out of the saved model
/// and of the choice of the best epoch.
public struct AuxiliaryTask: Sendable, Equatable {
    /// The task's name (`emoji`); its head is `aux.NAME`.
    public var name: String
    /// Training files (`{"text","label"}` JSON Lines, several separated by commas).
    public var train: String
    /// Validation file, if the task is scored each epoch.
    public var validation: String?

    /// The prefix of auxiliary heads' names, which keeps them apart from the product's heads.
    public static let headPrefix = "aux."

    /// The head's name.
    public var headName: String { AuxiliaryTask.headPrefix + name }

    /// Creates a task.
    public init(name: String, train: String, validation: String? = nil) {
        self.name = name
        self.train = train
        self.validation = validation
    }

    /// Parses a command-line task: `NAME` (the files `DIRECTORY/NAME-train.jsonl` and `DIRECTORY/NAME-val.jsonl`)
    /// or `NAME=TRAIN[:VALIDATION]`.
    /// - Throws: `ModelError` for an empty or malformed name.
    public static func parse(_ text: String, directory: String) throws(ModelError) -> AuxiliaryTask {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw ModelError(
                .format,
                "auxiliary task '\(text)': give NAME or NAME=TRAIN[:VALIDATION] (NAME of letters, digits, _ or -)")
        }
        guard parts.count == 2 else {
            return AuxiliaryTask(
                name: name, train: "\(directory)/\(name)-train.jsonl", validation: "\(directory)/\(name)-val.jsonl")
        }
        let files = parts[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !files[0].isEmpty, files.count == 1 || !files[1].isEmpty else {
            throw ModelError(.format, "auxiliary task '\(text)': the training file (and validation file) must be named")
        }
        return AuxiliaryTask(name: name, train: files[0], validation: files.count == 2 ? files[1] : nil)
    }

    /// The task's head: one softmax output per distinct label of its training rows, in sorted order.
    /// - Throws: `ModelError` when the rows have fewer than two labels or a row has several.
    func spec(rows: [LabeledText], pooling: Pooling) throws(ModelError) -> HeadSpec {
        if let row = rows.first(where: { $0.labels.count != 1 }) {
            throw ModelError(
                .format,
                "\(train): auxiliary task '\(name)' needs one label per post; '\(row.text.prefix(60))' has "
                    + "\(row.labels.count)")
        }
        let labels = Set(rows.flatMap(\.labels)).sorted()
        guard labels.count >= 2 else {
            throw ModelError(
                .format, "\(train): auxiliary task '\(name)' needs at least two labels, found \(labels.count)")
        }
        return HeadSpec(name: headName, labels: labels, pooling: pooling)
    }
}
