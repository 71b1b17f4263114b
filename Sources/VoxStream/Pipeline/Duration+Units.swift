extension Duration {
    /// The duration in whole nanoseconds (sub-nanosecond parts dropped).
    public var totalNanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// The duration in seconds, as a floating-point number for rates and shares.
    public var totalSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
