import SQLiteCore

/// Every service over one storage: what the API is assembled from. Built where the database
/// is opened (the command line, tests), so the API never sees the database itself.
public struct Services: Sendable {
    public let storage: Storage
    public let accounts: AccountService
    public let interests: InterestService
    public let organizations: OrganizationService
    public let contacts: ContactService
    public let questions: QuestionService
    public let resumes: ResumeService
    public let pitches: PitchService
    public let meetings: MeetingService
    public let meetingQuestions: MeetingQuestionService
    public let referrals: ReferralService
    public let events: EventService
    public let outreach: OutreachService
    public let leads: LeadService
    public let deletions: DeletionService
    public let agenda: AgendaService
    public let stats: StatsService
    public let search: SearchService
    public let imports: ImportService
    public let accountImport: AccountImportService
    public let calendar: CalendarService
    public let insights: InsightService
    public let skills: SkillService
    public let knowledge: KnowledgeService
    public let focus: FocusService
    public let shares: ShareService
    public let digests: DigestService
    public let webhooks: WebhookService

    /// - Parameter sessionIdleDays: a session ends after this many days without use.
    /// - Parameter faults: where tests make the server fail or wait; never set in production.
    /// - Parameter mail: how digests leave (`--smtp-url`); nil: the server sends no mail.
    /// - Parameter publicURL: the server's address as people open it, for links in mail.
    /// - Parameter webhookTransport: how webhooks leave; nil: none are sent (and none can be made).
    ///
    /// The one door by which SQLite's `Database` enters Domain, open only to the composition
    /// root (the `foothold` binary) and tests, which import Domain as
    /// `@_spi(Composition) import Domain`: the API layer, importing it plainly, cannot see it.
    @_spi(Composition) public init(
        database: Database, clock: any Clock = SystemClock(), sessionIdleDays: Int = 14, hasher: PasswordHasher = PasswordHasher(),
        faults: FaultPoints = .none, mail: (any MailTransport)? = nil, publicURL: String? = nil, webhookTransport: (any WebhookTransport)? = nil
    ) {
        storage = Storage(database: database, clock: clock)
        let digests = DigestService(storage: storage, clock: clock, mail: mail, publicURL: publicURL)
        self.digests = digests
        webhooks = WebhookService(storage: storage, clock: clock, transport: webhookTransport)
        accounts = AccountService(
            storage: storage, clock: clock, hasher: hasher, sessionIdleDays: sessionIdleDays, afterLookup: faults.afterTokenLookup,
            digestsAvailable: mail != nil, mailQueued: { digests.wakeSender() })
        interests = InterestService(storage: storage, clock: clock)
        organizations = OrganizationService(storage: storage, clock: clock)
        contacts = ContactService(storage: storage, clock: clock)
        questions = QuestionService(storage: storage, clock: clock)
        resumes = ResumeService(storage: storage, clock: clock)
        pitches = PitchService(storage: storage, clock: clock)
        meetings = MeetingService(storage: storage, clock: clock)
        meetingQuestions = MeetingQuestionService(storage: storage)
        referrals = ReferralService(storage: storage, clock: clock)
        events = EventService(storage: storage, clock: clock)
        outreach = OutreachService(storage: storage, clock: clock)
        leads = LeadService(storage: storage, clock: clock)
        deletions = DeletionService(storage: storage)
        agenda = AgendaService(storage: storage, clock: clock)
        stats = StatsService(storage: storage)
        search = SearchService(storage: storage)
        imports = ImportService(storage: storage, clock: clock, fails: faults.importFails)
        accountImport = AccountImportService(storage: storage, clock: clock)
        calendar = CalendarService(storage: storage, clock: clock)
        insights = InsightService(storage: storage, clock: clock)
        skills = SkillService(storage: storage, clock: clock)
        knowledge = KnowledgeService(storage: storage, clock: clock)
        focus = FocusService(storage: storage, clock: clock)
        shares = ShareService(storage: storage, clock: clock)
    }
}
