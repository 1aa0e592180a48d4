/// How a child ended, with what `wait4` reports about it: peak RSS and CPU time are recorded by
/// the kernel at exit, so they are exact, unlike /proc samples taken from outside.
public struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// The raw `wait` status.
    public let rawStatus: Int32
    /// Peak resident set size of the child, in KiB.
    public let maxRSSKiB: Int
    /// User + system CPU time of the child (all its threads), in seconds.
    public let cpuSeconds: Double

    public init(rawStatus: Int32, maxRSSKiB: Int = 0, cpuSeconds: Double = 0) {
        self.rawStatus = rawStatus
        self.maxRSSKiB = maxRSSKiB
        self.cpuSeconds = cpuSeconds
    }

    /// The exit code, if it exited (rather than being killed).
    public var code: Int32? { rawStatus & 0x7f == 0 ? (rawStatus >> 8) & 0xff : nil }

    /// The signal that killed it, if one did.
    public var signal: Int32? {
        let s = rawStatus & 0x7f
        return s != 0 && s != 0x7f ? s : nil
    }

    /// Exited with 0.
    public var succeeded: Bool { code == 0 }

    /// The exit code as a shell reports it: the code, or 128 + the signal.
    public var shellCode: Int32 { code ?? 128 + (signal ?? 0) }

    public var description: String {
        if let code { return "exit status \(code)" }
        if let signal { return "killed by signal \(signal)" }
        return "wait status \(rawStatus)"
    }
}
