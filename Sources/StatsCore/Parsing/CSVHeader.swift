/// Column positions from a header row, matched by name case-insensitively and ignoring
/// surrounding spaces and tabs. Columns may come in any order; unknown columns are ignored.
public struct CSVHeader: Sendable {
    /// Column names as found (trimmed), in file order.
    public let columns: [String]
    private let positions: [String: Int]

    /// Throws `CSVError` if the header row is malformed, a required column is missing (the message
    /// names the missing columns and lists those found), or a wanted column appears twice.
    public init(record: CSVRecord, required: [String], optional: [String] = []) throws {
        if let error = record.error {
            throw CSVError("bad header on line \(record.line): \(error.message)")
        }
        var columns: [String] = []
        var positions: [String: Int] = [:]
        columns.reserveCapacity(record.fieldCount)
        for i in 0..<record.fieldCount {
            let name = record.string(i).trimmingASCIISpaces
            columns.append(name)
            let key = name.lowercased()
            if positions[key] == nil { positions[key] = i }
        }
        let wanted = Set((required + optional).map { $0.trimmingASCIISpaces.lowercased() })
        for key in wanted where columns.lazy.filter({ $0.lowercased() == key }).count > 1 {
            throw CSVError("header column \"\(key)\" appears more than once (columns found: \(columns.joined(separator: ", ")))")
        }
        let missing = required.filter { positions[$0.trimmingASCIISpaces.lowercased()] == nil }
        if !missing.isEmpty {
            let found = columns.isEmpty ? "none" : columns.joined(separator: ", ")
            let noun = missing.count == 1 ? "column" : "columns"
            throw CSVError(
                "header is missing required \(noun) \(missing.joined(separator: ", ")) (columns found: \(found))",
                missingColumns: missing)
        }
        self.columns = columns
        self.positions = positions
    }

    /// Position of the column called `name` (any case), or nil if the header has no such column.
    public func index(of name: String) -> Int? {
        positions[name.trimmingASCIISpaces.lowercased()]
    }

    /// Number of columns in the header.
    public var count: Int { columns.count }
}
