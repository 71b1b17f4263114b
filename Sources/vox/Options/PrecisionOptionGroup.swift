import ArgumentParser
import VoxModel

extension PrecisionChoice: ExpressibleByArgument {}

/// `--precision`, for every command that runs the encoder.
struct PrecisionOptionGroup: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Arithmetic of the encoder's projections: auto (the fastest this CPU has fast instructions for whose accuracy bound the model meets), fp32, bf16 or int8.",
            valueName: "precision"))
    var precision: PrecisionChoice = .auto

    /// The precision to run for a model with this artifact (nil: the base encoder, judged by the bundled model's
    /// measurements, since it is the same encoder).
    func resolve(for artifact: ClassifierArtifact?) -> Precision {
        precision.resolve { artifact?.qualifies($0) ?? false }
    }
}
