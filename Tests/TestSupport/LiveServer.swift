import API
import Dispatch
import Domain
import Foundation
import HTTPCore
import SQLiteCore

/// A real server on an ephemeral port: either the whole app on a fresh migrated database
/// in a temporary directory, or any responder (HTTP-level tests).
public final class LiveServer: @unchecked Sendable {
    // Immutable after init.
    public let server: HTTPServer
    public let directory: TemporaryDirectory
    public let database: Database?

    public var port: Int { server.port }

    /// The full Foothold app.
    public convenience init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("foothold.sqlite")))
        try Migrations.migrator.migrate(database)
        let responder = FootholdApp.makeResponder(context: .init(database: database), cors: CORSPolicy(allowedOrigins: ["https://app.example"]))
        try self.init(responder: responder, database: database, directory: directory, configure: configure)
    }

    public init(
        responder: any HTTPResponder, database: Database? = nil, directory: TemporaryDirectory = TemporaryDirectory(),
        configure: (inout ServerConfiguration) -> Void = { _ in }
    ) throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.accessLog = false
        configuration.ioThreads = 2
        configuration.workerThreads = 4
        configure(&configuration)
        self.directory = directory
        self.database = database
        server = HTTPServer(configuration: configuration, responder: responder)
        try server.start()
    }

    /// A new raw connection to this server.
    public func client(timeout: Double = 10) throws -> RawClient {
        try RawClient(port: port, timeout: timeout)
    }

    /// Graceful shutdown; waits until it completes.
    public func stop() {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        done.wait()
    }

    deinit {
        let done = DispatchSemaphore(value: 0)
        server.shutdown { done.signal() }
        _ = done.wait(timeout: .now() + 10)
    }
}
