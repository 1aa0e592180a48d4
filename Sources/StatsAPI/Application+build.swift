import Hummingbird
import HummingbirdCore
import Logging
import Mongo
import NIOCore
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
    // Below the open-file limit, so that accepting a connection never fails with EMFILE.
    let openFiles = FileDescriptorLimit.raiseSoftLimit()
    let maxConnections = try FileDescriptorLimit.maxConnections(requested: settings.maxConnections, softLimit: openFiles)
    logger.log(
        level: maxConnections < settings.maxConnections ? .notice : .info,
        maxConnections < settings.maxConnections ? "connection limit lowered to fit the open-file limit" : "connection limit",
        metadata: [
            "max_connections": "\(maxConnections)", "requested": "\(settings.maxConnections)",
            "open_file_limit": "\(openFiles)", "reserved_descriptors": "\(FileDescriptorLimit.reserve)",
        ])
    let (app, threads) = try makeStatsApp(settings: settings, assets: assets)
    let connections = ConnectionCounter()
    return Application(
        router: app.router(),
        server: .http1(configuration: http1Configuration(settings: settings, logger: logger)),
        // A backlog as long as the kernel allows (somaxconn, 4096 on current Linux): a burst of
        // connections waits there instead of having its SYNs dropped and retried a second later.
        configuration: .init(
            address: .hostname(settings.host, port: settings.port), serverName: "txstats", backlog: 4096,
            availableConnectionsDelegate: ConnectionLimit(max: maxConnections, logger: logger, counter: connections)),
        services: [ThreadPoolService(pool: threads), app.versions, MemoryTrimService(counter: connections)],
        logger: logger)
}

/// HTTP/1 with the idle timeout, the decoder's header limits, and ``HTTPGuardHandler``.
///
/// Hummingbird 2.28 has no separate header-read or request timeout. Its idle timer counts only
/// complete HTTP parts as activity, so it also bounds a request head that never completes (a
/// slow-loris client is closed `idleTimeout` after it connected or after its last answer); no
/// route reads a request body (``NoBodyMiddleware``), so no body can be trickled either.
func http1Configuration(settings: APISettings, logger: Logger) -> HTTP1Channel.Configuration {
    HTTP1Channel.Configuration(
        additionalChannelHandlers: [HTTPGuardHandler(logger: logger)],
        idleTimeout: .nanoseconds(Int64(settings.idleTimeoutSeconds * 1_000_000_000)),
        httpDecoderConfiguration: .init(
            maxHeaderFieldSize: HTTPLimits.maxFieldBytes, maxHeaderListSize: HTTPLimits.maxHeaderBytes,
            maxHeaderFieldCount: HTTPLimits.maxFieldCount))
}

/// The routes over their stores, and the started thread pool the stores run on (shut down by
/// the application's ``ThreadPoolService``, or by whoever calls this).
func makeStatsApp(settings: APISettings, assets: Assets) throws -> (app: StatsApp, threads: NIOThreadPool) {
    let reader = StatsReader(
        partitions: settings.core.partitionKeys, history: settings.history,
        calendar: try BusinessCalendar(timeZoneIdentifier: settings.core.timeZone),
        redis: RedisPool(seeds: settings.core.redis, size: 8),
        mongo: try MongoClient(uri: settings.history.mongoURI, database: settings.history.database, appName: "txstats-api"))
    // hiredis and libmongoc block: their calls run on this pool, never on the event loop.
    // Started once nothing can throw any more, so that no error path leaves it running.
    let threads = NIOThreadPool(numberOfThreads: 8)
    threads.start()
    let store = StatsStore(reader: reader, threads: threads)
    let app = StatsApp(
        store: store, versions: VersionWatcher(store: store), defaultCurrency: settings.core.currency, maxRangeDays: settings.maxRangeDays,
        adminToken: settings.adminToken, readToken: settings.readToken, assets: assets,
        cache: ResponseCache(capacityBytes: settings.cacheBytes))
    return (app, threads)
}
