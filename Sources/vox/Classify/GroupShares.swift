import Foundation
import VoxFeeds
import VoxModel

/// `vox eval --by FIELD`: per group of a labelled file (a brand, a language), the group's own macro-recall and
/// macro-F1, and the true class shares against the reported ones and, for an adapted model, the corrected ones
/// with their 95% intervals: the error brand teams care about.
struct GroupShares {
    /// One group's shares.
    struct Group {
        var name: String
        var posts: Int
        var truth: [Double]
        var reported: [Double]
        var estimate: ShareEstimate
        /// The classification figures on the group's posts alone.
        var report: ClassificationReport
    }

    var labels: [String]
    var groups: [Group]
    /// Each row's group, in file order.
    var names: [String]

    /// Groups `rows` by their `field` values (read from `path`, line for line) and compares the shares.
    init(
        path: String, field: String, truth: [Int], predicted: [Int], probabilities: [[Float]] = [], labels: [String],
        domain: DomainEstimate?
    ) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        var names: [String] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any]
            guard let value = object?[field], !(value is NSNull) else {
                throw CLIError("\(path):\(index + 1): no \"\(field)\" field to group by")
            }
            names.append(value as? String ?? "\(value)")
        }
        guard names.count == truth.count else { throw CLIError("\(path): rows and labels disagree") }
        self.labels = labels
        self.names = names
        let order = names.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        groups = order.map { name in
            let members = names.indices.filter { names[$0] == name }
            func counts(_ classes: [Int]) -> [Int] {
                var counts = [Int](repeating: 0, count: labels.count)
                for index in members { counts[classes[index]] += 1 }
                return counts
            }
            let n = Double(members.count)
            let reported = counts(predicted)
            // The probabilistic correction, as window rows make it, when every row's probabilities are known.
            let sums =
                probabilities.count == truth.count
                ? labels.indices.map { k in members.reduce(0.0) { $0 + Double(probabilities[$1][k]) } } : nil
            return Group(
                name: name, posts: members.count, truth: counts(truth).map { Double($0) / n },
                reported: reported.map { Double($0) / n },
                estimate: ShareEstimate(counts: reported, probabilitySums: sums, domain: domain),
                report: ClassificationReport(
                    labels: labels, truth: members.map { truth[$0] }, predicted: members.map { predicted[$0] }))
        }
    }

    /// Mean absolute error of class `k`'s share over groups: reported, and corrected when there is an estimate.
    func meanError(_ k: Int) -> (reported: Double, adjusted: Double?) {
        let n = Double(max(1, groups.count))
        let reported = groups.reduce(0) { $0 + abs($1.reported[k] - $1.truth[k]) } / n
        guard groups.allSatisfy({ $0.estimate.adjusted != nil }) else { return (reported, nil) }
        let adjusted = groups.reduce(0) { $0 + abs(($1.estimate.adjusted?[k] ?? 0) - $1.truth[k]) } / n
        return (reported, adjusted)
    }

    /// Share of groups whose 95% interval covers the true share of class `k`.
    func coverage(_ k: Int) -> Double {
        Double(
            groups.filter { $0.estimate.low[k] <= $0.truth[k] + 1e-9 && $0.truth[k] <= $0.estimate.high[k] + 1e-9 }
                .count)
            / Double(max(1, groups.count))
    }

    /// A table: per group and class, true, reported and corrected share with the interval.
    var table: String {
        var lines = [
            "share error by group (true / reported / corrected [95% interval]; corrected needs an adapted model)"
        ]
        for group in groups {
            let cells = labels.indices.map { k in
                let adjusted = group.estimate.adjusted.map { String(format: "%.3f", $0[k]) } ?? "–"
                return String(
                    format: "%@ %.3f / %.3f / %@ [%.3f, %.3f]", labels[k], group.truth[k], group.reported[k], adjusted,
                    group.estimate.low[k], group.estimate.high[k])
            }
            lines.append(
                "  \(group.name) (\(group.posts)): "
                    + String(
                        format: "macro-recall %.4f  macro-F1 %.4f   ", group.report.macroRecall, group.report.macroF1)
                    + cells.joined(separator: "   "))
        }
        for k in labels.indices {
            let error = meanError(k)
            lines.append(
                String(
                    format: "mean absolute %@ share error: reported %.4f, corrected %@; interval coverage %.2f",
                    labels[k],
                    error.reported, error.adjusted.map { String(format: "%.4f", $0) } ?? "–", coverage(k)))
        }
        return lines.joined(separator: "\n")
    }

    /// The same as a JSON object.
    var json: String {
        func list(_ values: [Double]) -> String {
            "[" + values.map { String(format: "%.4f", $0) }.joined(separator: ",") + "]"
        }
        let rows = groups.map { group in
            JSONText.object([
                ("group", JSONText.quote(group.name)), ("posts", String(group.posts)),
                ("macro_recall", String(format: "%.4f", group.report.macroRecall)),
                ("macro_f1", String(format: "%.4f", group.report.macroF1)), ("truth", list(group.truth)),
                ("reported", list(group.reported)), ("adjusted", group.estimate.adjusted.map(list) ?? "null"),
                ("low", list(group.estimate.low)), ("high", list(group.estimate.high)),
            ])
        }
        let summary = labels.indices.map { k in
            let error = meanError(k)
            return (
                labels[k],
                JSONText.object([
                    ("reported_mae", String(format: "%.4f", error.reported)),
                    ("adjusted_mae", error.adjusted.map { String(format: "%.4f", $0) } ?? "null"),
                    ("coverage", String(format: "%.4f", coverage(k))),
                ])
            )
        }
        return JSONText.object([
            ("groups", "[" + rows.joined(separator: ",") + "]"), ("summary", JSONText.object(summary)),
        ])
    }
}
