import Foundation

/// This process as logs, alerts, leases and default worker ids name it: `<hostname>-<pid>`.
public enum ProcessInstance {
    public static let name = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
}
