import Hummingbird
import Redis
import StatsCore

/// `/api/v1/admin/*`, behind `Authorization: Bearer <TXSTATS_ADMIN_TOKEN>` (the group they
/// are added to checks it). Without a token configured the routes are not registered at all
/// (404 for every method); a missing or wrong token is a 401.
extension StatsApp {
    func addAdminRoutes(to admin: RouterGroup<BasicRequestContext>) {
        admin.post("dump") { _, _ in
            try await store.read { reader in
                do {
                    _ = try reader.redis.withConnection { c in
                        try c.pipeline([
                            RedisCommand(["LPUSH", reader.keys.dumpRequests, "api"]),
                            RedisCommand(["LTRIM", reader.keys.dumpRequests, "0", "9"]),
                        ])
                    }
                } catch { throw StatsReader.ReadError(source: "Redis", message: "\(error)") }
            }
            return JSONBody.response("{\"status\":\"requested\",\"detail\":\"the dumper runs a pass now\"}", status: .accepted)
        }
        admin.get("queue") { _, _ in
            let scale = self.defaultCurrency.exponent
            let body: String = try await store.read { reader in
                do { return try Self.queueReport(reader).render(scale: scale) } catch {
                    throw StatsReader.ReadError(source: "Redis", message: "\(error)")
                }
            }
            return JSONBody.response(body)
        }
    }

    /// Queue length, each worker's in-flight items and heartbeat age, dead letters. With several
    /// partitions: the lengths of every partition's queue and dead letters added up, every
    /// partition's workers (each with its `partition`), and the newest dead letters of all.
    static func queueReport(_ reader: StatsReader) throws -> JSONValue {
        let partitions = reader.partitions
        return try reader.redis.withConnection { c in
            // Plain pipelines: each command is in its own partition's slot.
            let registered = try c.pipeline(partitions.map { RedisCommand(["ZRANGE", $0.workers, "0", "-1", "WITHSCORES"]) })
            var workers: [(partition: Int, id: String, beat: Int64)] = []
            for (p, reply) in registered.enumerated() {
                let flat = (try reply.check().array ?? []).compactMap(\.text)
                var i = 0
                while i + 1 < flat.count {
                    workers.append((p, flat[i], Int64(Double(flat[i + 1]) ?? 0)))
                    i += 2
                }
            }
            var commands = [RedisCommand(["TIME"])]
            for k in partitions {
                commands += [
                    RedisCommand(["LLEN", k.queue]), RedisCommand(["LLEN", k.deadLetter]),
                    RedisCommand(["LRANGE", k.deadLetter, "0", "9"]),
                ]
            }
            for w in workers { commands.append(RedisCommand(["LLEN", partitions[w.partition].inflight(worker: w.id)])) }
            let r = try c.pipeline(commands)
            let time = r[0].array?.compactMap(\.int) ?? [0, 0]
            let nowMs = time[0] * 1000 + (time.count > 1 ? time[1] / 1000 : 0)
            var length: Int64 = 0
            var deadSize: Int64 = 0
            var latest: [(at: String, value: JSONValue)] = []
            for p in partitions.indices {
                length += r[1 + 3 * p].int ?? 0
                deadSize += r[2 + 3 * p].int ?? 0
                for text in (r[3 + 3 * p].array ?? []).compactMap(\.text) {
                    guard let d = try? DeadLetter.decode(text) else {
                        latest.append(("", .string(text)))
                        continue
                    }
                    latest.append(
                        (
                            d.at,
                            .object([
                                ("at", .string(d.at)), ("stage", .string(d.stage)), ("reason", .string(d.reason)),
                                ("detail", .string(d.detail)), ("line", d.line.map { .int(Int64($0)) } ?? .null), ("raw", .string(d.raw)),
                            ])
                        ))
                }
            }
            if partitions.count > 1 {
                // Each list is newest first; merged, the newest of all by their time.
                latest = Array(
                    latest.enumerated().sorted { ($0.element.at, -$0.offset) > ($1.element.at, -$1.offset) }.map(\.element).prefix(10))
            }
            var list: [JSONValue] = []
            for (j, w) in workers.enumerated() {
                var fields: [(String, JSONValue)] = [
                    ("worker", .string(w.id)), ("inflight", .int(r[1 + 3 * partitions.count + j].int ?? 0)),
                    ("heartbeatAgeMs", .int(nowMs - w.beat)),
                ]
                if partitions.count > 1 { fields.append(("partition", .int(Int64(w.partition)))) }
                list.append(.object(fields))
            }
            var report: [(String, JSONValue)] = [
                ("queue", .string(reader.keys.queue)), ("length", .int(length)), ("workers", .array(list)),
                ("deadLetters", .object([("size", .int(deadSize)), ("latest", .array(latest.map(\.value)))])),
            ]
            if partitions.count > 1 { report.append(("partitions", .int(Int64(partitions.count)))) }
            return .object(report)
        }
    }
}
