import Redis
import Hummingbird
import StatsCore

/// `/api/v1/admin/*`, behind `Authorization: Bearer <TXSTATS_ADMIN_TOKEN>`. Without a token
/// configured the routes do not exist (404); a missing or wrong token is a 401.
extension StatsApp {
    func addAdminRoutes(to router: Router<BasicRequestContext>) {
        let admin = router.group("/api/v1/admin")
        admin.post("dump") { request, _ in
            try requireToken(adminToken, request)
            try await store.read { reader in
                do {
                    _ = try reader.redis.withConnection { c in
                        try c.pipeline([RedisCommand(["LPUSH", reader.keys.dumpRequests, "api"]), RedisCommand(["LTRIM", reader.keys.dumpRequests, "0", "9"])])
                    }
                } catch { throw StatsReader.ReadError(source: "Redis", message: "\(error)") }
            }
            return JSONBody.response("{\"status\":\"requested\",\"detail\":\"the dumper runs a pass now\"}", status: .accepted)
        }
        admin.get("queue") { request, _ in
            try requireToken(adminToken, request)
            let scale = self.scale
            let body: String = try await store.read { reader in
                do { return try Self.queueReport(reader).render(scale: scale) } catch { throw StatsReader.ReadError(source: "Redis", message: "\(error)") }
            }
            return JSONBody.response(body)
        }
    }

    /// Queue length, each worker's in-flight items and heartbeat age, dead letters.
    static func queueReport(_ reader: StatsReader) throws -> JSONValue {
        let k = reader.keys
        return try reader.redis.withConnection { c in
            let workers = (try c.run("ZRANGE", k.workers, "0", "-1", "WITHSCORES").check().array ?? []).compactMap(\.text)
            var commands = [RedisCommand(["LLEN", k.queue]), RedisCommand(["LLEN", k.deadLetter]), RedisCommand(["LRANGE", k.deadLetter, "0", "9"]),
                            RedisCommand(["TIME"])]
            var i = 0
            while i + 1 < workers.count { commands.append(RedisCommand(["LLEN", k.inflight(worker: workers[i])])); i += 2 }
            let r = try c.pipeline(commands)
            let time = r[3].array?.compactMap(\.int) ?? [0, 0]
            let nowMs = time[0] * 1000 + (time.count > 1 ? time[1] / 1000 : 0)
            var list: [JSONValue] = []
            i = 0
            var j = 4
            while i + 1 < workers.count {
                let beat = Int64(Double(workers[i + 1]) ?? 0)
                list.append(.object([("worker", .string(workers[i])), ("inflight", .int(r[j].int ?? 0)),
                                     ("heartbeatAgeMs", .int(nowMs - beat))]))
                i += 2
                j += 1
            }
            let dead: [JSONValue] = (r[2].array ?? []).compactMap(\.text).map { text in
                (try? DeadLetter.decode(text)).map { d in
                    .object([("at", .string(d.at)), ("stage", .string(d.stage)), ("reason", .string(d.reason)), ("detail", .string(d.detail)),
                             ("line", d.line.map { .int(Int64($0)) } ?? .null), ("raw", .string(d.raw))])
                } ?? .string(text)
            }
            return .object([("queue", .string(k.queue)), ("length", .int(r[0].int ?? 0)), ("workers", .array(list)),
                            ("deadLetters", .object([("size", .int(r[1].int ?? 0)), ("latest", .array(dead))]))])
        }
    }
}

/// Bearer-token check, compared in constant time. `nil` token: the route is switched off.
func requireToken(_ token: String?, _ request: Request) throws {
    guard let token else { throw ApiError.notFound("no such route: \(request.method) \(request.uri.path)") }
    let header = request.headers[.authorization] ?? ""
    let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
    guard constantTimeEquals(given, token) else {
        throw ApiError(status: .unauthorized, detail: "missing or wrong bearer token")
    }
}

/// Compares every byte whatever the first difference, so timing does not reveal a prefix.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
    for i in 0..<max(x.count, y.count) {
        diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return diff == 0 && !y.isEmpty
}
