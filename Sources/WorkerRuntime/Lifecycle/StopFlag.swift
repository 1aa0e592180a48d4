import StatsCore
import Synchronization

/// A one-way flag a signal handler or a service's shutdown sets and a worker loop polls.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func request() { flag.store(true, ordering: .releasing) }
    public var isRequested: Bool { flag.load(ordering: .acquiring) }
}
