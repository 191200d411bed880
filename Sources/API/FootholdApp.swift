import Domain
import HTTPCore
import SQLiteCore

/// Assembles the routes, their handlers and error mapping into one responder.
public enum FootholdApp {
    /// Everything the routes need.
    public struct Context: Sendable {
        public var database: Database

        public init(database: Database) {
            self.database = database
        }
    }

    public static func makeResponder(context: Context, cors: CORSPolicy) -> Application {
        var router = Router<Route>()
        SystemRoutes.register(on: &router)
        return Application(router: router, cors: cors, mapError: ErrorMapping.problem)
    }
}
