/// The connector profiles shipped with Vox, compiled into the binary so an installed `vox` needs no
/// data files beside it. Each is the JSON text of one file in `Connectors/Profiles/`.
public enum BundledProfiles {
    /// The profiles' JSON documents, by file name without extension, in detection order.
    public static let documents: [(name: String, json: [UInt8])] = [
        ("bluesky-jetstream", PackageResources.bluesky_jetstream_json),
        ("x-v2", PackageResources.x_v2_json),
        ("mastodon", PackageResources.mastodon_json),
        ("reddit", PackageResources.reddit_json),
        ("generic", PackageResources.generic_json),
    ]
}
