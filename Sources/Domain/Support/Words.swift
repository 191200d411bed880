/// Word-level text checks shared by pitch lint and meeting prep: lower-cased words of letters
/// and digits, and whole-word phrase matching.
enum Words {
    /// The words of `text`, lower-cased; apostrophes and other punctuation split words.
    static func of(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }

    /// Whether `phrase` (already split by `of`) occurs in `words` as consecutive whole words.
    static func contains(_ words: [String], phrase: [String]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= words.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if Array(words[start..<(start + phrase.count)]) == phrase { return true }
        }
        return false
    }

    /// Words that say little on their own: never enough to make a question tailored.
    static let common: Set<String> = [
        "the", "and", "for", "with", "your", "you", "our", "their", "about", "after", "again", "heard", "there", "these", "those",
        "which", "would", "could", "should", "where", "while", "through", "really", "article", "recent", "recently", "interview",
        "presentation", "conference", "talk", "read", "saw", "met", "from", "that", "this", "have", "what", "when", "work", "inc",
        "ltd", "llc", "corp", "company", "group", "limited", "gmbh",
    ]
}
