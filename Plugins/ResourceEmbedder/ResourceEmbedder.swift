import Foundation
import PackagePlugin

/// Embeds files from the package root into a target as Swift string constants at build time:
/// migrations/*.sql into Domain, openapi.yaml into API. The binary then needs no files
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
