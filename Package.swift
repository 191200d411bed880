// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Foothold",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "foothold", targets: ["foothold"]),
        .executable(name: "RequestParserFuzzer", targets: ["RequestParserFuzzer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CArgon2", path: "Sources/CArgon2", providers: [.apt(["libargon2-dev"])]),
        .target(name: "CSystemShims", path: "Sources/CSystemShims", cSettings: [.define("_GNU_SOURCE")]),
        // libcurl (Debian's libcurl4-openssl-dev) speaks SMTP with STARTTLS for the digests;
        // the C target wraps its variadic setters, which Swift cannot call.
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "Outbound", dependencies: ["CCurl", "Primitives"]),
        .target(name: "Primitives", dependencies: ["CSystemShims"]),
        .target(name: "HTTPCore", dependencies: ["CZlib", "CSystemShims", "Primitives"]),
        .target(name: "SQLiteCore", dependencies: ["CSQLite", "Primitives"]),
        // Embeds migrations/*.sql into Domain and openapi.yaml into API at build time, so the
        // binary needs no files beside it wherever it is started from or installed.
        // zlib: the web front's files are gzipped at build time, so serving them needs no zlib
        // stream at start (256 KB that idle servers would otherwise keep).
        .executableTarget(name: "EmbedTool", dependencies: ["CZlib"], path: "Sources/EmbedTool"),
        .plugin(name: "ResourceEmbedder", capability: .buildTool(), dependencies: ["EmbedTool"], path: "Plugins/ResourceEmbedder"),
        .target(
            name: "Domain", dependencies: ["SQLiteCore", "Primitives", "CArgon2", .product(name: "Crypto", package: "swift-crypto")],
            plugins: ["ResourceEmbedder"]),
        .target(name: "API", dependencies: ["HTTPCore", "Domain", "Primitives"], plugins: ["ResourceEmbedder"]),
        .executableTarget(
            name: "foothold",
            dependencies: [
                "API", "Domain", "SQLiteCore", "HTTPCore", "Primitives", "CSystemShims", "Outbound", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime and FoundationEssentials linked in: the server loads only what it
            // uses (idle RSS 19.6 → 16.9 MB) and calls the runtime directly, not through the PLT
            // (W4 +17%). At run time it needs only libc, libstdc++, libsqlite3, zlib, libargon2 and libcurl. Not a PIE:
            // a PIE applies 50,000 relocations at start (1.2 MB of them, and every page of
            // metadata they touch stays resident: 1.6 MB of idle RSS); a fixed address resolves
            // them at link time. The libraries it loads are still placed at random.
            linkerSettings: [
                .unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie"], .when(platforms: [.linux])),
                .linkedLibrary("_FoundationCShims", .when(platforms: [.linux])),
                .linkedLibrary("_FoundationCollections", .when(platforms: [.linux])),
            ],
            plugins: ["ResourceEmbedder"]),
        // Data-layer benchmark (bench/README.md); not part of the server.
        .executableTarget(name: "SQLiteBench", dependencies: ["SQLiteCore"]),
        // libFuzzer harness; see fuzz/run.sh. Built normally it replays files given as arguments.
        .executableTarget(name: "RequestParserFuzzer", dependencies: ["HTTPCore"]),
        // The tests' own C: glibc's spawn and pipe extensions for TestSupport's ChildProcess.
        .target(name: "CTestShims", path: "Tests/CTestShims", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "TestSupport", dependencies: ["HTTPCore", "API", "Domain", "SQLiteCore", "Primitives", "CTestShims"], path: "Tests/TestSupport"),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives", "TestSupport"]),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore", "Primitives", "TestSupport"]),
        .testTarget(name: "SQLiteCoreTests", dependencies: ["SQLiteCore", "Domain", "Primitives", "TestSupport"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "SQLiteCore", "Primitives", "TestSupport", "Outbound"]),
        .testTarget(name: "APITests", dependencies: ["API", "HTTPCore", "Domain", "SQLiteCore", "Primitives", "TestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
