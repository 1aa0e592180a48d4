struct ImportError: Error, CustomStringConvertible {
    var description: String
}
