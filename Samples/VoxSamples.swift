import Foundation

/// The sample data that ships with Vox: a gzip'd JSON Lines feed in X API v2 shape, built from the
/// TweetEval validation tweets (see `Samples/README.md` for sources and terms).
public enum VoxSamples {
    /// The path of the bundled sample watch file, `watch.yaml`.
    public static var watchPath: String? {
        Bundle.module.url(forResource: "watch", withExtension: "yaml", subdirectory: "Data")?.path
    }

    /// The path of the bundled sample feed, `sample-feed.jsonl.gz`.
    public static var feedPath: String? {
        Bundle.module.url(forResource: "sample-feed.jsonl", withExtension: "gz", subdirectory: "Data")?.path
    }
}
