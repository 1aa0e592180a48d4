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

    /// Queue length, each worker's in-flight items and heartbeat age, dead letters.
    static func queueReport(_ reader: StatsReader) throws -> JSONValue {
        let k = reader.keys
        return try reader.redis.withConnection { c in
            let workers = (try c.run("ZRANGE", k.workers, "0", "-1", "WITHSCORES").check().array ?? []).compactMap(\.text)
            var commands = [
                RedisCommand(["LLEN", k.queue]), RedisCommand(["LLEN", k.deadLetter]), RedisCommand(["LRANGE", k.deadLetter, "0", "9"]),
                RedisCommand(["TIME"]),
            ]
            var i = 0
            while i + 1 < workers.count {
                commands.append(RedisCommand(["LLEN", k.inflight(worker: workers[i])]))
                i += 2
            }
            let r = try c.pipeline(commands)
            let time = r[3].array?.compactMap(\.int) ?? [0, 0]
            let nowMs = time[0] * 1000 + (time.count > 1 ? time[1] / 1000 : 0)
            var list: [JSONValue] = []
            i = 0
            var j = 4
            while i + 1 < workers.count {
                let beat = Int64(Double(workers[i + 1]) ?? 0)
                list.append(
                    .object([
                        ("worker", .string(workers[i])), ("inflight", .int(r[j].int ?? 0)),
                        ("heartbeatAgeMs", .int(nowMs - beat)),
                    ]))
                i += 2
                j += 1
            }
            let dead: [JSONValue] = (r[2].array ?? []).compactMap(\.text).map { text in
                (try? DeadLetter.decode(text)).map { d in
                    .object([
                        ("at", .string(d.at)), ("stage", .string(d.stage)), ("reason", .string(d.reason)), ("detail", .string(d.detail)),
                        ("line", d.line.map { .int(Int64($0)) } ?? .null), ("raw", .string(d.raw)),
                    ])
                } ?? .string(text)
            }
            return .object([
                ("queue", .string(k.queue)), ("length", .int(r[0].int ?? 0)), ("workers", .array(list)),
                ("deadLetters", .object([("size", .int(r[1].int ?? 0)), ("latest", .array(dead))])),
            ])
        }
    }
}
