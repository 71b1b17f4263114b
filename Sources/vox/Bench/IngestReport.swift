import Foundation
import VoxFeeds

/// One benchmark measurement: the best of several runs.
struct Measurement {
    let name: String
    private(set) var seconds = Double.infinity
    private(set) var posts = 0

    init(name: String) { self.name = name }

    /// Keeps the run if it is the fastest so far.
    mutating func keep(seconds: Double, posts: Int) {
        if seconds < self.seconds {
            self.seconds = seconds
            self.posts = posts
        }
    }
}

/// The ingest benchmark's results, as a table or JSON.
struct IngestReport {
    let compressedMB: Double
    let decodedMB: Double
    let inflate: Measurement
    let file: Measurement
    let http: Measurement?
    let pigzSeconds: Double?

    private var rows: [(String, Double, Int)] {
        var rows = [(inflate.name, inflate.seconds, 0), (file.name, file.seconds, file.posts)]
        if let http { rows.append((http.name, http.seconds, http.posts)) }
        if let pigzSeconds { rows.append(("pigz -dc (outside reference)", pigzSeconds, 0)) }
        return rows
    }

    var table: String {
        var lines = [
            String(format: "input: %.1f MB gzip, %.1f MB decoded, %d posts", compressedMB, decodedMB, file.posts),
            "run                               seconds   decoded MB/s   posts/s     × inflate-only",
        ]
        for (name, seconds, posts) in rows {
            lines.append(
                name.padding(toLength: 34, withPad: " ", startingAt: 0)
                    + String(
                        format: "%7.3f   %12.1f   %9.0f   %.2f", seconds, decodedMB / seconds, Double(posts) / seconds,
                        inflate.seconds / seconds))
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        let runs = rows.map { name, seconds, posts in
            JSONText.object([
                ("name", JSONText.quote(name)), ("seconds", String(format: "%.4f", seconds)),
                ("decoded_mb_per_s", String(format: "%.1f", decodedMB / seconds)),
                ("posts_per_s", String(format: "%.0f", Double(posts) / seconds)),
                ("ratio_to_inflate", String(format: "%.3f", inflate.seconds / seconds)),
            ])
        }
        return JSONText.object([
            ("compressed_mb", String(format: "%.1f", compressedMB)), ("decoded_mb", String(format: "%.1f", decodedMB)),
            ("posts", String(file.posts)), ("runs", "[" + runs.joined(separator: ",") + "]"),
        ])
    }
}
