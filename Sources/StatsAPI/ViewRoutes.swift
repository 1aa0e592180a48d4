import Hummingbird
import StatsCore

/// `/api/v1/stats/*`: hourly, daily, weekly, monthly, range, providers, provider, compare.
/// Every view is a sum of the (day, type, method, status, hour) cells of one currency
/// (`currency=`, default `TXSTATS_CURRENCY`); amounts are exact, never added across currencies.
extension StatsApp {
    func addViewRoutes(to router: some RouterMethods<BasicRequestContext>) {
        let v1 = router.group("/api/v1/stats")
        v1.get("hourly") { request, _ in try await hourly(request) }
        v1.get("daily") { request, _ in
            let q = query(request)
            let day = try q.date("date")
            let filter = try q.filter()
            return try await cachedView(request, key: "daily|\(day)|\(filter.cacheKey)") { reader, currency in
                let days = try reader.read(from: day, to: day, view: .status, currency: currency)
                return .object([("date", .string(day.description))] + StatsSums.typesJSON(StatsSums.blocks(days, filter: filter)))
            }
        }
        v1.get("weekly") { request, _ in
            let q = query(request)
            let filter = try q.filter()
            // Each date given is checked; a week, when given, wins over them.
            _ = try q.optionalDate("startDate")
            _ = try q.optionalDate("endDate")
            let (from, to, week): (CivilDay, CivilDay, String?) =
                try q.week()
                ?? {
                    let (f, t) = try q.range()
                    return (f, t, nil)
                }()
            return try await cachedView(request, key: "weekly|\(from)|\(to)|\(week ?? "-")|\(filter.cacheKey)") { reader, currency in
                var out = try daily(reader, from: from, to: to, filter: filter, currency: currency)
                if let week { out.insert(("week", .string(week)), at: 0) }
                return .object(out)
            }
        }
        v1.get("monthly") { request, _ in
            let q = query(request)
            let (from, to, month) = try q.month()
            let filter = try q.filter()
            return try await cachedView(request, key: "monthly|\(month)|\(filter.cacheKey)") { reader, currency in
                .object([("month", .string(month))] + (try daily(reader, from: from, to: to, filter: filter, currency: currency)))
            }
        }
        v1.get("range") { request, _ in
            let q = query(request)
            let (from, to) = try q.range()
            let filter = try q.filter()
            return try await cachedView(request, key: "range|\(from)|\(to)|\(filter.cacheKey)") { reader, currency in
                let days = try reader.read(from: from, to: to, view: .status, currency: currency)
                return .object(
                    [("startDate", .string(from.description)), ("endDate", .string(to.description))]
                        + StatsSums.typesJSON(StatsSums.blocks(days, filter: filter)))
            }
        }
        v1.get("providers") { request, _ in
            let q = query(request)
            let n = try q.days(default: 7)
            let filter = try q.filter()
            let (from, to) = lastDays(n)
            return try await cachedView(request, key: "providers|\(from)|\(to)|\(filter.cacheKey)") { reader, currency in
                let days = try reader.read(from: from, to: to, view: .status, currency: currency)
                let byMethod = StatsSums.byMethod(days, filter: filter)
                let providers: [JSONValue] = try reader.methods().filter { filter.method == nil || filter.method == $0 }.map { m in
                    let blocks = Dictionary(uniqueKeysWithValues: filter.types.map { ($0, byMethod[m]?[$0] ?? StatusBlock()) })
                    return .object([("provider", .string(m))] + StatsSums.typesJSON(blocks))
                }
                return .object(period(n, from, to) + [("providers", .array(providers))])
            }
        }
        v1.get("provider/:id") { request, context in
            let q = query(request)
            let n = try q.days(default: 7)
            let filter = try q.filter()
            let raw = context.parameters.get("id") ?? ""
            // Same normalisation as at ingestion; a name that could never be stored is unknown.
            let id = ViewQuery.methodName(raw)
            let (from, to) = lastDays(n)
            return try await cachedView(request, key: "provider|\(id)|\(from)|\(to)|\(filter.cacheKey)") { reader, currency in
                guard try reader.methods().contains(id) else { throw ApiError.notFound("unknown payment method \(JSONText.quote(id))") }
                let days = try reader.read(from: from, to: to, view: .status, currency: currency)
                var f = filter
                f.method = id
                return .object([("provider", .string(id))] + period(n, from, to) + StatsSums.typesJSON(StatsSums.blocks(days, filter: f)))
            }
        }
        v1.get("compare") { request, _ in try await compare(request) }
    }

    func query(_ request: Request) -> ViewQuery { ViewQuery(request: request, maxDays: maxRangeDays) }

    /// The last `n` days up to today, inclusive.
    func lastDays(_ n: Int) -> (CivilDay, CivilDay) {
        let today = store.today()
        return (today.adding(days: -(n - 1)), today)
    }

    func period(_ n: Int, _ from: CivilDay, _ to: CivilDay) -> [(String, JSONValue)] {
        [("period", .string("\(n)days")), ("startDate", .string(from.description)), ("endDate", .string(to.description))]
    }

    /// Day-by-day blocks plus their total.
    func daily(
        _ reader: StatsReader, from: CivilDay, to: CivilDay, filter: StatsFilter, currency: Currency
    ) throws -> [(String, JSONValue)] {
        let days = try reader.read(from: from, to: to, view: .status, currency: currency)
        var list: [JSONValue] = []
        for i in 0...from.days(to: to) {
            let d = from.adding(days: i)
            let one = days[d].map { [d: $0] } ?? [:]
            list.append(.object([("date", .string(d.description))] + StatsSums.typesJSON(StatsSums.blocks(one, filter: filter))))
        }
        return [
            ("startDate", .string(from.description)), ("endDate", .string(to.description)), ("daily", .array(list)),
            ("total", .object(StatsSums.typesJSON(StatsSums.blocks(days, filter: filter)))),
        ]
    }

    /// `hourly?date=`: 24 hours, or 23/25 on a DST change, each with its local start time.
    func hourly(_ request: Request) async throws -> Response {
        let q = query(request)
        let day = try q.date("date")
        let filter = try q.filter()
        return try await cachedView(request, key: "hourly|\(day)|\(filter.cacheKey)") { reader, currency in
            var calendar = store.calendar
            let info = calendar.dayInfo(day)
            let days = try reader.read(from: day, to: day, view: .hourly, currency: currency)
            let hours = StatsSums.hourly(days[day] ?? [:], hours: info.hours, filter: filter)
            let list: [JSONValue] = hours.enumerated().map { h, blocks in
                .object(
                    [("hour", .int(Int64(h))), ("start", .string(calendar.hourLabel(day: day, hour: h)))] + StatsSums.typesJSON(blocks))
            }
            return .object([
                ("date", .string(day.description)), ("timezone", .string(calendar.timeZoneIdentifier)),
                ("hours", .int(Int64(info.hours))), ("hourly", .array(list)),
            ])
        }
    }

    /// Runs a view on the blocking pool, cached per data version under `key`: the route and the
    /// normalised values of its parameters (a view relative to today has today's days in it),
    /// and the currency (`currency=`, validated here for every view). The answer states its
    /// currency first, and its amounts are printed with that currency's decimals.
    func cachedView(
        _ request: Request, key: String, _ build: @escaping @Sendable (StatsReader, Currency) throws -> JSONValue
    ) async throws -> Response {
        let currency = try ViewQuery.currency(request, default: defaultCurrency)
        let cache = self.cache
        let key = "\(currency.code)|\(key)"
        if let v = versions.version, let hit = cache.get(key, version: v) { return JSONBody.response(hit) }
        let body: ByteBuffer = try await store.read { reader in
            let version = try reader.dataVersion()
            if let hit = cache.get(key, version: version) { return hit }
            var answer = try build(reader, currency)
            if case .object(let fields) = answer { answer = .object([("currency", .string(currency.code))] + fields) }
            let body = ByteBuffer(string: answer.render(scale: currency.exponent))
            cache.put(key, version: version, body: body)
            return body
        }
        return JSONBody.response(body)
    }
}
