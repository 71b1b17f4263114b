import ArgumentParser
import VoxModel

/// How explanations are computed (`vox classify --explain`, `vox replay/tail --explain-examples`).
struct ExplainOptionGroup: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Attribution method: gradient-input (one backward pass) or integrated-gradients.",
            valueName: "gradient-input|integrated-gradients"))
    var explainMethod = "integrated-gradients"

    @Option(help: ArgumentHelp("Integrated-gradients steps (1–256).", valueName: "n"))
    var explainSteps = 4

    func validate() throws {
        _ = try method()
    }

    /// The method named by the options.
    func method() throws -> Explainer.Method {
        switch explainMethod {
        case "gradient-input": return .gradientInput
        case "integrated-gradients":
            guard (1...256).contains(explainSteps) else {
                throw ValidationError("--explain-steps must be between 1 and 256")
            }
            return .integratedGradients(steps: explainSteps)
        default:
            throw ValidationError("--explain-method must be gradient-input or integrated-gradients")
        }
    }
}
