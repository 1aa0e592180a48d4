import ArgumentParser
import Logging
import ServiceLifecycle
import StatsCore
import Synchronization
import WorkerRuntime

#if canImport(Glibc)
    import Glibc
#endif

@main
struct ImporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importer",
        abstract: "Streams transactions from CSV into the Redis queue, exactly once per source.",
        subcommands: [ImportCommand.self, GenerateCommand.self],
        defaultSubcommand: ImportCommand.self)
}
