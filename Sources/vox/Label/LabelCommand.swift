import ArgumentParser

/// `vox label`: choose posts for a person to label, and label them in the terminal.
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Choose a well-spread sample of posts to label, and label it in the terminal (for vox adapt).",
        discussion: """
            Example: vox label sample feed.jsonl.gz --count 300 --out labels.jsonl && vox label annotate labels.jsonl \
            && vox adapt --labels labels.jsonl --output Models/ours
            """,
        subcommands: [LabelSampleCommand.self, LabelAnnotateCommand.self]
    )
}
