import Foundation
import PackagePlugin

/// Embeds files from the package root into a target as Swift string constants at build time:
/// migrations/*.sql into Domain, openapi.yaml and web/ into API, the version and commit into foothold. The binary then needs no files
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
            // Two files: the spec, and the web front (every file under web/, so a new page or
            // an edit rebuilds it; the folder itself is the first argument, for relative paths).
            let web = root.appending(path: "web")
            var files: [URL] = []
            if let walker = FileManager.default.enumerator(at: web, includingPropertiesForKeys: [.isRegularFileKey]) {
                for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                    if !url.lastPathComponent.hasPrefix(".") { files.append(url) }
                }
            }
            files.sort { $0.path < $1.path }
            let webOutput = context.pluginWorkDirectoryURL.appending(path: "EmbeddedWebAPI.swift")
            let specInput = root.appending(path: "openapi.yaml")
            return [
                .buildCommand(
                    displayName: "Embedding spec into API", executable: tool,
                    arguments: ["spec", output.path, specInput.path], inputFiles: [specInput], outputFiles: [output]),
                .buildCommand(
                    displayName: "Embedding web into API", executable: tool,
                    arguments: ["web", webOutput.path, web.path] + files.map(\.path), inputFiles: files, outputFiles: [webOutput]),
            ]
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
