extension Duration {
    /// The duration as fractional seconds, for reports and for APIs that take a `Double`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
