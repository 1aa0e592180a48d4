import Redis

/// Settings every worker shares.
public struct CoreSettings: Sendable {
    /// The Redis server, or seed nodes of a Redis Cluster (`REDIS_URL`).
    public var redis: RedisSeeds
    public var queue: String
    /// Queues the work is split into (`TXSTATS_PARTITIONS`, see ``Partitioning``).
    public var partitions: Int
    /// Replicas a step waits for before it counts as done (`TXSTATS_REDIS_WAIT_REPLICAS`); nil:
    /// one on a cluster whose masters have replicas, none otherwise.
    public var replicaWait: Int?
    public var timeZone: String
    /// The currency of items that name none (`TXSTATS_CURRENCY`).
    public var currency: Currency
    /// Ids are remembered for this many days after their transaction's day (`TXSTATS_LEDGER_DAYS`).
    public var ledgerDays: Int

    /// How long a step waits for its replicas (`WAIT`) before it counts as unconfirmed.
    public static let replicaWaitMilliseconds = 2000

    /// Replicas each step waits for: the setting, else what `redis` finds (one on a cluster whose
    /// masters all have replicas, none otherwise).
    public func replicasToWait(_ redis: RedisClient) throws(RedisError) -> Int {
        if let replicaWait { return replicaWait }
        return try redis.defaultReplicaWait()
    }

    /// Partition 0's keys: also where fleet-wide keys live (the dumper's lease, dump requests).
    public var keys: KeyLayout { KeyLayout(queue: queue) }

    /// Every partition's keys, partition 0 first.
    public var partitionKeys: [KeyLayout] { Partitioning.layouts(queue: queue, count: partitions) }

    public init(
        redis: RedisSeeds, queue: String, timeZone: String, currency: Currency, ledgerDays: Int = 35, partitions: Int = 1,
        replicaWait: Int? = nil
    ) {
        self.redis = redis
        self.queue = queue
        self.partitions = partitions
        self.replicaWait = replicaWait
        self.timeZone = timeZone
        self.currency = currency
        self.ledgerDays = ledgerDays
    }
}
