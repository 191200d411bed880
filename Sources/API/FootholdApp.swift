import Domain
import HTTPCore
import SQLiteCore

/// Assembles the routes, their handlers and error mapping into one responder.
public enum FootholdApp {
    /// The services and policies the routes share.
    public struct Context: Sendable {
        public let database: Database
        let accounts: AccountService
        let interests: InterestService
        let organizations: OrganizationService
        let contacts: ContactService
        let authenticator: Authenticator

        /// - Parameter authFailureLimit: failed authentications per client address per minute before 429.
        public init(database: Database, clock: any Clock = SystemClock(), authFailureLimit: Int = 10) {
            self.database = database
            accounts = AccountService(database: database, clock: clock)
            interests = InterestService(database: database, clock: clock)
            organizations = OrganizationService(database: database, clock: clock)
            contacts = ContactService(database: database, clock: clock)
            authenticator = Authenticator(accounts: accounts, limiter: AuthRateLimiter(limit: authFailureLimit))
        }
    }

    public static func makeResponder(context: Context, cors: CORSPolicy) -> Application {
        var router = Router<Route>()
        SystemRoutes.register(on: &router)
        AccountRoutes.register(on: &router, context)
        InterestRoutes.register(on: &router, context)
        OrganizationRoutes.register(on: &router, context)
        ContactRoutes.register(on: &router, context)
        return Application(router: router, cors: cors, mapError: ErrorMapping.problem)
    }
}
