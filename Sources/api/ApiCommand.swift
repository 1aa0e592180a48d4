import ArgumentParser
import Hummingbird
import Logging
import NIOPosix
import StatsCore

@main
struct ApiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Serves exact statistics over HTTP: recent days from Redis, older days from MongoDB.")

    @OptionGroup var core: CoreOptions
    @OptionGroup var history: HistoryOptions

    @Option(help: "Address to listen on (env TXSTATS_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env PORT, default 8000).")
    var port: String?

    @Option(help: "Longest range a request may ask for, in days (env TXSTATS_MAX_RANGE_DAYS, default 3660).")
    var maxRangeDays: String?

    func run() async throws {
        LogSetup.bootstrap()
        Telemetry.bootstrap()
        try await runLoggingFatalErrors("txstats.api") {
            let coreSettings = try core.resolve()
            let historySettings = try history.resolve()
            let host = try Setting<String>.text(flag: "host", variable: "TXSTATS_HOST").resolve(flag: self.host, default: "127.0.0.1")
            let port = try Setting<Int>.integer(flag: "port", variable: "PORT", range: 0...65535).resolve(flag: self.port, default: 8000)
            let maxDays = try Setting<Int>.integer(flag: "max-range-days", variable: "TXSTATS_MAX_RANGE_DAYS", range: 1...100_000)
                .resolve(flag: maxRangeDays, default: 3660)
            let logger = Logger(label: "txstats.api")

            // hiredis and libmongoc block: their calls run on this pool, never on the event loop.
            let threads = NIOThreadPool(numberOfThreads: 8)
            threads.start()
            let reader = StatsReader(
                keys: coreSettings.keys, history: historySettings,
                calendar: try BusinessCalendar(timeZoneIdentifier: coreSettings.timeZone),
                redis: RedisPool(url: coreSettings.redisURL, size: 8),
                mongo: try MongoClient(uri: historySettings.mongoURI, database: historySettings.database, appName: "txstats-api"))
            // Secrets come from the environment only, never from flags (they would show in `ps`).
            let env = ProcessEnvironment.current
            let app = StatsApp(reader: reader, threads: threads, scale: coreSettings.amountScale, maxRangeDays: maxDays,
                               adminToken: env["TXSTATS_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                               readToken: env["TXSTATS_READ_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
            let application = Application(router: app.router(),
                                          configuration: .init(address: .hostname(host, port: port), serverName: "txstats"),
                                          logger: logger)
            logger.info("api starting", metadata: ["address": "\(host):\(port)", "redis": "\(coreSettings.redisURL)",
                                                   "database": "\(historySettings.database)", "cutoff_days": "\(historySettings.cutoffDays)"])
            let watcher = Task { await app.versions.run(reader: reader, threads: threads) }
            try await application.runService()
            watcher.cancel()
            _ = await watcher.result
            try await threads.shutdownGracefully()
        }
    }
}
