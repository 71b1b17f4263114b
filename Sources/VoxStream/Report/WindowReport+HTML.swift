import Foundation
import VoxFeeds
import VoxModel

extension WindowReport {
    /// A self-contained HTML report (no scripts, no external resources): per topic, an inline SVG chart of the
    /// sentiment shares and volume over the periods and its emerging terms (with `terms`), then the rows as a table,
    /// so it can be mailed around.
    public func html(title: String, terms: TermReport? = nil) -> String {
        var topics: [String] = []
        for row in rows where !topics.contains(row.topic) { topics.append(row.topic) }
        var body = "<h1>\(WindowReport.escape(title))</h1>\n"
        if let first = rows.first, let last = rows.last {
            body +=
                "<p>\(Timestamp.format(millis: first.start)) – \(Timestamp.format(millis: last.end)), \(rows.count) rows, model \(WindowReport.escape(first.model))</p>\n"
        }
        for topic in topics {
            let series = rows.filter { $0.topic == topic }
            body += "<section><h2>\(WindowReport.escape(topic)) <small>(\(series.first?.kind ?? ""))</small></h2>\n"
            body += WindowReport.chart(series) + "\n" + (terms?.html(topic: topic) ?? "") + "</section>\n"
        }
        body += "<h2>Rows</h2>\n<table>\n<tr>" + WindowReport.fields.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for row in rows {
            body += "<tr>" + row.values.map { "<td>\(WindowReport.escape($0))</td>" }.joined() + "</tr>\n"
        }
        body += "</table>\n"
        let style = """
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:12px}\
            td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}th{background:#f3f3f3}\
            section{margin-bottom:2em}td.left{text-align:left;white-space:normal}\
            .legend span{margin-right:1em}
            """
        return
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(WindowReport.escape(title))</title><style>\(style)</style></head>\n<body>\n\(body)</body></html>\n"
    }

    /// Shares (lines, 0–100% on the left, with gridlines) and volume (bars, scaled to the busiest period, whose
    /// count is on the right) of one topic, with period starts along the bottom. A period without posts has no
    /// shares: the lines break there instead of dropping to zero.
    static func chart(_ series: [Row]) -> String {
        let width = 720.0
        let height = 200.0
        let slot = width / Double(max(1, series.count))
        let peak = Double(max(1, series.map(\.posts).max() ?? 1))
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        func x(_ index: Int) -> Double { (Double(index) + 0.5) * slot }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width) + 110)\" height=\"\(Int(height) + 40)\" "
            + "viewBox=\"-40 -10 \(Int(width) + 110) \(Int(height) + 40)\" font-size=\"10\" fill=\"#555\">"
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let y = number(height - tick * height)
            svg +=
                "<line x1=\"0\" y1=\"\(y)\" x2=\"\(Int(width))\" y2=\"\(y)\" stroke=\"\(tick == 0 ? "#999" : "#eee")\"/>"
            svg += "<text x=\"-6\" y=\"\(y)\" dy=\"3\" text-anchor=\"end\">\(Int(tick * 100))%</text>"
        }
        svg += "<text x=\"\(Int(width) + 6)\" y=\"\(number(height * 0.1))\" dy=\"3\">\(Int(peak)) posts</text>"
        let barWidth = min(24, slot * 0.6)
        for (index, row) in series.enumerated() {
            let bar = Double(row.posts) / peak * height * 0.9
            svg +=
                "<rect x=\"\(number(x(index) - barWidth / 2))\" y=\"\(number(height - bar))\" width=\"\(number(barWidth))\" "
                + "height=\"\(number(bar))\" fill=\"#c9d3f5\"><title>\(Timestamp.format(millis: row.start)): "
                + "\(row.posts) posts</title></rect>"
        }
        let labelEvery = max(1, Int((Double(series.count) / 8).rounded(.up)))
        for (index, row) in series.enumerated() where index % labelEvery == 0 {
            let text = Timestamp.format(millis: row.start)
            let label = text.dropFirst(5).prefix(11).replacingOccurrences(of: "T", with: " ")
            svg += "<text x=\"\(number(x(index)))\" y=\"\(Int(height) + 14)\" text-anchor=\"middle\">\(label)</text>"
        }
        svg += band(series, x: x, height: height, number: number)
        for (column, color) in [(8, "#c0392b"), (9, "#7f8c8d"), (10, "#27ae60")] {
            var path = ""
            var pen = false
            for (index, row) in series.enumerated() {
                guard row.posts > 0 else {
                    pen = false
                    continue
                }
                let y = height - (Double(row.values[column]) ?? 0) * height
                path += "\(pen ? "L" : "M")\(number(x(index))),\(number(y)) "
                pen = true
            }
            svg += "<path fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" d=\"\(path)\"/>"
        }
        svg += "</svg>"
        let legend =
            "<div class=\"legend\"><span style=\"color:#c0392b\">■ negative share</span><span style=\"color:#7f8c8d\">■ neutral share</span>"
            + "<span style=\"color:#27ae60\">■ positive share</span><span style=\"color:#9fb0ea\">■ volume (posts)</span>"
            + "<span style=\"color:#e6a5a0\">■ negative share, 95% interval</span>"
            + (series.contains { $0.shares.adjusted != nil }
                ? "<span style=\"color:#c0392b\">┅ negative share, corrected</span>" : "") + "</div>"
        return svg + legend
    }

    /// The negative share's 95% interval as a shaded band (per run of periods with posts), and the corrected
    /// negative share as a dashed line when the run had a domain estimate.
    private static func band(
        _ series: [Row], x: (Int) -> Double, height: Double, number: (Double) -> String
    ) -> String {
        var svg = ""
        var runs: [[(Int, ShareEstimate)]] = [[]]
        for (index, row) in series.enumerated() {
            if row.posts > 0 { runs[runs.count - 1].append((index, row.shares)) } else { runs.append([]) }
        }
        for run in runs where !run.isEmpty {
            let upper = run.map { "\(number(x($0.0))),\(number(height - ($0.1.high.first ?? 0) * height))" }
            let lower = run.reversed().map { "\(number(x($0.0))),\(number(height - ($0.1.low.first ?? 0) * height))" }
            svg +=
                "<polygon fill=\"#e6a5a0\" fill-opacity=\"0.45\" points=\"\((upper + lower).joined(separator: " "))\"/>"
            let adjusted = run.compactMap { entry in
                entry.1.adjusted?.first.map { "\(number(x(entry.0))),\(number(height - $0 * height))" }
            }
            if adjusted.count == run.count {
                svg +=
                    "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" "
                    + "points=\"\(adjusted.joined(separator: " "))\"/>"
            }
        }
        return svg
    }

    /// Text made safe for HTML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
