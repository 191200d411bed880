import Primitives
import SQLiteCore

/// One search hit: what it is, its id, a title and the matching words in context (marked `<b>`…`</b>`).
public struct SearchHit: Sendable, Equatable {
    public var type: String
    public var id: Int64
    public var title: String
    public var snippet: String
}

/// A page of hits and the offset of the next, if any.
public struct SearchPage: Sendable {
    public var items: [SearchHit]
    public var nextOffset: Int?
}

/// `GET /search`: full text across contacts, organizations, meetings, events, leads and outreach
/// notes (migration 0013's `search_index`, kept by triggers), ranked by bm25 with titles
/// weighing ten times the rest, after the hits whose own name holds every word typed: a
/// person, organization, event, lead or insight found by name comes before the meetings
/// and outreach whose titles merely mention them.
public final class SearchService: Sendable {
    let storage: Storage

    /// The type codes of the rowid (see `SearchIndex.rowid`).
    static let types = [1: "contact", 2: "organization", 3: "meeting", 4: "event", 5: "lead", 6: "outreach", 7: "insight"]
    public static let maxQueryLength = 500
    /// Ranked results page by offset: the cursor carries it as its only key.
    public static let order = ListOrder(name: "rank", columns: [], descending: false)
    /// How deep paging goes: ranked results have no keyset, and nobody reads past this.
    public static let maxOffset = 10_000

    /// The write generation at which the index was last found complete.
    private let checkedGeneration = Lock<Int64?>(nil)

    public init(storage: Storage) {
        self.storage = storage
    }

    /// Ranked hits for `query` in the user's rows. A query of plain words matches each word as a
    /// prefix ("jan ber" finds "Janet Bergström"); one using FTS5 syntax (quotes, `*`, `AND`,
    /// `OR`, `NOT`, `NEAR`, parentheses, `column:`) is taken as written. Bad syntax is a 400.
    public func search(userID: Int64, query: String, limit: Int, offset: Int) throws -> SearchPage {
        let expression = try Self.expression(query)
        // Only plain words (the expression is ours) are also matched against names alone.
        let byName = Self.isPlainWords(query) ? "title : (" + expression + ")" : nil
        // Whatever the triggers queued is indexed first, so every committed write is found.
        while try storage.read({ try SearchIndex.hasPending($0) }) {
            _ = try storage.submit { try SearchIndex.drain($0) }.wait()
        }
        guard let range = SearchIndex.range(userID: userID) else { return SearchPage(items: [], nextOffset: nil) }
        do {
            return try storage.read { connection in
                var items: [SearchHit] = []
                let named = byName == nil
                    ? "0"
                    : "((rowid & 7) IN (1, 2, 4, 5, 7) AND rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ?5 AND rowid BETWEEN ?2 AND ?3))"
                var values: [any DatabaseValueConvertible] = [expression, range.lowerBound, range.upperBound, limit + 1]
                values.append(byName ?? "")
                values.append(offset)
                try connection.forEachRow(
                    "SELECT rowid, title, snippet(search_index, 1, '<b>', '</b>', '…', 12), snippet(search_index, 0, '<b>', '</b>', '…', 12), "
                        + "\(named) AS named FROM search_index WHERE search_index MATCH ?1 AND rowid BETWEEN ?2 AND ?3 "
                        + "ORDER BY named DESC, rank LIMIT ?4 OFFSET ?6",
                    values
                ) { row in
                    guard let (type, id) = SearchIndex.decode(row.int64(0)), let name = Self.types[Int(type)] else { return }
                    // Found by name: the name, marked. Else the body's words in context when they
                    // matched there, else the title's.
                    let body = row.string(2)
                    let snippet = row.int64(4) != 0 || !body.contains("<b>") ? row.string(3) : body
                    items.append(SearchHit(type: name, id: id, title: row.string(1), snippet: snippet))
                }
                let more = items.count > limit
                return SearchPage(items: Array(items.prefix(limit)), nextOffset: more ? offset + limit : nil)
            }
        } catch let error as SQLiteError where Self.isQueryError(error) {
            throw DomainError.badQuery(field: "q", detail: "q is not a valid search: \(error.message). Quote words with special characters.")
        }
    }

    /// Indexes what is queued, in the background (the server's timer calls it); a no-op when
    /// nothing is, or while writes keep coming. Returns at once.
    public func indexPending() {
        // Only while writes are quiet: under a stream of writes indexing would take the writer
        // from them, and a search indexes what it needs first anyway. Nothing at all when no
        // write happened since the index was last found complete. On the writer's connection:
        // a reader opened only for this would load the whole schema for it.
        let generation = storage.writeGeneration
        guard storage.isQuiet(for: 2), checkedGeneration.withLock({ $0 != generation }) else { return }
        let checked = checkedGeneration
        storage.submit { connection -> Bool in
            guard try SearchIndex.hasPending(connection) else { return true }
            return try SearchIndex.drain(connection) < SearchIndex.batch && !SearchIndex.hasPending(connection)
        }.whenComplete { result in
            if case .success(true) = result { checked.withLock { $0 = generation } }
        }
    }

    /// FTS5 reports a bad query as SQLITE_ERROR with its own message.
    static func isQueryError(_ error: SQLiteError) -> Bool {
        error.code & 0xFF == 1 && (error.message.contains("fts5") || error.message.contains("syntax") || error.message.contains("no such column"))
    }

    static let operators: Set<Substring> = ["AND", "OR", "NOT", "NEAR"]
    static let special: Set<Character> = ["\"", "*", "(", ")", ":", "^", "+", "{", "}"]

    /// Whether the query is words only, with no FTS5 syntax.
    static func isPlainWords(_ query: String) -> Bool {
        let words = query.trimmingWhitespace().split(whereSeparator: { $0 == " " || $0 == "\t" })
        return !(words.contains { operators.contains($0) || $0.hasPrefix("NEAR(") } || query.contains { special.contains($0) })
    }

    /// The FTS5 expression for what the user typed.
    static func expression(_ query: String) throws(DomainError) -> String {
        let trimmed = query.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw DomainError.badQuery(field: "q", detail: "q is required: the words to search for.") }
        guard trimmed.utf8.count <= maxQueryLength else {
            throw DomainError.badQuery(field: "q", detail: "q is longer than \(maxQueryLength) bytes.")
        }
        guard trimmed.utf8.allSatisfy({ $0 >= 0x20 || $0 == 0x09 }) else {
            throw DomainError.badQuery(field: "q", detail: "q contains control characters.")
        }
        let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if isPlainWords(trimmed) {
            return words.map { "\"" + $0 + "\"*" }.joined(separator: " ")
        }
        // Taken as written; unbalanced parentheses and quotes are named here rather than in
        // FTS5's own words.
        var depth = 0
        var quoted = false
        for character in trimmed {
            if character == "\"" { quoted.toggle() }
            guard !quoted else { continue }
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                if depth < 0 { throw DomainError.badQuery(field: "q", detail: "q has a \")\" without its \"(\".") }
            }
        }
        guard depth == 0, !quoted else { throw DomainError.badQuery(field: "q", detail: "q has an unclosed \"(\" or quote.") }
        return trimmed
    }
}

/// Brings `search_index` up to date: rows past each table's `indexed_through` watermark, and the
/// ones migration 0013's triggers queued in `search_queue` when they changed or went; each
/// row's text is read from its table and indexed again, or removed when the row is gone.
enum SearchIndex {
    /// Per type: the row's title and body (`select`), where they come from (`from`, the row's
    /// table as `r`), for one row by id or a range of new rows at once.
    struct Source {
        var select: String
        var from: String
    }

    static let sources: [Int64: Source] = [
        1: Source(
            select: "r.name, coalesce(r.title, '') || ' ' || coalesce(r.email, '') || ' ' || coalesce(r.location, '') || ' ' "
                + "|| coalesce(r.hook, '') || ' ' || coalesce(r.source, '') || ' ' || coalesce(r.notes, '')",
            from: "contacts r"),
        2: Source(
            select: "r.name, coalesce(r.industry, '') || ' ' || coalesce(r.website, '') || ' ' || coalesce(r.location, '') || ' ' "
                + "|| coalesce(r.notes, '')",
            from: "organizations r"),
        3: Source(
            select: "'Meeting with ' || coalesce(c.name, ''), coalesce(r.location, '') || ' ' || coalesce(r.notes, '') || ' ' "
                + "|| coalesce(r.outcome, '')",
            from: "meetings r LEFT JOIN contacts c ON c.id = r.contact_id"),
        4: Source(select: "r.name, coalesce(r.location, '') || ' ' || coalesce(r.url, '') || ' ' || coalesce(r.notes, '')", from: "events r"),
        5: Source(select: "r.title, coalesce(r.url, '') || ' ' || coalesce(r.notes, '')", from: "leads r"),
        6: Source(select: "'Outreach: ' || coalesce(c.name, ''), coalesce(r.summary, '')", from: "outreach r LEFT JOIN contacts c ON c.id = r.contact_id"),
        7: Source(select: "coalesce(r.name, r.kind), r.text", from: "insights r"),
    ]

    /// Rows per pass: one transaction's worth, so the writer is not held for long.
    static let batch = 500
    /// Rows per pass of `foothold reindex`, which has the writer to itself: bigger passes,
    /// fewer commits; the WAL peaks near one pass (about 40 MB).
    static let reindexBatch = 5_000

    /// The table of each type.
    static let tables: [Int64: String] = [1: "contacts", 2: "organizations", 3: "meetings", 4: "events", 5: "leads", 6: "outreach", 7: "insights"]

    /// New rows past a watermark, or changed and deleted ones queued.
    static let pendingSQL = "SELECT /* plan: max(id) reads each table's last rowid, and the queue holds only what changed since the last pass */ "
        + "EXISTS (SELECT 1 FROM search_queue) OR " + tables.keys.sorted().map { type in
        "coalesce((SELECT max(id) FROM \(tables[type] ?? "")), 0) > (SELECT indexed_through FROM search_state WHERE type = \(type))"
    }.joined(separator: " OR ")

    static func hasPending(_ connection: SQLiteConnection) throws -> Bool {
        try connection.scalarInt(pendingSQL) == 1
    }

    /// Ids and users fit the rowid's fields: 41 bits of id (ids start at 1 and only grow), 19 of user.
    static let idLimit: Int64 = 1 << 41
    static let userLimit: Int64 = 1 << 19

    /// rowid = user_id << 44 | id << 3 | type: one contiguous range per account. Nil (not
    /// indexed) beyond the fields' sizes.
    static func rowid(userID: Int64, type: Int64, id: Int64) -> Int64? {
        guard id > 0, id < idLimit, userID > 0, userID < userLimit else { return nil }
        return userID << 44 | id << 3 | type
    }

    static func decode(_ rowid: Int64) -> (type: Int64, id: Int64)? {
        let type = rowid & 7
        let id = (rowid >> 3) & (idLimit - 1)
        return id > 0 ? (type, id) : nil
    }

    /// The rowids of one account.
    static func range(userID: Int64) -> ClosedRange<Int64>? {
        guard userID > 0, userID < userLimit else { return nil }
        return (userID << 44)...(userID << 44 | (1 << 44 - 1))
    }

    /// Indexes up to `batch` new or queued rows; returns how many it took.
    @discardableResult
    static func drain(_ connection: SQLiteConnection, batch: Int = batch) throws -> Int {
        var taken = 0
        for type in tables.keys.sorted() {
            guard taken < batch, let table = tables[type], let source = sources[type] else { break }
            let watermark = try connection.scalarInt("SELECT indexed_through FROM search_state WHERE type = ?", [type]) ?? 0
            guard
                let (through, count) = try connection.queryOne(
                    "SELECT max(id), count(*) FROM (SELECT id FROM \(table) WHERE id > ? ORDER BY id LIMIT ?) "
                        + "/* plan: indexing walks every account's new rows in id order, a batch at a time */",
                    [watermark, batch - taken], { ($0.int64(0), Int($0.int64(1))) }),
                count > 0
            else { continue }
            // Rows past the watermark were never indexed: one statement adds them all. The
            // rowid packs the account, the id and the type (see `rowid`); rows beyond its
            // fields stay out, as `index` leaves them. (In SQL, << and | bind equally, left to right.)
            try connection.run(
                "INSERT INTO search_index (rowid, title, body) SELECT (r.user_id << 44) | (r.id << 3) | \(type), \(source.select) "
                    + "FROM \(source.from) WHERE r.id > ?1 AND r.id <= ?2 AND r.id < ?3 AND r.user_id > 0 AND r.user_id < ?4 "
                    + "/* plan: indexing walks every account's new rows in id order, a batch at a time */",
                [watermark, through, idLimit, userLimit])
            try connection.run("UPDATE search_state SET indexed_through = ? WHERE type = ?", [through, type])
            taken += count
        }
        guard taken < batch else { return taken }
        let queued = try connection.query("SELECT type, id, user_id FROM search_queue LIMIT ? /* plan: the queue holds only rows changed since the last pass */", [batch - taken]) {
            ($0.int64(0), $0.int64(1), $0.int64(2))
        }
        for (type, id, user) in queued {
            try index(connection, type: type, id: id, userID: user)
            try connection.run("DELETE FROM search_queue WHERE type = ? AND id = ?", [type, id])
        }
        return taken + queued.count
    }

    /// (Re)indexes one row from its table, or removes it when the row is gone.
    private static func index(_ connection: SQLiteConnection, type: Int64, id: Int64, userID: Int64) throws {
        guard let rowid = rowid(userID: userID, type: type, id: id) else { return }
        try connection.run("DELETE FROM search_index WHERE rowid = ?", [rowid])
        if let source = sources[type],
           let (title, body) = try connection.queryOne("SELECT \(source.select) FROM \(source.from) WHERE r.id = ?", [id], { ($0.string(0), $0.string(1)) })
        {
            try connection.run("INSERT INTO search_index (rowid, title, body) VALUES (?, ?, ?)", [rowid, title, body])
        }
    }
}
