import CSQLite
import Primitives

#if DEBUG
/// A check every distinct statement passes once per process before it is prepared: the tests
/// install one that reads each statement's query plan (TestSupport's `QueryPlanAudit`), so a
/// statement that would cost what the whole server holds fails the first test that runs it,
/// wherever it was written. Release builds have no hook and pay nothing.
public enum StatementAudit {
    /// Nil when the statement passes; otherwise what is wrong with it.
    public typealias Check = @Sendable (String) -> String?

    private struct State {
        var check: Check?
        var verdicts: [String: String?] = [:]
    }

    private static let state = Lock<State>(State())

    /// Installs `check` unless one is installed already (every test installs the same one).
    public static func install(_ check: @escaping Check) {
        state.withLock { if $0.check == nil { $0.check = check } }
    }

    /// Throws for a statement the installed check refuses; remembers every verdict.
    static func verify(_ sql: String) throws(SQLiteError) {
        let (check, known) = state.withLock { ($0.check, $0.verdicts[sql]) }
        guard let check else { return }
        let verdict: String?
        if let known {
            verdict = known
        } else {
            // Outside the lock: the check prepares statements of its own, on an unaudited connection.
            verdict = check(sql)
            state.withLock { $0.verdicts[sql] = .some(verdict) }
        }
        if let verdict { throw SQLiteError(code: SQLITE_ERROR, message: "query plan: \(verdict)", sql: sql) }
    }
}
#endif
