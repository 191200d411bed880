#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Brings `search_index` up to date: rows past each table's `indexed_through` watermark, and the
/// ones migration 0013's triggers queued in `search_queue` when they changed or went; each
/// row's text is read from its table and indexed again, or removed when the row is gone.
enum SearchIndex {
    /// Per type: the row's title and body (`select`), where they come from (`from`, the row's
    /// table as `r`), for one row by id or a range of new rows at once.
    struct Source {
        var title: String
        var body: String
        var from: String

        /// The title, then the body: the order `Indexed` reads them in.
        var select: String { Indexed.allCases.map { $0 == .title ? title : body }.joined(separator: ", ") }
    }

    enum Indexed: Int32, QueryColumns {
        case title, body
    }

    static let sources: [Int64: Source] = [
        1: Source(
            title: "r.name",
            body: "coalesce(r.title, '') || ' ' || coalesce(r.email, '') || ' ' || coalesce(r.location, '') || ' ' "
                + "|| coalesce(r.hook, '') || ' ' || coalesce(r.source, '') || ' ' || coalesce(r.notes, '')",
            from: "contacts r"),
        2: Source(
            title: "r.name",
            body: "coalesce(r.industry, '') || ' ' || coalesce(r.website, '') || ' ' || coalesce(r.location, '') || ' ' || coalesce(r.notes, '')",
            from: "organizations r"),
        3: Source(
            title: "'Meeting with ' || coalesce(c.name, '')",
            body: "coalesce(r.location, '') || ' ' || coalesce(r.notes, '') || ' ' || coalesce(r.outcome, '')",
            from: "meetings r LEFT JOIN contacts c ON c.id = r.contact_id"),
        4: Source(title: "r.name", body: "coalesce(r.location, '') || ' ' || coalesce(r.url, '') || ' ' || coalesce(r.notes, '')", from: "events r"),
        5: Source(title: "r.title", body: "coalesce(r.url, '') || ' ' || coalesce(r.notes, '')", from: "leads r"),
        6: Source(title: "'Outreach: ' || coalesce(c.name, '')", body: "coalesce(r.summary, '')", from: "outreach r LEFT JOIN contacts c ON c.id = r.contact_id"),
        7: Source(title: "coalesce(r.name, r.kind)", body: "r.text", from: "insights r"),
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
            typealias B = Batch
            guard
                let (through, count) = try connection.queryOne(
                    "SELECT " + B.select + " FROM (SELECT id FROM \(table) WHERE id > ? ORDER BY id LIMIT ?) "
                        + "/* plan: indexing walks every account's new rows in id order, a batch at a time */",
                    [watermark, batch - taken], { ($0.int64(B.through), $0.int(B.count)) }),
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
        typealias Q = Queued
        let queued = try connection.query(
            "SELECT " + Q.select + " FROM search_queue LIMIT ? /* plan: the queue holds only rows changed since the last pass */", [batch - taken]
        ) { ($0.int64(Q.type), $0.int64(Q.id), $0.int64(Q.userID)) }
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
           let (title, body) = try connection.queryOne(
               "SELECT \(source.select) FROM \(source.from) WHERE r.id = ?", [id], { ($0.string(Indexed.title), $0.string(Indexed.body)) })
        {
            try connection.run("INSERT INTO search_index (rowid, title, body) VALUES (?, ?, ?)", [rowid, title, body])
        }
    }

    private enum Batch: Int32, SelectList {
        case through, count
        var sql: String {
            switch self {
            case .through: "max(id)"
            case .count: "count(*)"
            }
        }
    }

    private enum Queued: Int32, SelectList {
        case type, id, userID
        var sql: String {
            switch self {
            case .type: "type"
            case .id: "id"
            case .userID: "user_id"
            }
        }
    }

    /// One match of a search: the packed rowid, the title, both snippets, and whether the
    /// title alone held every word.
    struct Match {
        var rowid: Int64
        var title: String
        var bodySnippet: String
        var titleSnippet: String
        var byName: Bool
    }

    private enum MatchColumn: Int32, SelectList {
        case rowid, title, bodySnippet, titleSnippet, named
        var sql: String {
            switch self {
            case .rowid: "rowid"
            case .title: "title"
            case .bodySnippet: "snippet(search_index, 1, '<b>', '</b>', '…', 12)"
            case .titleSnippet: "snippet(search_index, 0, '<b>', '</b>', '…', 12)"
            // `named` is written by `matches`: whether the title alone matched (`?5`).
            case .named: "named"
            }
        }
    }

    /// The account's matches (its rowid `range`) of an FTS5 `expression`, by-name matches
    /// first when `byName` (the expression over titles alone) is given, then by rank.
    static func matches(
        _ connection: SQLiteConnection, expression: String, byName: String?, range: ClosedRange<Int64>, limit: Int, offset: Int, _ visit: (Match) throws -> Void
    ) throws {
        typealias C = MatchColumn
        let named = byName == nil
            ? "0"
            : "((rowid & 7) IN (1, 2, 4, 5, 7) AND rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ?5 AND rowid BETWEEN ?2 AND ?3))"
        let select = C.allCases.map { $0 == .named ? "\(named) AS named" : $0.sql }.joined(separator: ", ")
        try connection.forEachRow(
            "SELECT \(select) FROM search_index WHERE search_index MATCH ?1 AND rowid BETWEEN ?2 AND ?3 ORDER BY named DESC, rank LIMIT ?4 OFFSET ?6",
            [expression, range.lowerBound, range.upperBound, limit, byName ?? "", offset]
        ) { row in
            try visit(
                Match(
                    rowid: row.int64(C.rowid), title: row.string(C.title), bodySnippet: row.string(C.bodySnippet), titleSnippet: row.string(C.titleSnippet),
                    byName: row.int64(C.named) != 0))
        }
    }

}
