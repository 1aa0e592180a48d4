import NIOPosix
import StatsCore

/// The api's one way to its stores. ``StatsReader`` blocks (hiredis, libmongoc); every call
/// through here runs on a thread pool of its own, never on an event loop or the cooperative
/// pool, and a store that cannot answer becomes a 503.
struct StatsStore: Sendable {
    private let reader: StatsReader
    private let threads: NIOThreadPool

    init(reader: StatsReader, threads: NIOThreadPool) {
        self.reader = reader
        self.threads = threads
    }

    /// Runs `body` with the blocking reader on the pool.
    func read<T: Sendable>(_ body: @escaping @Sendable (StatsReader) throws -> T) async throws -> T {
        let reader = self.reader
        do {
            return try await threads.runIfActive { try body(reader) }
        } catch let e as StatsReader.ReadError {
            throw ApiError.unavailable(e.description)
        }
    }

    /// Computations on the reader that do no I/O (calendar, today, key names).
    var calendar: BusinessCalendar { reader.businessCalendar() }
    var keys: KeyLayout { reader.keys }
    func today() -> CivilDay { reader.today() }
}
