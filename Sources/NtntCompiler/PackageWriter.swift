// Writes a transpiled program as a Swift package, filling in the skeletons of Templates/:
// Package.swift (depending on the runtime this ntnt uses, recorded by absolute path, or on
// NTNT_HOME's or an installed one at build time) and main.swift (which selects and runs the program). Re-running over an existing
// output folder replaces the generated sources and leaves the build folder alone.

import Foundation

/// Where the compiler's support files are.
public struct ToolchainPaths {
    public var templates: String
    public var runtime: String

    public init(templates: String, runtime: String) {
        self.templates = templates
        self.runtime = runtime
    }

    /// `NTNT_HOME`, or the first ancestor of the executable that holds Templates/ and runtime/.
    public static func locate(executable: String) -> ToolchainPaths? {
        var candidates: [String] = []
        if let home = ProcessInfo.processInfo.environment["NTNT_HOME"] { candidates.append(home) }
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(url.path)
            candidates.append(url.appendingPathComponent("share/ntnt").path)
            candidates.append(url.appendingPathComponent("../share/ntnt").standardizedFileURL.path)
            url.deleteLastPathComponent()
        }
        for c in candidates {
            let t = c + "/Templates", r = c + "/runtime"
            if FileManager.default.fileExists(atPath: t + "/Package.swift.template"),
               FileManager.default.fileExists(atPath: r + "/Package.swift") {
                return ToolchainPaths(templates: t, runtime: URL(fileURLWithPath: r).standardizedFileURL.path)
            }
        }
        return nil
    }
}

/// Writes generated packages.
public enum PackageWriter {
    /// Writes `programs` into a package at `directory`; returns the files written.
    @discardableResult
    public static func write(programs: [(name: String, source: String)], to directory: String,
                             paths: ToolchainPaths, productName: String = "app") throws -> [String] {
        let fm = FileManager.default
        let sources = directory + "/Sources/App"
        if fm.fileExists(atPath: sources) { try fm.removeItem(atPath: sources) }
        try fm.createDirectory(atPath: sources, withIntermediateDirectories: true)
        func fill(_ template: String) throws -> String {
            var text = try String(contentsOfFile: paths.templates + "/" + template, encoding: .utf8)
            text = text.replacingOccurrences(of: "{{RUNTIME_PATH}}", with: paths.runtime)
            text = text.replacingOccurrences(of: "{{PRODUCT}}", with: productName)
            let cases = programs.map { "case \"\($0.name)\": program = P_\(Compiler.sanitize($0.name))_Program()" }
            text = text.replacingOccurrences(of: "{{PROGRAM_CASES}}", with: cases.joined(separator: "\n    "))
            text = text.replacingOccurrences(of: "{{DEFAULT_PROGRAM}}", with: programs.first?.name ?? "")
            return text
        }
        var written: [String] = []
        let package = directory + "/Package.swift"
        try fill("Package.swift.template").write(toFile: package, atomically: true, encoding: .utf8)
        written.append(package)
        let main = sources + "/main.swift"
        try fill("main.swift.template").write(toFile: main, atomically: true, encoding: .utf8)
        written.append(main)
        for p in programs {
            let file = sources + "/\(Compiler.sanitize(p.name)).swift"
            try p.source.write(toFile: file, atomically: true, encoding: .utf8)
            written.append(file)
        }
        let ignore = directory + "/.gitignore"
        if !fm.fileExists(atPath: ignore) { try ".build/\nPackage.resolved\n".write(toFile: ignore, atomically: true, encoding: .utf8) }
        return written
    }
}
