import Foundation
import PackagePlugin

/// Embeds files from the package root into a target as Swift string constants at build time:
/// migrations/*.sql into Domain, openapi.yaml into API, the version and commit into foothold. The binary then needs no files
/// beside it, wherever it is started from or installed.
@main
struct ResourceEmbedder: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let tool = try context.tool(named: "EmbedTool").url
        let output = context.pluginWorkDirectoryURL.appending(path: "Embedded\(target.name).swift")
        let kind: String
        let inputs: [URL]
        switch target.name {
        case "Domain":
            kind = "migrations"
            let directory = root.appending(path: "migrations")
            inputs = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        case "API":
            kind = "spec"
            inputs = [root.appending(path: "openapi.yaml")]
        case "foothold":
            // `foothold --version`: the spec's version and the commit checked out. The files git
            // moves on a commit are inputs, so a new commit rebuilds it.
            kind = "buildinfo"
            let git = root.appending(path: ".git")
            var files = [root.appending(path: "openapi.yaml")]
            let head = git.appending(path: "HEAD")
            if let text = try? String(contentsOf: head, encoding: .utf8) {
                files.append(head)
                if text.hasPrefix("ref: ") {
                    let ref = git.appending(path: text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines))
                    if FileManager.default.fileExists(atPath: ref.path) { files.append(ref) }
                }
                let packed = git.appending(path: "packed-refs")
                if FileManager.default.fileExists(atPath: packed.path) { files.append(packed) }
            }
            inputs = files
        default:
            return []
        }
        return [
            .buildCommand(
                displayName: "Embedding \(kind) into \(target.name)", executable: tool,
                arguments: [kind, output.path] + inputs.map(\.path), inputFiles: inputs, outputFiles: [output])
        ]
    }
}
