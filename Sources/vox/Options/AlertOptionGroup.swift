import ArgumentParser
import VoxStream

/// The alert options of `replay`, `tail` and `aggregate`: the seasonal baseline, the significance and effect
/// sizes, the cooldown, and the webhook.
struct AlertOptionGroup: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Alerts: compare each window with the same time of day (daily), of week (weekly), or the windows just before (none).",
            valueName: "cycle"))
    var alertSeason = "daily"
    @Option(help: "Alerts: periods of history in a baseline (days, weeks, or windows with --alert-season none).")
    var alertHistory = 7
    @Option(help: "Alerts: periods of history needed before a topic can alert.") var alertWarmup = 3
    @Option(help: ArgumentHelp("Alerts: one-sided p-value at or below which a rise is significant.", valueName: "p"))
    var alertSignificance = 1e-5
    @Option(help: "Alerts: a volume alert needs at least this many times the expected posts.") var alertMinRatio = 1.5
    @Option(help: "Alerts: a volume alert needs at least this many posts above the expected.") var alertMinExcess = 10
    @Option(help: "Alerts: fewest classified posts in the span for a negative-share alert.") var alertMinPosts = 20
    @Option(help: "Alerts: smallest rise of the negative share over its baseline (0.02 = two points).")
    var alertMinChange = 0.02
    @Option(help: "Alerts: windows without a significant rise before the same alert may fire again.")
    var alertCooldown = 3
    @Option(
        help: ArgumentHelp(
            "Also POST each incident (its alerts) as JSON to this URL (retried; failures counted).", valueName: "url"))
    var alertWebhook: String?

    func validate() throws {
        guard AlertDetector.Season(rawValue: alertSeason) != nil else {
            throw ValidationError("--alert-season must be daily, weekly or none")
        }
        guard (1...AlertDetector.Options.maximumHistory).contains(alertHistory), alertWarmup >= 1,
            alertWarmup <= alertHistory
        else {
            throw ValidationError(
                "--alert-history must be 1 to \(AlertDetector.Options.maximumHistory) and --alert-warmup between 1 and the history"
            )
        }
        guard alertSignificance.isFinite, alertSignificance > 0, alertSignificance < 1 else {
            throw ValidationError("--alert-significance must be a p-value in (0, 1)")
        }
        guard alertMinRatio.isFinite, alertMinRatio >= 1 else {
            throw ValidationError("--alert-min-ratio must be a number ≥ 1")
        }
        guard alertMinChange.isFinite, alertMinChange >= 0, alertMinChange < 1 else {
            throw ValidationError("--alert-min-change must be a share in [0, 1)")
        }
        guard alertMinPosts >= 0, alertMinExcess >= 0, alertCooldown >= 0 else {
            throw ValidationError("--alert-min-posts, --alert-min-excess and --alert-cooldown cannot be negative")
        }
    }

    /// The detector's tuning these flags describe.
    func detectorOptions() -> AlertDetector.Options {
        var options = AlertDetector.Options()
        options.season = AlertDetector.Season(rawValue: alertSeason) ?? .daily
        options.history = alertHistory
        options.warmup = alertWarmup
        options.significance = alertSignificance
        options.minimumRatio = alertMinRatio
        options.minimumExcess = alertMinExcess
        options.minimumPosts = alertMinPosts
        options.minimumChange = alertMinChange
        options.cooldown = alertCooldown
        return options
    }
}
