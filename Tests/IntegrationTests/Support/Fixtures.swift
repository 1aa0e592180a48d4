import Foundation
import StatsCore
import TestSupport

/// A generated sample CSV in a temp file.
func sampleCSV(rows: Int, days: Int = 5, seed: UInt64 = 7, withStatus: Bool = true, start: String = "2026-01-01") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("txstats-sample-\(UUID().uuidString.prefix(8)).csv").path
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw TestFailure("cannot create \(path)") }
    defer { close(fd) }
    try SampleGenerator(rows: rows, days: days, start: CivilDay.parse(start)!, seed: seed, withStatus: withStatus).write(to: fd)
    return path
}

func writeTemp(_ text: String, suffix: String = ".csv") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("txstats-\(UUID().uuidString.prefix(8))\(suffix)").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Common flags pointing a worker at the test server.
func redisArgs(_ server: RedisServer) -> [String] { ["--redis-url", server.urlString] }

func aggregator(_ server: RedisServer, id: String, drain: Bool = false, extra: [String] = [], env: [String: String] = [:]) throws -> Worker
{
    try Worker(
        "aggregator", redisArgs(server) + ["--worker-id", id, "--heartbeat-timeout", "2"] + (drain ? ["--drain"] : []) + extra,
        environment: env, name: "aggregator \(id)")
}

func importer(_ server: RedisServer, _ file: String, extra: [String] = [], env: [String: String] = [:]) throws -> Worker {
    try Worker("importer", redisArgs(server) + ["--no-sleep"] + extra + [file], environment: env)
}

/// The JSON log lines of a worker's standard error (every line must be one JSON object).
func logLines(_ text: String) -> [[String: String]] {
    text.split(separator: "\n").compactMap { line in
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
    }
}
