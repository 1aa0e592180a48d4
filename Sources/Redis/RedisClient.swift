import Glibc
import Logging

/// The client every worker uses: one Redis server, or a Redis Cluster, told apart by asking the
/// server (`CLUSTER SLOTS`), so a deployment changes nothing but `REDIS_URL`.
///
/// On a single server every call goes straight to one ``RedisConnection``, exactly as before.
/// On a cluster each command goes to the master of its key's slot (``RedisSlot``); a pipeline is
/// split per node and its replies are given back in the order the commands were sent.
/// Redirections are followed: `MOVED` updates the slot map (and reloads it), `ASK` sends one
/// `ASKING` first, `TRYAGAIN` (a multi-key command while its slot migrates) and `CLUSTERDOWN`
/// (a failover under way) are retried with backoff for a while, then returned as they are —
/// both are transient (``RedisError/isTransient``), so the caller's own backoff takes over. A
/// redirected command has not run where it was refused, so sending it again runs it once.
///
/// Like ``RedisConnection`` it is not `Sendable`: one thread owns it. Every call blocks.
/// After an I/O error the connections with replies still unread are dropped (their streams
/// no longer line up with the commands), the slot map is reloaded before the next command,
/// and the error is thrown: callers retry with backoff as with one server.
public final class RedisClient: RedisPipelining {
    public let seeds: RedisSeeds
    public let connectTimeout: Duration
    public let socketTimeout: Duration
    /// Where connections log "lost" and "reconnected"; the workers set their own.
    public var logger = Logger(label: "txstats.redis") {
        didSet { for n in nodes { n.connection.logger = logger } }
    }

    private enum Mode { case unknown, standalone, cluster }
    private var mode = Mode.unknown
    /// Connections by node; in standalone mode the only one is the server.
    private var nodes: [Node] = []
    /// The master of each slot, as an index into `nodes` (-1: not known).
    private var slotOwner = [Int16](repeating: -1, count: RedisSlot.count)
    private var mapIsStale = true
    /// The fewest replicas any master has, from the last slot map (0 on a single server).
    public private(set) var replicasPerMaster = 0
    /// Scripts loaded anywhere, by SHA, to load again on a node that answers NOSCRIPT.
    private var scriptsBySHA: [String: RedisScript] = [:]
    /// Cluster mode: the commands sent and not yet answered, oldest first.
    private var inFlight: [Sent] = []
    private var inFlightHead = 0

    final class Node {
        let host: String
        let port: Int
        let connection: RedisConnection
        /// Replies the socket holds for commands sent, not yet read.
        var unread = 0
        /// Replies read ahead of their turn (to talk to the node meanwhile), oldest first.
        var early: [RedisReply] = []
        init(host: String, port: Int, connection: RedisConnection) {
            self.host = host
            self.port = port
            self.connection = connection
        }
    }

    struct Sent {
        var node: Int
        var command: RedisCommand
    }

    public init(seeds: RedisSeeds, connectTimeout: Duration = .seconds(2), socketTimeout: Duration = .seconds(15)) {
        self.seeds = seeds
        self.connectTimeout = connectTimeout
        self.socketTimeout = socketTimeout
    }

    public convenience init(url: RedisURL, connectTimeout: Duration = .seconds(2), socketTimeout: Duration = .seconds(15)) {
        self.init(seeds: RedisSeeds(url), connectTimeout: connectTimeout, socketTimeout: socketTimeout)
    }

    /// True once the server was found to be a cluster node.
    public var isCluster: Bool { mode == .cluster }

    public func close() {
        for n in nodes { n.connection.close() }
        forgetInFlight()
    }

    /// Connects and finds out whether this is a cluster (and if so, its slot map).
    public func connect() throws(RedisError) {
        try prepare()
    }

    // MARK: commands

    /// Writes commands without waiting for their replies; collect them with ``receive(_:)``, in
    /// order. On a cluster, a command without a key (MULTI, EXEC, WAIT) goes to the node of the
    /// nearest command before it that has one (or after it, for a leading MULTI).
    public func send(pipelined commands: some Collection<RedisCommand>) throws(RedisError) {
        try prepare()
        if mode == .standalone { return try nodes[0].connection.send(pipelined: commands) }
        var targets: [Int] = []
        targets.reserveCapacity(commands.count)
        var previous: Int?
        var leading = 0
        for command in commands {
            if let slot = Self.slot(of: command) {
                let node = try owner(of: slot)
                if previous == nil { targets.append(contentsOf: repeatElement(node, count: leading)) }
                targets.append(node)
                previous = node
            } else if let previous {
                targets.append(previous)
            } else {
                leading += 1
            }
        }
        if previous == nil { targets.append(contentsOf: repeatElement(try anyMaster(), count: leading)) }
        var perNode: [Int: [RedisCommand]] = [:]
        for (command, node) in zip(commands, targets) {
            perNode[node, default: []].append(command)
            inFlight.append(Sent(node: node, command: command))
        }
        do {
            for (node, list) in perNode {
                try nodes[node].connection.send(pipelined: list)
                nodes[node].unread += list.count
            }
        } catch {
            dropUnaligned()
            throw error
        }
    }

    /// Reads the replies of the `count` oldest commands sent and not yet answered.
    public func receive(_ count: Int) throws(RedisError) -> [RedisReply] {
        if mode == .standalone { return try nodes[0].connection.receive(count) }
        guard inFlight.count - inFlightHead >= count else {
            throw .protocolViolation("asked for \(count) replies, \(inFlight.count - inFlightHead) commands are waiting")
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(count)
        do {
            for _ in 0..<count {
                let sent = inFlight[inFlightHead]
                inFlightHead += 1
                var reply = try next(from: sent.node)
                if case .error(let message) = reply, Self.isRedirection(message) {
                    reply = try follow(sent.command, refusedBy: sent.node, with: message)
                }
                replies.append(reply)
            }
        } catch {
            dropUnaligned()
            throw error
        }
        if inFlightHead == inFlight.count { forgetInFlight() }
        return replies
    }

    // MARK: Lua scripts

    /// Runs a script by SHA, loading it first where it is missing.
    public func evalScript(_ script: RedisScript, keys: [String], args: RedisCommand) throws(RedisError) -> RedisReply {
        let command = try scriptCommand(script, keys: keys, args: args)
        let reply = try send(command)
        if case .error(let m) = reply, m.hasPrefix("NOSCRIPT"), mode == .standalone {
            nodes[0].connection.forgetScripts()
            return try send(try scriptCommand(script, keys: keys, args: args))
        }
        return reply
    }

    /// EVALSHA command for pipelining; the script is loaded on the node of its first key.
    public func scriptCommand(_ script: RedisScript, keys: [String], args: RedisCommand) throws(RedisError) -> RedisCommand {
        let sha = try load(script, forKey: keys.first)
        return RedisCommand(evalSHA: sha, keys: keys, args: args)
    }

    @discardableResult
    public func load(_ script: RedisScript, forKey key: String? = nil) throws(RedisError) -> String {
        try prepare()
        var node = 0
        if mode == .cluster {
            if let key { node = try owner(of: RedisSlot.of(key)) } else { node = try anyMaster() }
        }
        let sha = try guarded { () throws(RedisError) -> String in
            if nodes[node].unread > 0 || !nodes[node].early.isEmpty, !nodes[node].connection.hasLoaded(script) {
                try readAhead(node)
            }
            return try nodes[node].connection.load(script)
        }
        scriptsBySHA[sha] = script
        return sha
    }

    /// A call made outside ``send(pipelined:)``/``receive(_:)``: on an error, as there, the
    /// connections with unread replies are dropped and the slot map is reloaded before the next
    /// command (the node may have died: a failover).
    private func guarded<T>(_ body: () throws(RedisError) -> T) throws(RedisError) -> T {
        do {
            return try body()
        } catch {
            if mode == .cluster { dropUnaligned() }
            throw error
        }
    }

    // MARK: replication

    /// `WAIT replicas timeout` on the master of `key`'s slot: how many replicas have every write
    /// this client made there. Sent alone; use it after the step it guards has been answered.
    public func waitForReplicas(_ replicas: Int, timeoutMilliseconds: Int, afterWritingTo key: String) throws(RedisError) -> Int {
        try prepare()
        let node = mode == .standalone ? 0 : try owner(of: RedisSlot.of(key))
        let wait = RedisCommand(waitFor: replicas, timeoutMilliseconds: timeoutMilliseconds)
        return try guarded { () throws(RedisError) -> Int in
            try readAhead(node)
            return Int(try nodes[node].connection.send(wait).check().int ?? 0)
        }
    }

    /// Replicas to wait for when the setting leaves it open: one on a cluster whose masters all
    /// have replicas, none otherwise. Asked of each master (`INFO replication`): `CLUSTER SLOTS`
    /// leaves out replicas that have not synced anything yet, as on a fresh cluster.
    public func defaultReplicaWait() throws(RedisError) -> Int {
        try prepare()
        guard mode == .cluster else { return 0 }
        var fewest = Int.max
        for master in Set(slotOwner.filter { $0 >= 0 }.map(Int.init)).sorted() {
            let info = try guarded { () throws(RedisError) -> String in
                try readAhead(master)
                return try nodes[master].connection.run("INFO", "replication").check().text ?? ""
            }
            let line = info.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).first { $0.hasPrefix("connected_slaves:") }
            fewest = min(fewest, line.flatMap { Int($0.dropFirst("connected_slaves:".count)) } ?? 0)
        }
        return fewest != .max && fewest > 0 ? 1 : 0
    }

    // MARK: routing

    private func prepare() throws(RedisError) {
        switch mode {
        case .standalone: return
        case .cluster: if mapIsStale { try refreshSlotMap() }
        case .unknown: try discover()
        }
    }

    /// Asks the seeds, in turn, for their slot map; a server without cluster support is the
    /// single server this client then talks to.
    private func discover() throws(RedisError) {
        var lastError = RedisError.connection("no Redis seed reachable")
        for url in seeds.urls {
            let connection = RedisConnection(url: url, connectTimeout: connectTimeout, socketTimeout: socketTimeout)
            connection.logger = logger
            do {
                let reply = try connection.run("CLUSTER", "SLOTS")
                if case .error = reply {
                    // "ERR This instance has cluster support disabled" (or CLUSTER not allowed).
                    nodes = [Node(host: url.host, port: url.port, connection: connection)]
                    mode = .standalone
                    return
                }
                guard url.database == 0 else {
                    throw RedisError.server("CONFIG a Redis Cluster has only database 0; REDIS_URL names database \(url.database)")
                }
                nodes = [Node(host: url.host, port: url.port, connection: connection)]
                mode = .cluster
                try apply(slots: reply, askedNode: 0)
                logger.info(
                    "Redis Cluster found",
                    metadata: ["masters": "\(Set(slotOwner).count)", "replicas_per_master": "\(replicasPerMaster)", "seed": "\(url)"])
                return
            } catch let error as RedisError {
                if case .server = error { throw error }
                lastError = error
            } catch {
                lastError = .connection("\(error)")
            }
        }
        throw lastError
    }

    private func refreshSlotMap() throws(RedisError) {
        var lastError = RedisError.connection("no cluster node reachable")
        // Known masters first, then every other known node, then the seeds.
        let masters = Set(slotOwner.filter { $0 >= 0 }.map(Int.init))
        var order = masters.sorted() + nodes.indices.filter { !masters.contains($0) }
        for url in seeds.urls { order.append(node(host: url.host, port: url.port)) }
        var seen = Set<Int>()
        for index in order where seen.insert(index).inserted {
            do {
                try readAhead(index)
                let reply = try nodes[index].connection.run("CLUSTER", "SLOTS")
                if case .error(let m) = reply {
                    lastError = .server(m)
                    continue
                }
                try apply(slots: reply, askedNode: index)
                return
            } catch let error as RedisError {
                lastError = error
            } catch {
                lastError = .connection("\(error)")
            }
        }
        throw lastError
    }

    /// Builds the slot map from a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id], replica…], …]`.
    private func apply(slots reply: RedisReply, askedNode: Int) throws(RedisError) {
        guard let ranges = reply.array else { throw .protocolViolation("CLUSTER SLOTS returned \(reply)") }
        var owners = [Int16](repeating: -1, count: RedisSlot.count)
        var fewestReplicas = Int.max
        for range in ranges {
            guard let r = range.array, r.count >= 3, let start = r[0].int, let end = r[1].int, 0 <= start, start <= end,
                end < RedisSlot.count, let master = r[2].array, master.count >= 2, let port = master[1].int, (1...65535).contains(port)
            else { throw .protocolViolation("CLUSTER SLOTS entry \(range)") }
            var host = master[0].text ?? ""
            if host.isEmpty || host == "?" { host = nodes[askedNode].host } // "the node you asked"
            let index = Int16(node(host: host, port: Int(port)))
            for slot in Int(start)...Int(end) { owners[slot] = index }
            fewestReplicas = min(fewestReplicas, r.count - 3)
        }
        slotOwner = owners
        replicasPerMaster = fewestReplicas == .max ? 0 : fewestReplicas
        mapIsStale = false
    }

    /// The index of a node's connection, made on first use (with the seeds' user and password).
    private func node(host: String, port: Int) -> Int {
        if let i = nodes.firstIndex(where: { $0.port == port && $0.host == host }) { return i }
        var url = seeds.first
        url.host = host
        url.port = port
        url.database = 0
        let connection = RedisConnection(url: url, connectTimeout: connectTimeout, socketTimeout: socketTimeout)
        connection.logger = logger
        nodes.append(Node(host: host, port: port, connection: connection))
        return nodes.count - 1
    }

    private func owner(of slot: Int) throws(RedisError) -> Int {
        if slotOwner[slot] < 0 { try refreshSlotMap() }
        guard slotOwner[slot] >= 0 else { throw .server("CLUSTERDOWN slot \(slot) has no master in the slot map") }
        return Int(slotOwner[slot])
    }

    private func anyMaster() throws(RedisError) -> Int { try owner(of: 0) }

    /// The slot of a command's first key, or nil for a command without one.
    static func slot(of command: RedisCommand) -> Int? {
        let ends = command.ends
        guard ends.count >= 2 else { return nil }
        return command.bytes.withUnsafeBufferPointer { b -> Int? in
            let name = UnsafeBufferPointer(rebasing: b[0..<ends[0]])
            func argument(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[ends[i - 1]..<ends[i]]) }
            if keyless(name) { return nil }
            if isScript(name) {
                guard ends.count >= 4, let n = Int(String(decoding: argument(2), as: UTF8.self)), n > 0 else { return nil }
                return RedisSlot.of(argument(3))
            }
            return RedisSlot.of(argument(1))
        }
    }

    private static let keylessNames: Set<String> = [
        "PING", "INFO", "WAIT", "MULTI", "EXEC", "DISCARD", "SCRIPT", "CONFIG", "CLUSTER", "TIME", "DBSIZE", "ASKING",
        "READONLY", "READWRITE", "FLUSHALL", "FLUSHDB", "SELECT", "AUTH", "HELLO", "CLIENT", "COMMAND", "ECHO", "LASTSAVE",
        "SAVE", "BGSAVE", "BGREWRITEAOF", "SLOWLOG", "LATENCY", "FUNCTION", "DEBUG", "ROLE", "SHUTDOWN", "RESET",
    ]

    private static func keyless(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count <= 12 else { return false }
        return keylessNames.contains(String(decoding: name, as: UTF8.self).uppercased())
    }

    private static func isScript(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count >= 4, name.count <= 10 else { return false }
        let upper = String(decoding: name, as: UTF8.self).uppercased()
        return upper == "EVALSHA" || upper == "EVAL" || upper == "EVALSHA_RO" || upper == "EVAL_RO" || upper == "FCALL"
            || upper == "FCALL_RO"
    }

    // MARK: redirections

    static func isRedirection(_ message: String) -> Bool {
        message.hasPrefix("MOVED ") || message.hasPrefix("ASK ") || message.hasPrefix("TRYAGAIN") || message.hasPrefix("CLUSTERDOWN")
            || message.hasPrefix("NOSCRIPT")
    }

    /// How long a command keeps being retried while its slot migrates or its shard fails over.
    static let redirectionPatience = Duration.seconds(20)

    /// Sends a refused command again where the cluster says, until it is answered otherwise.
    private func follow(_ command: RedisCommand, refusedBy first: Int, with message: String) throws(RedisError) -> RedisReply {
        var refusedBy = first
        var reply = RedisReply.error(message)
        let deadline = ContinuousClock.now + Self.redirectionPatience
        var pause = Duration.milliseconds(5)
        var hops = 0
        while case .error(let m) = reply, Self.isRedirection(m) {
            hops += 1
            if m.hasPrefix("MOVED ") || m.hasPrefix("ASK ") {
                guard let (slot, host, port) = Self.parseRedirection(m) else { return reply }
                let target = node(host: host.isEmpty ? nodes[refusedBy].host : host, port: port)
                if m.hasPrefix("MOVED ") {
                    slotOwner[slot] = Int16(target)
                    mapIsStale = true // the rest of the map may have moved too: reloaded before the next command
                    reply = try exchange(target, [command])[0]
                } else {
                    reply = try exchange(target, [RedisCommand("ASKING"), command])[1]
                }
                refusedBy = target
                if hops > 16 { return reply }
            } else if m.hasPrefix("NOSCRIPT") {
                guard let sha = command.arguments.dropFirst().first, let script = scriptsBySHA[sha], hops <= 3 else { return reply }
                try readAhead(refusedBy)
                nodes[refusedBy].connection.forgetScripts()
                _ = try nodes[refusedBy].connection.load(script)
                reply = try exchange(refusedBy, [command])[0]
            } else {
                // TRYAGAIN: the slot is migrating and this command's keys are split; CLUSTERDOWN:
                // a shard has no master yet. Both pass: wait, reload the map, send again.
                guard ContinuousClock.now + pause < deadline else { return reply }
                Self.sleep(pause)
                pause = min(pause * 2, .milliseconds(500))
                if m.hasPrefix("CLUSTERDOWN") { try refreshSlotMap() }
                guard let slot = Self.slot(of: command) else { return reply }
                refusedBy = try owner(of: slot)
                reply = try exchange(refusedBy, [command])[0]
            }
        }
        return reply
    }

    /// `MOVED 3999 127.0.0.1:6381` → (3999, "127.0.0.1", 6381).
    static func parseRedirection(_ message: String) -> (slot: Int, host: String, port: Int)? {
        let parts = message.split(separator: " ")
        guard parts.count >= 3, let slot = Int(parts[1]), (0..<RedisSlot.count).contains(slot),
            let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        return (slot, String(parts[2][..<colon]), port)
    }

    /// Commands sent to one node now, after reading ahead whatever it owes from before.
    private func exchange(_ node: Int, _ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        try readAhead(node)
        return try nodes[node].connection.pipeline(commands)
    }

    private func readAhead(_ node: Int) throws(RedisError) {
        let n = nodes[node]
        if n.unread > 0 {
            n.early.append(contentsOf: try n.connection.receive(n.unread))
            n.unread = 0
        }
    }

    private func next(from node: Int) throws(RedisError) -> RedisReply {
        let n = nodes[node]
        if !n.early.isEmpty { return n.early.removeFirst() }
        n.unread -= 1
        return try n.connection.receive(1)[0]
    }

    /// After an error: a connection whose replies no longer match the commands is closed; the
    /// map is reloaded before the next command (the error may be a failover).
    private func dropUnaligned() {
        for n in nodes where n.unread > 0 || !n.early.isEmpty {
            n.connection.close()
        }
        forgetInFlight()
        mapIsStale = true
    }

    private func forgetInFlight() {
        inFlight.removeAll(keepingCapacity: true)
        inFlightHead = 0
        for n in nodes {
            n.unread = 0
            n.early.removeAll()
        }
    }

    private static func sleep(_ d: Duration) {
        let (s, atto) = d.components
        var ts = timespec(tv_sec: Int(s), tv_nsec: Int(atto / 1_000_000_000))
        var left = timespec()
        while nanosleep(&ts, &left) != 0 && errno == EINTR { ts = left }
    }
}
