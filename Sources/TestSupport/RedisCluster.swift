import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A private, throwaway Redis Cluster on loopback: `masters` masters with `replicasPerMaster`
/// replicas each, one `redis-server` process per node, for tests and benchmarks that need MOVED,
/// ASK, TRYAGAIN and failovers to really happen.
///
/// The binaries are `redis-server` and `redis-cli` on PATH unless `TXSTATS_TEST_REDIS_SERVER` /
/// `TXSTATS_TEST_REDIS_CLI` name others. Every node runs with AOF (`appendfsync always`), no RDB
/// snapshots and a 2 s node timeout (a killed master's replica takes over in a few seconds). Its
/// files are in `directory`: `nodes-<port>.conf` and `<port>/` (data and `redis.log`) per node,
/// deleted by `stop()` or when the object is dropped.
///
/// Nodes are talked to over a small RESP client of its own, not the project's Redis client, so
/// that this module depends on nothing under test.
public final class RedisCluster: Sendable {
    /// One node, named by its port (its cluster bus is port + 10000).
    public struct Node: Sendable, Hashable, CustomStringConvertible {
        public let port: Int

        public init(port: Int) { self.port = port }

        /// `redis://127.0.0.1:port/0`, as the txstats executables take it.
        public var url: String { "redis://\(Loopback.host):\(port)/0" }

        public var description: String { "\(Loopback.host):\(port)" }
    }

    /// Every node, masters and replicas as created (roles change with failovers: see `masters()`).
    public let nodes: [Node]
    /// Holds every node's config file and data directory.
    public let directory: String
    private let server: String
    private let cli: String
    private let extraArguments: [String]
    private let state: Mutex<State>

    private struct State {
        var processes: [Int: ChildProcess]
        var stopped = false
        var startSeconds = 0.0
    }

    /// Wall-clock seconds from picking ports to the new cluster being healthy.
    public var startSeconds: Double { state.withLock { $0.startSeconds } }

    /// The seed list of every node: "redis://127.0.0.1:P1/0,redis://127.0.0.1:P2/0,…".
    public var urlString: String { nodes.map(\.url).joined(separator: ",") }

    /// The first node's URL, for clients that take a single seed.
    public var firstURL: String { nodes[0].url }

    /// Starts `masters × (1 + replicasPerMaster)` nodes, joins them with `redis-cli --cluster
    /// create` and waits until the cluster is healthy (see `waitUntilHealthy`). `extraArguments`
    /// are appended to every node's command line.
    public init(masters: Int = 3, replicasPerMaster: Int = 1, extraArguments: [String] = []) throws {
        guard masters >= 3, replicasPerMaster >= 0 else {
            throw TestSupportError("a Redis Cluster needs at least 3 masters (asked for \(masters), \(replicasPerMaster) replicas each)")
        }
        let server = try Executables.locate("redis-server", overrideVariable: "TXSTATS_TEST_REDIS_SERVER", hint: "install redis-server")
        let cli = try Executables.locate("redis-cli", overrideVariable: "TXSTATS_TEST_REDIS_CLI", hint: "install redis-tools")
        let directory = try TemporaryDirectory.create(prefix: "txstats-redis-cluster")
        let count = masters * (1 + replicasPerMaster)
        let began = ContinuousClock.now

        // Ports found free can be taken before redis binds them (both the client and the bus
        // port): start over on fresh ports a few times.
        var started: [Int: ChildProcess]?
        var lastError: Error?
        for _ in 1...3 {
            do {
                started = try Self.startNodes(
                    ports: Self.clusterPorts(count: count), server: server, directory: directory, extraArguments: extraArguments)
                break
            } catch {
                lastError = error
            }
        }
        guard let started else {
            try? FileManager.default.removeItem(atPath: directory)
            throw lastError!
        }
        self.server = server
        self.cli = cli
        self.directory = directory
        self.extraArguments = extraArguments
        nodes = started.keys.sorted().map(Node.init(port:))
        state = Mutex(State(processes: started))

        // From here on the object is whole: a failure below runs deinit, which stops the nodes.
        let create = try ChildProcess(
            cli,
            arguments: ["--cluster", "create"] + nodes.map(\.description) + [
                "--cluster-replicas", String(replicasPerMaster), "--cluster-yes",
            ],
            name: "redis-cli --cluster create", stdout: .capture)
        try create.wait(timeout: .seconds(60))
        guard create.exit?.succeeded == true else {
            throw TestSupportError("redis-cli --cluster create failed (\(create.exit!)):\n\(create.standardOutput.suffix(3000))")
        }
        try waitUntilHealthy(timeout: .seconds(60))
        let seconds = began.duration(to: .now).seconds
        state.withLock { $0.startSeconds = seconds }
    }

    deinit { stop() }

    /// Stops every node (SIGTERM to all at once, SIGKILL after 10 s) and deletes `directory`.
    /// Calling it again is harmless.
    public func stop() {
        let processes = state.withLock { s -> [ChildProcess] in
            if s.stopped { return [] }
            s.stopped = true
            return Array(s.processes.values)
        }
        guard !processes.isEmpty else { return }
        for p in processes { p.signal(SIGTERM) }
        for p in processes { p.terminate(grace: .seconds(10)) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Processes

    /// The node's current process (a new one after `restart`), for its CPU time, RSS and exit.
    public func process(_ node: Node) -> ChildProcess {
        guard let process = state.withLock({ $0.processes[node.port] }) else {
            preconditionFailure("\(node) is not a node of this cluster")
        }
        return process
    }

    /// Whether the node's process is running (false after `killMaster`, until `restart`).
    public func isRunning(_ node: Node) -> Bool { process(node).isRunning }

    /// CPU seconds (user + system) the node's current process has used so far.
    public func cpuSeconds(_ node: Node) throws -> Double {
        guard let seconds = process(node).cpuSeconds else { throw TestSupportError("no CPU time for redis-server on \(node)") }
        return seconds
    }

    /// The nodes whose process is running.
    public func liveNodes() -> [Node] { nodes.filter(isRunning) }

    // MARK: Commands

    /// Runs one command on the node at `port` and returns the reply as text, as `redis-cli`
    /// prints it when not on a terminal: a status, integer or bulk reply as itself, nil as "",
    /// an array's elements one per line (nested ones flattened). An error reply is thrown, with
    /// its text (MOVED, ASK, …) in the message.
    public func command(_ port: Int, _ args: [String]) throws -> String {
        try pipeline(port, [args])[0]
    }

    /// Runs `commands` on the node at `port` in one pipeline; the replies as `command` renders
    /// them. Throws on the first error reply.
    public func pipeline(_ port: Int, _ commands: [[String]]) throws -> [String] {
        try RESP.exchange(port: port, commands.map { $0.map { Array($0.utf8) } }).enumerated().map { i, reply in
            if case .error(let message) = reply {
                throw TestSupportError("127.0.0.1:\(port) answered \(commands[i].prefix(4).joined(separator: " ")) with -\(message)")
            }
            return reply.text
        }
    }

    /// The server's slot for `key`: CLUSTER KEYSLOT on a live node.
    public func keySlot(_ key: String) throws -> Int {
        let node = try anyLiveNode()
        guard let slot = Int(try command(node.port, ["CLUSTER", "KEYSLOT", key])) else {
            throw TestSupportError("CLUSTER KEYSLOT on \(node) did not answer an integer")
        }
        return slot
    }

    // MARK: Topology

    /// The live nodes that say they are masters (each asked about itself: its CLUSTER NODES
    /// "myself" line), in port order.
    public func masters() throws -> [Node] {
        try liveNodes().filter { try self.myself($0).isMaster }
    }

    /// The live nodes that say they replicate `master`, in port order.
    public func replicas(of master: Node) throws -> [Node] {
        let id = try nodeID(master)
        return try liveNodes().filter { node in
            let me = try self.myself(node)
            return !me.isMaster && me.masterID == id
        }
    }

    /// The master that owns `slot` in the CLUSTER SLOTS of the first live node.
    public func master(ofSlot slot: Int) throws -> Node {
        guard (0..<16384).contains(slot) else { throw TestSupportError("slot \(slot) is not in 0..<16384") }
        let node = try anyLiveNode()
        guard let range = try slotMap(node).first(where: { $0.range.contains(slot) }) else {
            throw TestSupportError("\(node) has no owner for slot \(slot)")
        }
        return Node(port: range.master)
    }

    /// Waits until every live node says `cluster_state:ok`, every live node's CLUSTER SLOTS is
    /// the same map covering all 16384 slots, and every live replica's link to its master is up
    /// (a replica that never synced would not be allowed to take over).
    public func waitUntilHealthy(timeout: Duration = .seconds(30)) throws {
        let deadline = ContinuousClock.now + timeout
        var problem = ""
        while ContinuousClock.now < deadline {
            if let found = healthProblem() { problem = found } else { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSupportError("Redis Cluster not healthy within \(timeout): \(problem)\n\(logTails())")
    }

    // MARK: Faults

    /// SIGKILLs `node`, a master with at least one replica, and waits (up to 20 s) until one of
    /// its replicas has been promoted and the live nodes are healthy again; returns the new
    /// master.
    @discardableResult
    public func killMaster(_ node: Node) throws -> Node {
        guard try myself(node).isMaster else { throw TestSupportError("\(node) is not a master") }
        let candidates = try replicas(of: node)
        guard !candidates.isEmpty else { throw TestSupportError("\(node) has no replica to take over") }
        process(node).kill()
        let deadline = ContinuousClock.now + .seconds(20)
        var problem = "none of \(candidates) has been promoted"
        while ContinuousClock.now < deadline {
            if let promoted = candidates.first(where: { (try? self.myself($0).isMaster) == true }) {
                if let found = healthProblem() { problem = found } else { return promoted }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSupportError("no failover of \(node) within 20 s: \(problem)\n\(logTails())")
    }

    /// Starts a killed node again on its port, directory and config file: a master that was
    /// failed over meanwhile rejoins as a replica of the node that took its slots. Waits until
    /// the cluster is healthy with it.
    public func restart(_ node: Node) throws {
        let old = process(node)
        guard !old.isRunning else { throw TestSupportError("\(node) is still running") }
        let child = try Self.startNode(port: node.port, server: server, directory: directory, extraArguments: extraArguments)
        state.withLock { $0.processes[node.port] = child }
        try waitUntilHealthy(timeout: .seconds(30))
    }

    // MARK: Resharding

    /// Moves `slot` and its keys to the master `target` while the cluster serves, as
    /// `redis-cli --cluster reshard` does; returns once every live node agrees on the new owner.
    public func migrate(slot: Int, to target: Node) throws {
        try migrateSlowly(slot: slot, to: target, pauseBetweenBatches: .zero, keysPerBatch: 100)
    }

    /// `migrate`, with a pause before each batch of `keysPerBatch` keys (and before finding
    /// the slot empty), so the slot stays MIGRATING / IMPORTING at least `pauseBetweenBatches`
    /// while clients work: they meet ASK, and TRYAGAIN for multi-key commands whose keys are
    /// split between the two masters.
    public func migrateSlowly(slot: Int, to target: Node, pauseBetweenBatches: Duration, keysPerBatch: Int) throws {
        let source = try master(ofSlot: slot)
        guard source != target else { return }
        guard try myself(target).isMaster else { throw TestSupportError("\(target) is not a master") }
        let sourceID = try nodeID(source)
        let targetID = try nodeID(target)
        let s = String(slot)
        // Importing first: from the moment the source says MIGRATING, it sends ASK to the target.
        _ = try command(target.port, ["CLUSTER", "SETSLOT", s, "IMPORTING", sourceID])
        _ = try command(source.port, ["CLUSTER", "SETSLOT", s, "MIGRATING", targetID])
        while true {
            if pauseBetweenBatches > .zero { Thread.sleep(forTimeInterval: pauseBetweenBatches.seconds) }
            // Keys as bytes: a key need not be UTF-8, and MIGRATE must name it exactly.
            let keys = try RESP.exchange(port: source.port, [["CLUSTER", "GETKEYSINSLOT", s, String(keysPerBatch)].map { Array($0.utf8) }])
            guard case .array(let items) = keys[0] else { throw TestSupportError("CLUSTER GETKEYSINSLOT on \(source): \(keys[0].text)") }
            let names = items.compactMap { item -> [UInt8]? in if case .bulk(let b) = item { b } else { nil } }
            if names.isEmpty { break }
            let migrate =
                ["MIGRATE", Loopback.host, String(target.port), "", "0", "5000", "KEYS"].map { Array($0.utf8) } + names
            let reply = try RESP.exchange(port: source.port, [migrate])[0]
            if case .error(let message) = reply {
                throw TestSupportError("MIGRATE of slot \(slot) from \(source) to \(target): -\(message)")
            }
        }
        // The target first (it bumps its config epoch, so its claim wins in gossip), then the
        // source, then every other master, so none sends a client to the old owner.
        _ = try command(target.port, ["CLUSTER", "SETSLOT", s, "NODE", targetID])
        _ = try command(source.port, ["CLUSTER", "SETSLOT", s, "NODE", targetID])
        for other in try masters() where other != target && other != source {
            _ = try command(other.port, ["CLUSTER", "SETSLOT", s, "NODE", targetID])
        }
        try waitUntilHealthy(timeout: .seconds(20))
    }

    // MARK: Private

    private func anyLiveNode() throws -> Node {
        guard let node = liveNodes().first else { throw TestSupportError("no Redis Cluster node is running") }
        return node
    }

    private func nodeID(_ node: Node) throws -> String { try command(node.port, ["CLUSTER", "MYID"]) }

    /// What a node says about itself in CLUSTER NODES.
    private struct Myself {
        var isMaster: Bool
        var masterID: String?
    }

    private func myself(_ node: Node) throws -> Myself {
        let text = try command(node.port, ["CLUSTER", "NODES"])
        // <id> <ip:port@bus> <flags> <master-id or -> <ping> <pong> <epoch> <link> <slots…>
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 8 else { continue }
            let flags = f[2].split(separator: ",")
            guard flags.contains("myself") else { continue }
            return Myself(isMaster: flags.contains("master"), masterID: f[3] == "-" ? nil : String(f[3]))
        }
        throw TestSupportError("\(node): no myself line in CLUSTER NODES:\n\(text)")
    }

    /// One CLUSTER SLOTS entry, reduced to ports.
    private struct SlotRange: Equatable, CustomStringConvertible {
        var range: ClosedRange<Int>
        var master: Int
        var replicas: [Int]
        var description: String { "\(range.lowerBound)-\(range.upperBound)@\(master)\(replicas)" }
    }

    private func slotMap(_ node: Node) throws -> [SlotRange] {
        let reply = try RESP.exchange(port: node.port, [["CLUSTER", "SLOTS"].map { Array($0.utf8) }])[0]
        guard case .array(let entries) = reply else { throw TestSupportError("CLUSTER SLOTS on \(node): \(reply.text)") }
        // [start, end, [ip, port, id, …] of the master, the same for each replica…]
        return try entries.map { entry in
            guard case .array(let f) = entry, f.count >= 3, case .integer(let start) = f[0], case .integer(let end) = f[1] else {
                throw TestSupportError("CLUSTER SLOTS on \(node): unexpected entry \(entry.text)")
            }
            let ports = try f[2...].map { holder in
                guard case .array(let h) = holder, h.count >= 2, case .integer(let port) = h[1] else {
                    throw TestSupportError("CLUSTER SLOTS on \(node): unexpected node \(holder.text)")
                }
                return port
            }
            return SlotRange(range: start...end, master: ports[0], replicas: ports.dropFirst().sorted())
        }.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// Why the live nodes are not healthy yet, or nil when they are.
    private func healthProblem() -> String? {
        let live = liveNodes()
        guard !live.isEmpty else { return "no node is running" }
        var reference: (node: Node, map: [SlotRange])?
        for node in live {
            do {
                let info = try command(node.port, ["CLUSTER", "INFO"])
                guard info.contains("cluster_state:ok") else { return "\(node) is not cluster_state:ok" }
                let map = try slotMap(node)
                var next = 0
                for r in map {
                    guard r.range.lowerBound == next else { return "\(node) has no owner for slot \(next)" }
                    next = r.range.upperBound + 1
                }
                guard next == 16384 else { return "\(node) has no owner for slot \(next)" }
                if let reference, reference.map != map {
                    return "\(node) and \(reference.node) disagree on the slot map: \(map) vs \(reference.map)"
                }
                reference = reference ?? (node, map)
                let replication = try command(node.port, ["INFO", "replication"])
                if replication.contains("role:slave") && !replication.contains("master_link_status:up") {
                    return "\(node)'s link to its master is down"
                }
            } catch {
                return "\(node): \(error)"
            }
        }
        return nil
    }

    private func logTails() -> String {
        let processes = state.withLock { $0.processes }
        return processes.keys.sorted().map { port in
            let p = processes[port]!
            return "--- 127.0.0.1:\(port) (\(p.exit.map { "\($0)" } ?? "running")):\n\(p.logTail(lines: 12))"
        }.joined(separator: "\n")
    }

    /// Starts one process per port and waits until each answers PING; on any failure kills
    /// the ones started, removes their files and throws.
    private static func startNodes(ports: [Int], server: String, directory: String, extraArguments: [String]) throws -> [Int: ChildProcess]
    {
        var started: [Int: ChildProcess] = [:]
        do {
            for port in ports {
                started[port] = try startNode(port: port, server: server, directory: directory, extraArguments: extraArguments, wait: false)
            }
            for port in ports { try waitForPing(started[port]!, port: port) }
            return started
        } catch {
            for p in started.values { p.kill() }
            for port in ports {
                try? FileManager.default.removeItem(atPath: "\(directory)/\(port)")
                try? FileManager.default.removeItem(atPath: "\(directory)/nodes-\(port).conf")
            }
            throw error
        }
    }

    private static func startNode(port: Int, server: String, directory: String, extraArguments: [String], wait: Bool = true) throws
        -> ChildProcess
    {
        let dir = "\(directory)/\(port)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let arguments =
            [
                "--port", String(port), "--cluster-enabled", "yes", "--cluster-config-file", "\(directory)/nodes-\(port).conf",
                "--cluster-node-timeout", "2000", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir,
                "--bind", Loopback.host, "--save", "", "--daemonize", "no",
                // As deploy/ runs Redis: aggregate hashes of hundreds of fields as hash tables.
                "--hash-max-listpack-entries", "128",
                // A master otherwise waits 5 s for more replicas before a full sync, which
                // replicas need at creation and after a restart.
                "--repl-diskless-sync-delay", "0",
            ] + extraArguments
        let child = try ChildProcess(server, arguments: arguments, name: "redis-server:\(port)", stdout: .appending("\(dir)/redis.log"))
        if wait {
            do { try waitForPing(child, port: port) } catch {
                child.kill()
                throw error
            }
        }
        return child
    }

    private static func waitForPing(_ child: ChildProcess, port: Int) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            // Checked after the PING too: a node that lost a port race exits, and another
            // test's server may have answered.
            if case .status("PONG")? = try? RESP.exchange(port: port, [[Array("PING".utf8)]], timeout: .milliseconds(200)).first,
                child.poll() == nil
            {
                return
            }
            if let exit = child.poll() {
                throw TestSupportError("redis-server on port \(port) exited at start (\(exit)):\n\(child.logTail())")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw TestSupportError("redis-server did not answer PING on port \(port) within 10 s:\n\(child.logTail())")
    }

    /// `count` distinct ports that, with their bus ports (+ 10000), nobody listens on now.
    /// Drawn at random below the kernel's ephemeral range, so that neither port is one the
    /// kernel is handing out to `Loopback.freePort` or outgoing connections meanwhile.
    private static func clusterPorts(count: Int) throws -> [Int] {
        let ephemeralLow =
            (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { Int($0.split(whereSeparator: \.isWhitespace).first ?? "") } ?? 32768
        let range = ephemeralLow - 10_001 >= 12_000 ? 10_000...(ephemeralLow - 10_001) : 1024...55535
        var ports: [Int] = []
        var taken = Set<Int>()
        for _ in 0..<10_000 where ports.count < count {
            let port = Int.random(in: range)
            guard !taken.contains(port), !taken.contains(port + 10_000), canBind(port), canBind(port + 10_000) else { continue }
            ports.append(port)
            taken.formUnion([port, port + 10_000])
        }
        guard ports.count == count else { throw TestSupportError("found only \(ports.count) of \(count) free port pairs in \(range)") }
        return ports
    }

    /// Whether 127.0.0.1:`port` can be bound now, with SO_REUSEADDR as redis binds it (a port
    /// in TIME_WAIT is fine for redis, so it is fine here).
    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = Loopback.address(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// The few RESP2 replies the launcher reads, and one pipelined exchange on a fresh
    /// connection per call (cheap on loopback, and no connection state to keep per node).
    private enum RESP {
        indirect enum Reply {
            case status(String)
            case error(String)
            case integer(Int)
            case bulk([UInt8])
            case null
            case array([Reply])

            /// As `redis-cli` prints it to a pipe.
            var text: String {
                switch self {
                case .status(let s), .error(let s): s
                case .integer(let n): String(n)
                case .bulk(let b): String(decoding: b, as: UTF8.self)
                case .null: ""
                case .array(let items): items.map(\.text).joined(separator: "\n")
                }
            }
        }

        static func exchange(port: Int, _ commands: [[[UInt8]]], timeout: Duration = .seconds(10)) throws -> [Reply] {
            let connection = try LoopbackConnection(port: port, timeout: timeout)
            var request: [UInt8] = []
            for words in commands {
                request += Array("*\(words.count)\r\n".utf8)
                for w in words { request += Array("$\(w.count)\r\n".utf8) + w + [13, 10] }
            }
            try connection.send(request)
            var buffer: [UInt8] = []
            var position = 0
            var replies: [Reply] = []
            while replies.count < commands.count {
                if let (reply, next) = parse(buffer, at: position) {
                    replies.append(reply)
                    position = next
                    continue
                }
                let chunk = try connection.receive()
                guard !chunk.isEmpty else {
                    throw TestSupportError("127.0.0.1:\(port) closed the connection after \(replies.count) of \(commands.count) replies")
                }
                buffer += chunk
            }
            return replies
        }

        /// The reply starting at `start` and the index after it, or nil if `b` ends first.
        static func parse(_ b: [UInt8], at start: Int) -> (Reply, Int)? {
            guard start < b.count, let lineEnd = crlf(b, from: start + 1) else { return nil }
            let line = String(decoding: b[(start + 1)..<lineEnd], as: UTF8.self)
            let next = lineEnd + 2
            switch b[start] {
            case UInt8(ascii: "+"): return (.status(line), next)
            case UInt8(ascii: "-"): return (.error(line), next)
            case UInt8(ascii: ":"): return (.integer(Int(line) ?? 0), next)
            case UInt8(ascii: "$"):
                let n = Int(line) ?? -1
                if n < 0 { return (.null, next) }
                guard b.count >= next + n + 2 else { return nil }
                return (.bulk(Array(b[next..<(next + n)])), next + n + 2)
            case UInt8(ascii: "*"):
                let n = Int(line) ?? -1
                if n < 0 { return (.null, next) }
                var items: [Reply] = []
                var position = next
                for _ in 0..<n {
                    guard let (item, after) = parse(b, at: position) else { return nil }
                    items.append(item)
                    position = after
                }
                return (.array(items), position)
            default:
                return (.error("unparsable reply starting \(line.prefix(40))"), next)
            }
        }

        private static func crlf(_ b: [UInt8], from: Int) -> Int? {
            var i = from
            while i + 1 < b.count {
                if b[i] == 13 && b[i + 1] == 10 { return i }
                i += 1
            }
            return nil
        }
    }
}
