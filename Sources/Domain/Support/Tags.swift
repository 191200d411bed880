import Primitives

/// Free-form labels on an object (contacts, questions): trimmed, 1–50 code points each, at most
/// 50, duplicates ignoring case dropped, kept in the order SQLite's NOCASE reads them back.
enum Tags {
    static func normalized(_ raw: [String]?, field: String = "tags", _ validator: inout Validator) -> [String] {
        var tags: [String] = []
        var seen = Set<String>()
        // Counted as sent, duplicates included: the spec's maxItems counts them too.
        if (raw?.count ?? 0) > 50 {
            validator.add(field, "must hold at most 50 tags")
            return []
        }
        for item in raw ?? [] {
            let tag = item.trimmingWhitespace()
            // U+001F joins tags when a list reads them beside its page.
            if tag.isEmpty || tag.unicodeScalars.count > 50 {
                validator.add(field, "each tag must be 1 to 50 characters")
                break
            }
            // U+001F among them: it would split the tag where a list joins them.
            if let message = Validator.controlCharacterIssue(tag, multiline: false) {
                validator.add(field, "each tag " + message)
                break
            }
            if seen.insert(tag.lowercased()).inserted { tags.append(tag) }
        }
        return tags.sorted(by: nocaseOrder)
    }

    /// SQLite's NOCASE order (ASCII letters folded, other bytes compared as they are), the
    /// order tags are read back in, so a written object equals the one read later.
    static func nocaseOrder(_ a: String, _ b: String) -> Bool {
        func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        for (x, y) in zip(a.utf8, b.utf8) where fold(x) != fold(y) { return fold(x) < fold(y) }
        return a.utf8.count < b.utf8.count
    }
}
