import VoxAssets

/// The sample data that ships with Vox, compiled into the binary (``EmbeddedAssets``): a gzip'd JSON Lines feed in
/// X API v2 shape, built from the TweetEval validation tweets (see `Samples/README.md` for sources and terms), and
/// its watch file.
public enum VoxSamples {
    /// The path of the bundled sample watch file, `watch.yaml`.
    public static var watchPath: String? { EmbeddedAssets.directory("samples").map { $0 + "/watch.yaml" } }

    /// The path of the bundled sample feed, `sample-feed.jsonl.gz`.
    public static var feedPath: String? {
        EmbeddedAssets.directory("samples").map { $0 + "/sample-feed.jsonl.gz" }
    }
}
