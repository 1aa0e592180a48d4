import Testing

/// Every route of `buildApplication`, in-process through HummingbirdTesting's router client,
/// over one real redis-server and SecantusDB seeded by the real importer, aggregator and dumper
/// (see ``Stores``). The nested suites (in the other files) share those stores; each test builds
/// its own application over them.
@Suite("StatsAPI routes, in-process", .seededStores)
struct Routes {}
