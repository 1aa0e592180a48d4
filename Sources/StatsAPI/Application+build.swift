import Hummingbird
import Logging
import Mongo
import NIOPosix
import Redis
import StatsCore

/// The api as an application: routes, middleware, its stores on a blocking thread pool, and the
/// services that run beside the server (the data-version watcher, the pool's shutdown). Tests
/// call this in-process with HummingbirdTesting; `api` runs it in its service group.
public func buildApplication(settings: APISettings, logger: Logger) throws -> some ApplicationProtocol {
    // hiredis and libmongoc block: their calls run on this pool, never on the event loop.
    let threads = NIOThreadPool(numberOfThreads: 8)
    threads.start()
    let reader = StatsReader(
        keys: settings.core.keys, history: settings.history,
        calendar: try BusinessCalendar(timeZoneIdentifier: settings.core.timeZone),
        redis: RedisPool(url: settings.core.redisURL, size: 8),
        mongo: try MongoClient(uri: settings.history.mongoURI, database: settings.history.database, appName: "txstats-api"))
    let store = StatsStore(reader: reader, threads: threads)
    let versions = VersionWatcher(store: store)
    let app = StatsApp(
        store: store, versions: versions, scale: settings.core.amountScale, maxRangeDays: settings.maxRangeDays,
        adminToken: settings.adminToken, readToken: settings.readToken)
    return Application(
        router: app.router(),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "txstats"),
        services: [ThreadPoolService(pool: threads), versions],
        logger: logger)
}
