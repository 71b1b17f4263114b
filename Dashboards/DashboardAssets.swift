/// The dashboard's static files, compiled into the binary so an installed `vox serve` needs nothing beside it.
/// Each is one file of `Dashboards/Web/`; Chart.js is vendored from Debian's `libjs-chart.js` (MIT, see
/// `Dashboards/Web/CHART_JS_LICENSE`).
public enum DashboardAssets {
    /// A served file: its bytes and its `Content-Type`.
    public struct Asset: Sendable {
        /// The file's bytes.
        public let bytes: [UInt8]
        /// Its media type.
        public let contentType: String
    }

    /// The files by request path.
    public static let files: [String: Asset] = [
        "/": Asset(bytes: PackageResources.index_html, contentType: "text/html; charset=utf-8"),
        "/index.html": Asset(bytes: PackageResources.index_html, contentType: "text/html; charset=utf-8"),
        "/dashboard.css": Asset(bytes: PackageResources.dashboard_css, contentType: "text/css; charset=utf-8"),
        "/dashboard.js": Asset(bytes: PackageResources.dashboard_js, contentType: "text/javascript; charset=utf-8"),
        "/chart.umd.min.js": Asset(
            bytes: PackageResources.chart_umd_min_js, contentType: "text/javascript; charset=utf-8"),
    ]
}
