import WorkerRuntime

/// The importer's own settings, each declared once.
enum ImportSetting {
    static let batchRows = Setting<Int>.integer(
        flag: "batch-rows", variable: "TXSTATS_IMPORT_BATCH_ROWS", default: 20_000, range: 1...1_000_000,
        summary: "Rows per atomic push (and progress-marker step)")

    static let chunkRows = Setting<Int>.integer(
        flag: "chunk-rows", variable: "TXSTATS_CHUNK_ROWS", default: 500, range: 1...100_000,
        summary: "Rows per TXB1 queue item")

    /// `--source-id` has no variable: a source is named per run.
    static func sourceId(_ text: String) throws -> String {
        guard let name = Setting<String>.plainName(text) else {
            throw ConfigError(setting: "--source-id", problem: "\"\(text)\" is not a non-empty name without spaces or braces")
        }
        return name
    }
}
