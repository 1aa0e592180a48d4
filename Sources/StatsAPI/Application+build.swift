import Hummingbird
import Logging
import Mongo
import NIOPosix
import Redis
import StatsCore

/// The api as an application: routes, middleware, its stores on a blocking thread pool, and the
/// services that run beside the server (the data-version watcher, the pool's shutdown). Tests
/// call this in-process with HummingbirdTesting; `api` runs it in its service group.
/// A missing or malformed resource (dashboard, OpenAPI document) throws ``Assets/AssetError``.
public func buildApplication(settings: APISettings, logger: Logger) throws -> some ApplicationProtocol {
    try buildApplication(settings: settings, logger: logger, assets: try Assets.load())
}

/// The same, with the assets given (tests load them from a folder of their own).
func buildApplication(settings: APISettings, logger: Logger, assets: Assets) throws -> some ApplicationProtocol {
    let (app, threads) = try makeStatsApp(settings: settings, assets: assets)
    return Application(
        router: app.router(),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "txstats"),
        services: [ThreadPoolService(pool: threads), app.versions],
        logger: logger)
}

/// The routes over their stores, and the started thread pool the stores run on (shut down by
/// the application's ``ThreadPoolService``, or by whoever calls this).
func makeStatsApp(settings: APISettings, assets: Assets) throws -> (app: StatsApp, threads: NIOThreadPool) {
    let reader = StatsReader(
        keys: settings.core.keys, history: settings.history,
        calendar: try BusinessCalendar(timeZoneIdentifier: settings.core.timeZone),
        redis: RedisPool(url: settings.core.redisURL, size: 8),
        mongo: try MongoClient(uri: settings.history.mongoURI, database: settings.history.database, appName: "txstats-api"))
    // hiredis and libmongoc block: their calls run on this pool, never on the event loop.
    // Started once nothing can throw any more, so that no error path leaves it running.
    let threads = NIOThreadPool(numberOfThreads: 8)
    threads.start()
    let store = StatsStore(reader: reader, threads: threads)
    let app = StatsApp(
        store: store, versions: VersionWatcher(store: store), scale: settings.core.amountScale, maxRangeDays: settings.maxRangeDays,
        adminToken: settings.adminToken, readToken: settings.readToken, assets: assets)
    return (app, threads)
}
