import Domain
import HTTPCore
import Primitives

/// Assembles the routes, their handlers and error mapping into one responder.
public enum FootholdApp {
    /// The services and policies the routes share.
    public struct Context: Sendable {
        let storage: Storage
        let accounts: AccountService
        let interests: InterestService
        let organizations: OrganizationService
        let contacts: ContactService
        let questions: QuestionService
        let resumes: ResumeService
        let pitches: PitchService
        let meetings: MeetingService
        let meetingQuestions: MeetingQuestionService
        let referrals: ReferralService
        let events: EventService
        let outreach: OutreachService
        let leads: LeadService
        let deletions: DeletionService
        let agenda: AgendaService
        let stats: StatsService
        let search: SearchService
        let imports: ImportService
        let accountImport: AccountImportService
        let calendar: CalendarService
        let insights: InsightService
        let skills: SkillService
        let knowledge: KnowledgeService
        let focus: FocusService
        let digests: DigestService
        let webhooks: WebhookService
        let shares: ShareService
        /// The body limit of `POST /imports/*` (`--max-import-bytes`).
        let importBodyLimit: Int
        /// Where clients reach the server (`--public-url`), for the URLs it hands out; nil:
        /// from the request's Host, https when a trusted proxy says so.
        let publicURL: String?
        let authenticator: Authenticator
        let loginThrottle: LoginThrottle
        /// Request metrics; hand the same object to the `HTTPServer`.
        public let metrics = ServerMetrics()
        /// The server, once it exists, for the gauges of `/metrics`.
        let server = ServerBox()

        /// - Parameter authFailureLimit: failed authentications per client address per minute before 429.
        /// - Parameter accountFailureLimit: failed sign-ins per account name per ten minutes before
        ///   addresses that have been failing get 429 for it.
        public init(services: Services, authFailureLimit: Int = 10, accountFailureLimit: Int = 10, importBodyLimit: Int = 32 * 1024 * 1024,
            publicURL: String? = nil
        ) {
            self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            storage = services.storage
            accounts = services.accounts
            interests = services.interests
            organizations = services.organizations
            contacts = services.contacts
            questions = services.questions
            resumes = services.resumes
            pitches = services.pitches
            meetings = services.meetings
            meetingQuestions = services.meetingQuestions
            referrals = services.referrals
            events = services.events
            outreach = services.outreach
            leads = services.leads
            deletions = services.deletions
            agenda = services.agenda
            stats = services.stats
            search = services.search
            imports = services.imports
            accountImport = services.accountImport
            calendar = services.calendar
            insights = services.insights
            skills = services.skills
            knowledge = services.knowledge
            focus = services.focus
            digests = services.digests
            webhooks = services.webhooks
            shares = services.shares
            self.importBodyLimit = importBodyLimit
            let addresses = AuthRateLimiter(limit: authFailureLimit)
            authenticator = Authenticator(accounts: accounts, limiter: addresses)
            loginThrottle = LoginThrottle(addresses: addresses, accountLimit: accountFailureLimit)
        }
    }

    /// Gives `/metrics` the server whose connections and queue it reports.
    public static func attach(_ server: HTTPServer, to context: Context) {
        context.server.value.withLock { $0 = server }
    }

    /// - Parameter web: the web front, served at `/` for paths no API route has; nil: none.
    public static func makeResponder(context: Context, cors: CORSPolicy, web: WebFront? = nil) -> Application {
        var router = Router<Route>()
        SystemRoutes.register(on: &router, context)
        AccountRoutes.register(on: &router, context)
        InterestRoutes.register(on: &router, context)
        OrganizationRoutes.register(on: &router, context)
        ContactRoutes.register(on: &router, context)
        QuestionRoutes.register(on: &router, context)
        ResumeRoutes.register(on: &router, context)
        PitchRoutes.register(on: &router, context)
        MeetingRoutes.register(on: &router, context)
        ReferralRoutes.register(on: &router, context)
        EventRoutes.register(on: &router, context)
        OutreachRoutes.register(on: &router, context)
        LeadRoutes.register(on: &router, context)
        AgendaRoutes.register(on: &router, context)
        StatsRoutes.register(on: &router, context)
        SearchRoutes.register(on: &router, context)
        InteropRoutes.register(on: &router, context)
        KnowledgeRoutes.register(on: &router, context)
        FocusRoutes.register(on: &router, context)
        DigestRoutes.register(on: &router, context)
        WebhookRoutes.register(on: &router, context)
        SyncRoutes.register(on: &router, context)
        MetricsRoutes.register(on: &router, context)
        SessionRoutes.register(on: &router, context)
        UserRoutes.register(on: &router, context)
        ShareRoutes.register(on: &router, context)
        // Last: it mirrors every route registered above that a share may read.
        ShareRoutes.mirror(on: &router, context)
        var files: (@Sendable (Request) -> Response?)?
        if let web { files = { request in web.respond(to: request) } }
        return Application(router: router, cors: cors, files: files, mapError: ErrorMapping.problem)
    }
}

/// Holds the server for routes built before it.
final class ServerBox: Sendable {
    let value = Lock<HTTPServer?>(nil)
}
