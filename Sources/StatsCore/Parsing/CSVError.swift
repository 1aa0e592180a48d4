/// Failure to open an input or to accept its header row.
public struct CSVError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Required columns that the header lacks (empty for other errors).
    public var missingColumns: [String]

    public init(_ message: String, missingColumns: [String] = []) {
        self.message = message
        self.missingColumns = missingColumns
    }

    public var description: String { message }
}
