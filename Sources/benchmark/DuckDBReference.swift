import Foundation
import TestSupport

/// The reference the end-to-end figures are divided by: DuckDB's batch `GROUP BY` of the same
/// CSV into the same cells (day, hour, type, method, status: count and exact sum), timed inside
/// one python3 process from the query's start to its last row fetched. nil when python3 or its
/// duckdb module is missing (`pip install duckdb`).
struct DuckDBReference {
    let directory: String

    static let script = """
        import sys, time, duckdb
        con = duckdb.connect()
        con.execute("SET threads TO 2")
        t0 = time.perf_counter()
        rows = con.execute(
            "SELECT date_trunc('hour', CAST(timestamp AS TIMESTAMP)) AS h, type, lower(trim(payment_method)) AS m, status, "
            "count(*), sum(CAST(amount AS DECIMAL(18, 2))) "
            "FROM read_csv(?, header = true, all_varchar = true) GROUP BY ALL", [sys.argv[1]]).fetchall()
        t1 = time.perf_counter()
        print(f"{t1 - t0:.6f} {len(rows)}")
        """

    /// Seconds of one GROUP BY over `csv`, or nil if DuckDB is not available.
    func groupBySeconds(csv: String, timeout: Duration) -> Double? {
        guard let python = try? Executables.locate("python3", overrideVariable: "TXSTATS_PYTHON", hint: "") else { return nil }
        let log = "\(directory)/duckdb-\(UUID().uuidString.prefix(8)).log"
        guard let p = try? ChildProcess(python, arguments: ["-c", Self.script, csv], name: "duckdb", stdout: .file(log)),
            (try? p.wait(timeout: timeout)) != nil, p.exit?.code == 0
        else { return nil }
        return p.standardOutput.split(separator: " ").first.flatMap { Double($0) }
    }
}
