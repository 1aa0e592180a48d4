import StatsCore
import WorkerRuntime

struct ImportSettings: Sendable {
    var core: CoreSettings
    var file: String
    var honourSleep: Bool
    var restart: Bool
    var sourceId: String?
    var batchRows: Int
    var chunkRows: Int
}
