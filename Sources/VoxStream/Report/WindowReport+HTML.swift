import Foundation
import VoxFeeds

extension WindowReport {
    /// A self-contained HTML report (no scripts, no external resources): per topic, an inline SVG chart of the
    /// sentiment shares and volume over the periods, then the rows as a table, so it can be mailed around.
    public func html(title: String) -> String {
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
            body += WindowReport.chart(series) + "\n</section>\n"
        }
        body += "<h2>Rows</h2>\n<table>\n<tr>" + WindowReport.fields.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for row in rows {
            body += "<tr>" + row.values.map { "<td>\(WindowReport.escape($0))</td>" }.joined() + "</tr>\n"
        }
        body += "</table>\n"
        let style = """
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;font-size:12px}\
            td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}section{margin-bottom:2em}\
            .legend span{margin-right:1em}
            """
        return
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(WindowReport.escape(title))</title><style>\(style)</style></head>\n<body>\n\(body)</body></html>\n"
    }

    /// Shares (lines, 0–1 on the left) and volume (bars, scaled to the busiest period) of one topic.
    static func chart(_ series: [Row]) -> String {
        let width = 720.0
        let height = 200.0
        let step = series.count > 1 ? width / Double(series.count - 1) : width
        let peak = Double(max(1, series.map(\.posts).max() ?? 1))
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width) + 40)\" height=\"\(Int(height) + 30)\" viewBox=\"-30 -10 \(Int(width) + 40) \(Int(height) + 30)\">"
        svg +=
            "<line x1=\"0\" y1=\"\(height)\" x2=\"\(width)\" y2=\"\(height)\" stroke=\"#999\"/><text x=\"-28\" y=\"4\" font-size=\"10\">1.0</text>"
        svg += "<text x=\"-28\" y=\"\(height)\" font-size=\"10\">0</text>"
        for (index, row) in series.enumerated() {
            let bar = Double(row.posts) / peak * height * 0.9
            svg +=
                "<rect x=\"\(String(format: "%.1f", Double(index) * step - 2))\" y=\"\(String(format: "%.1f", height - bar))\" width=\"4\" height=\"\(String(format: "%.1f", bar))\" fill=\"#ddd\"><title>\(row.posts) posts</title></rect>"
        }
        for (column, color) in [(8, "#c0392b"), (9, "#7f8c8d"), (10, "#27ae60")] {
            let points = series.enumerated().map { index, row in
                String(format: "%.1f,%.1f", Double(index) * step, height - (Double(row.values[column]) ?? 0) * height)
            }
            svg +=
                "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
        }
        svg += "</svg>"
        let legend =
            "<div class=\"legend\"><span style=\"color:#c0392b\">■ negative share</span><span style=\"color:#7f8c8d\">■ neutral share</span>"
            + "<span style=\"color:#27ae60\">■ positive share</span><span style=\"color:#aaa\">■ volume</span></div>"
        return svg + legend
    }

    /// Text made safe for HTML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
