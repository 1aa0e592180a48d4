// swift-tools-version:6.1
import PackageDescription

// One package, in layers: the C libraries, one client target per store, the domain
// (StatsCore), the runtime every worker shares, the HTTP layer, and thin executables.
// The four workers coordinate only through Redis.
let package = Package(
    name: "txstats",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StatsCore", targets: ["StatsCore"]),
        .executable(name: "importer", targets: ["importer"]),
        .executable(name: "aggregator", targets: ["aggregator"]),
        .executable(name: "dumper", targets: ["dumper"]),
        .executable(name: "api", targets: ["api"]),
        .executable(name: "txstats-bench", targets: ["benchmark"]),
        .executable(name: "txstats-bench-route", targets: ["benchmark-route"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian, found through pkg-config.
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CMongoc", pkgConfig: "libmongoc-1.0", providers: [.apt(["libmongoc-dev", "libbson-dev"])]),

        // Store clients: the only places hiredis and libmongoc are called. No domain.
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "Mongo",
            dependencies: ["CMongoc", .product(name: "Logging", package: "swift-log")]
        ),

        // The domain: model, parsing, calendar, key layout, queue scripts, aggregation, reading.
        .target(name: "StatsCore", dependencies: ["Redis", "Mongo"]),

        // What every long-running executable shares: settings, logging, metrics, lifecycle.
        .target(
            name: "WorkerRuntime",
            dependencies: [
                "StatsCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // The HTTP layer: routes, middleware, assets; `buildApplication` for tests and `api`.
        .target(
            name: "StatsAPI",
            dependencies: [
                "StatsCore",
                "WorkerRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources")]
        ),

        .executableTarget(
            name: "importer",
            dependencies: ["StatsCore", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "aggregator",
            dependencies: ["StatsCore", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "dumper",
            dependencies: ["StatsCore", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "api", dependencies: ["StatsAPI", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "benchmark",
            dependencies: ["StatsCore", "WorkerRuntime", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The api measurement's reference: a trivial Hummingbird route serving the same bytes.
        .executableTarget(name: "benchmark-route", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),

        // Child processes, server launchers, an HTTP client, free ports: for the tests and the
        // benchmark alike.
        .target(name: "TestSupport", dependencies: []),

        .testTarget(name: "StatsCoreTests", dependencies: ["StatsCore", "WorkerRuntime", "Redis"]),
        .testTarget(
            name: "StatsAPITests",
            dependencies: [
                "StatsAPI",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "IntegrationTests", dependencies: ["StatsCore", "WorkerRuntime", "Redis", "Mongo", "TestSupport"]),
    ]
)
