extension String {
    /// Text for an error message: control characters (C0, DEL and C1) shown escaped, cut at 80
    /// characters.
    public var escapedForMessage: String {
        var out = ""
        for scalar in unicodeScalars.prefix(80) {
            if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F) {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return unicodeScalars.count > 80 ? out + "…" : out
    }
}
