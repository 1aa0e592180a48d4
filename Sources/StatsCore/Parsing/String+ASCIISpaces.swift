extension StringProtocol {
    /// Without leading and trailing ASCII spaces and tabs: the one trimming rule for CSV headers,
    /// field values and settings (the byte-level twin is `UnsafeRawBufferPointer.trimmedASCIISpaces`).
    public var trimmingASCIISpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
