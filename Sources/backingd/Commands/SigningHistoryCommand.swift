import ArgumentParser
import Foundation
import Primitives
import Webhooks

/// `backingd signing-history export|import`: the validator's slashing protection, moved between data
/// directories (machines) as a JSON document.
struct SigningHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signing-history", abstract: "Export or import the validator's signing history.",
        subcommands: [Export.self, Import.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the data directory's signing history as JSON (backingd-signing-history/1).")

        @Option(help: "The node's data directory.") var dataDir: String

        func run() async throws {
            do {
                try CommandIO.printJSON(try await SigningHistoryInterchange.export(dataDirectory: dataDir))
            } catch let failure as SigningHistoryInterchange.Failure {
                throw CommandFailure.exit(failure.description)
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge a signing-history document into the data directory (all records or none).")

        @Argument(help: "The JSON document, or - for standard input.") var file: String
        @Option(help: "The node's data directory.") var dataDir: String

        func run() async throws {
            let document: SigningHistoryDocument
            do {
                document = try CommandIO.decode(SigningHistoryDocument.self, from: file)
            } catch let error as ValidationError {
                throw CommandFailure.exit(error.message)
            }
            do {
                let added = try await SigningHistoryInterchange.importHistory(document, dataDirectory: dataDir)
                print("imported \(added) new record(s) of \(document.records.count) for \(document.validator)")
            } catch let failure as SigningHistoryInterchange.Failure {
                throw CommandFailure.exit(failure.description)
            }
        }
    }
}

/// A failure of an interchange command: the message on standard error and exit status 1.
enum CommandFailure {
    static func exit(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("backingd signing-history: \(message)\n".utf8))
        return ExitCode.failure
    }
}
